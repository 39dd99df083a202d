/**
 * Events the calendar emits (topic flowforge.calendar, schemaversion 1). Candidates for the shared
 * catalog in packages/events/src/catalog.ts.
 */
import { createEvent, type CalendarEventChangedData, type CalendarSyncedField, type EventEnvelope } from '@flowforge/events';
import type { CalendarEventRow } from '../data/events.js';
import type { FocusBlockRow } from '../data/blocks.js';

export const CalendarEvents = {
  eventCreated: 'flowforge.calendar.event.created',
  eventUpdated: 'flowforge.calendar.event.updated',
  eventDeleted: 'flowforge.calendar.event.deleted',
  focusBlocksScheduled: 'flowforge.calendar.focus_blocks.scheduled',
} as const;

/** Subject: eventId. Tenant: organizationId. The shared contract (packages/events). */
export type CalendarEventData = CalendarEventChangedData;

/** Every provider-synced field: a push of the whole event. */
export const ALL_SYNCED_FIELDS: CalendarSyncedField[] = ['title', 'description', 'startsAt', 'endsAt', 'timezone', 'allDay', 'startDate', 'endDate', 'busy'];

/** How a change of a provider event relates to its provider (integrations pushes non-sync changes back). */
export interface ProviderLink {
  /** The provider connection: the calendar's externalId is `<source>:<connectionId>`. */
  connectionId: string | null;
  fromProviderSync: boolean;
  changedFields: CalendarSyncedField[];
  /** Overrides the base etag read from synced_fields (a merge whose base just moved). */
  providerEtag?: string | null;
}

/** The connection id in a provider calendar's externalId (`google:<connectionId>`). */
export function connectionOfCalendar(calendarExternalId: string | null | undefined): string | null {
  const match = /^(?:google|microsoft):(.+)$/.exec(calendarExternalId ?? '');
  return match ? match[1]! : null;
}

/** The provider etag the row's synced_fields records (the version last applied from the provider). */
export function providerEtagOf(row: Pick<CalendarEventRow, 'syncedFields'>): string | null {
  const synced = row.syncedFields as { etag?: unknown } | null;
  return synced && typeof synced === 'object' && typeof synced.etag === 'string' ? synced.etag : null;
}

/** The synced fields that differ between two versions of a row. */
export function changedSyncedFields(before: CalendarEventRow, after: CalendarEventRow): CalendarSyncedField[] {
  const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null));
  return ALL_SYNCED_FIELDS.filter((field) => !same(before[field], after[field]));
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

/**
 * A calendar event's change. Provider events (source ≠ LOCAL with an externalId) carry `link`: their
 * connection, the provider etag of their base, the changed fields and whether the change came from a
 * provider sync (integrations pushes the others back to the provider).
 */
export function calendarEventChanged(type: (typeof CalendarEvents)['eventCreated' | 'eventUpdated' | 'eventDeleted'], row: CalendarEventRow, link?: ProviderLink): EventEnvelope<CalendarEventData> {
  const provider = row.source !== 'LOCAL' && row.externalId !== null;
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
      sequence: row.sequence,
      deleted: row.deletedAt !== null,
      description: row.description ?? null,
      startDate: row.startDate,
      endDate: row.endDate,
      source: row.source,
      externalId: row.externalId,
      ...(provider && {
        connectionId: link?.connectionId ?? null,
        providerEtag: link?.providerEtag !== undefined ? link.providerEtag : providerEtagOf(row),
        changedFields: link?.changedFields ?? [],
        // Without a link nothing says where the change came from: not pushed (no loop by omission).
        fromProviderSync: link?.fromProviderSync ?? true,
      }),
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
