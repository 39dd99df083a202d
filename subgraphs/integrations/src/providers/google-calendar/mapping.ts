import type { CalendarSyncItem } from '@flowforge/events';
/** Google event ↔ the provider-neutral calendar item the integrations events carry. Pure. */
import type { GoogleEvent } from './client.js';

/** Google's private extended property marking events FlowForge wrote (focus blocks): never imported back. */
export const FOCUS_BLOCK_PROPERTY = 'flowforgeFocusBlockId';

/** One provider event, provider-neutral (flowforge.integrations.calendar_events.synced carries these, cancelled ones as deletedExternalIds). */
export interface ProviderCalendarItem extends Omit<CalendarSyncItem, 'previousEtag'> {
  /** Deleted at the provider: travels as a deletedExternalId, not as an item. */
  cancelled: boolean;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function isOwnWriteBack(event: GoogleEvent): boolean {
  return Boolean(event.extendedProperties?.private?.[FOCUS_BLOCK_PROPERTY]);
}

export function toCalendarItem(event: GoogleEvent, calendarTimeZone = 'UTC'): ProviderCalendarItem {
  const timezone = event.start?.timeZone ?? calendarTimeZone;
  const allDay = Boolean(event.start?.date);
  const startDate = event.start?.date ?? null;
  const endDate = event.end?.date ? addDays(event.end.date, -1) : startDate;
  const startsAt = allDay ? `${startDate}T00:00:00.000Z` : new Date(event.start?.dateTime ?? 0).toISOString();
  const endsAt = allDay ? `${addDays(endDate ?? startDate!, 1)}T00:00:00.000Z` : new Date(event.end?.dateTime ?? event.start?.dateTime ?? 0).toISOString();
  return {
    externalId: event.id,
    etag: event.etag,
    updatedAt: event.updated ?? new Date(0).toISOString(),
    cancelled: event.status === 'cancelled',
    title: (event.summary ?? '(no title)').slice(0, 200) || '(no title)',
    description: event.description?.slice(0, 5000) ?? null,
    startsAt,
    endsAt,
    timezone,
    allDay,
    startDate: allDay ? startDate : null,
    endDate: allDay ? endDate : null,
    busy: event.transparency !== 'transparent',
  };
}

/** A FlowForge focus block as a Google busy event. */
export function focusBlockEvent(block: { id: string; startsAt: string; endsAt: string }, timeZone: string): Partial<GoogleEvent> {
  return {
    summary: 'Focus time (FlowForge)',
    description: 'Blocked by FlowForge for focused work.',
    start: { dateTime: block.startsAt, timeZone },
    end: { dateTime: block.endsAt, timeZone },
    transparency: 'opaque',
    extendedProperties: { private: { [FOCUS_BLOCK_PROPERTY]: block.id } },
  };
}
