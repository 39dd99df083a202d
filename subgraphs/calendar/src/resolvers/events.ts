import type { CalendarEventResolvers, CalendarResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import { attendeesOf } from '../data/events.js';

export const eventQueries: QueryResolvers = {
  calendarEvent: (_parent, { id }, { identity, calendar }) => calendar.get(identity, id),
  calendars: (_parent, _args, { identity, calendar }) => calendar.listCalendars(identity),
};

export const eventMutations: MutationResolvers = {
  createCalendar: (_parent, { input }, { identity, calendar }) => calendar.createCalendar(identity, input),
  createCalendarEvent: (_parent, { input }, { identity, calendar }) => calendar.create(identity, input),
  updateCalendarEvent: (_parent, { id, input }, { identity, calendar }) => calendar.update(identity, id, input),
  deleteCalendarEvent: (_parent, { id }, { identity, calendar }) => calendar.delete(identity, id),
  updateCalendarEventOccurrence: (_parent, { eventId, originalStartsAt, input }, { identity, calendar }) => calendar.updateOccurrence(identity, eventId, originalStartsAt, input),
  deleteCalendarEventOccurrence: (_parent, { eventId, originalStartsAt }, { identity, calendar }) => calendar.deleteOccurrence(identity, eventId, originalStartsAt),
};

export const CalendarEvent: CalendarEventResolvers = {
  async __resolveReference(reference, { identity, calendar }) {
    return calendar.get(identity, reference.id).catch(() => null);
  },
  user: (event) => ({ id: event.userId }),
  calendar: async (event, _args, { calendar }) => (await calendar.calendarById(event.calendarId))!,
  recurrence: (event) => event.rrule,
  exceptionDates: (event) => event.exdates,
  attendees: (event) => attendeesOf(event),
};

export const Calendar: CalendarResolvers = {
  async __resolveReference(reference, { identity, calendar }) {
    const list = await calendar.listCalendars(identity);
    return list.find((c) => c.id === reference.id) ?? null;
  },
};


