/**
 * Events the calendar emits (topic flowforge.calendar, schemaversion 1). Candidates for the shared
 * catalog in packages/events/src/catalog.ts.
 */
import { createEvent, type EventEnvelope } from '@flowforge/events';
import type { CalendarEventRow } from '../data/events.js';
import type { FocusBlockRow } from '../data/blocks.js';

export const CalendarEvents = {
  eventCreated: 'flowforge.calendar.event.created',
  eventUpdated: 'flowforge.calendar.event.updated',
  eventDeleted: 'flowforge.calendar.event.deleted',
  focusBlocksScheduled: 'flowforge.calendar.focus_blocks.scheduled',
} as const;

/** Subject: eventId. Tenant: organizationId. */
export interface CalendarEventData {
  eventId: string;
  calendarId: string;
  userId: string;
  organizationId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  allDay: boolean;
  busy: boolean;
  recurrence: string | null;
  /** Edited occurrences: their series and original start. */
  recurringEventId: string | null;
  originalStartsAt: string | null;
  etag: string;
  deleted: boolean;
}

/** Subject: userId. Tenant: organizationId. */
export interface FocusBlocksScheduledData {
  userId: string;
  organizationId: string;
  from: string;
  to: string;
  timezone: string;
  weeklyTargetMinutes: number;
  blocks: { id: string; startsAt: string; endsAt: string; status: string }[];
  kept: number;
  moved: number;
  created: number;
  cancelled: string[];
  unplacedMinutes: number;
}

export function calendarEventChanged(type: (typeof CalendarEvents)['eventCreated' | 'eventUpdated' | 'eventDeleted'], row: CalendarEventRow): EventEnvelope<CalendarEventData> {
  return createEvent<CalendarEventData>({
    domain: 'calendar',
    type,
    subject: row.id,
    tenant: row.organizationId,
    data: {
      eventId: row.id,
      calendarId: row.calendarId,
      userId: row.userId,
      organizationId: row.organizationId,
      title: row.title,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
      timezone: row.timezone,
      allDay: row.allDay,
      busy: row.busy,
      recurrence: row.rrule,
      recurringEventId: row.recurringEventId,
      originalStartsAt: row.originalStartsAt?.toISOString() ?? null,
      etag: row.etag,
      deleted: row.deletedAt !== null,
    },
  });
}

export function focusBlocksScheduled(data: Omit<FocusBlocksScheduledData, 'blocks'> & { blocks: FocusBlockRow[] }): EventEnvelope<FocusBlocksScheduledData> {
  return createEvent<FocusBlocksScheduledData>({
    domain: 'calendar',
    type: CalendarEvents.focusBlocksScheduled,
    subject: data.userId,
    tenant: data.organizationId,
    data: { ...data, blocks: data.blocks.map((b) => ({ id: b.id, startsAt: b.startsAt.toISOString(), endsAt: b.endsAt.toISOString(), status: b.status })) },
  });
}
