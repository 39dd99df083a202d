import type { FocusBlockResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const focusQueries: QueryResolvers = {
  focusBlock: (_parent, { id }, { identity, focusTime }) => focusTime.getBlock(identity, id),
  calendarFeed: (_parent, _args, { identity, feeds }) => feeds.current(identity),
};

export const focusMutations: MutationResolvers = {
  scheduleFocusTime: (_parent, { input }, { identity, focusTime }) => focusTime.schedule(identity, input),
  createCalendarFeed: (_parent, _args, { identity, feeds }) => feeds.create(identity),
  revokeCalendarFeed: (_parent, _args, { identity, feeds }) => feeds.revoke(identity),
};

export const FocusBlock: FocusBlockResolvers = {
  __resolveReference: (reference, { identity, focusTime }) => focusTime.findBlock(identity, reference.id),
  minutes: (block) => Math.round((block.endsAt.getTime() - block.startsAt.getTime()) / 60_000),
  session: (block) => (block.sessionId ? { __typename: 'FocusSession', id: block.sessionId } : null),
  user: (block) => ({ id: block.userId }),
};
