import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key. */
export interface UserReference {
  id: string;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  calendars: (user, _args, { identity, calendar }) => calendar.listCalendars(identity, user.id),
  calendarEvents: (user, { from, to }, { identity, calendar }) => calendar.list(identity, user.id, from, to),
  freeBusy: (user, { from, to }, { identity, focusTime }) => focusTime.freeBusy(identity, user.id, from, to),
  focusBlocks: (user, { from, to }, { identity, focusTime }) => focusTime.listBlocks(identity, user.id, from, to),
};
