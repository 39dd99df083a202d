import { requireMember } from '@flowforge/runtime';
import type { CalendarEventResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const eventQueries: QueryResolvers = {
  calendarEvent: (_parent, { id }, { identity, calendar }) => calendar.get(identity, id),
};

export const eventMutations: MutationResolvers = {
  createCalendarEvent: (_parent, { input }, { identity, calendar }) => calendar.create(identity, input),
};

export const CalendarEvent: CalendarEventResolvers = {
  async __resolveReference(reference, { identity, events }) {
    const member = requireMember(identity);
    return events.findOwned(member.organizationId, member.userId, reference.id);
  },
  user: (event) => ({ id: event.userId }),
};
