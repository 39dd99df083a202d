import { notFound, requireId, requireMember } from '@flowforge/runtime';
import { actualFocusMinutes } from '../domain/session.js';
import type { FocusSessionResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import { readScope } from './user.js';

export const sessionQueries: QueryResolvers = {
  activeFocusSession(_parent, _args, { identity, sessions }) {
    const member = requireMember(identity);
    return sessions.findOpen(member.organizationId, member.userId);
  },
  async focusSession(_parent, { id }, { identity, sessions }) {
    const member = requireMember(identity);
    const session = await sessions.findInOrganization(member.organizationId, requireId(id, 'id'));
    if (!session) throw notFound('No focus session with that id in your active organization.');
    readScope(identity, session.userId);
    return session;
  },
};

export const sessionMutations: MutationResolvers = {
  startFocusSession: (_parent, { input }, { identity, focus }) => focus.start(identity, input),
  pauseFocusSession: (_parent, { id }, { identity, focus }) => focus.pause(identity, id),
  resumeFocusSession: (_parent, { id }, { identity, focus }) => focus.resume(identity, id),
  recordInterruption: (_parent, { id, reason }, { identity, focus }) => focus.recordInterruption(identity, id, reason),
  endFocusSession: (_parent, { id, input }, { identity, focus }) => focus.end(identity, id, input ?? {}),
  updateFocusSession: (_parent, { id, input }, { identity, focus }) => focus.update(identity, id, input),
};

export const FocusSession: FocusSessionResolvers = {
  async __resolveReference(reference, { identity, sessions }) {
    const member = requireMember(identity);
    const session = await sessions.findInOrganization(member.organizationId, reference.id);
    if (!session) return null;
    readScope(identity, session.userId);
    return session;
  },
  user: (session) => ({ id: session.userId }),
  actualMinutes: (session) => session.actualMinutes ?? actualFocusMinutes(session.startedAt, new Date(), session.pauses),
};
