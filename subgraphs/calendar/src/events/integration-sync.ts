/**
 * Provider events from the integrations subgraph become calendar events (two-way sync, inbound side).
 * flowforge.integrations.calendar_event.upserted|deleted → upsert by (organization, user, source,
 * externalId) into the user's provider calendar (created on first use).
 *
 * Conflicts: integrations sends the etag it delivered last (`previousEtag`). A row whose etag differs
 * from it was edited here since (local edits give a new etag). Then both sides changed: the later
 * change wins (our row's updatedAt vs the provider's `updated`), a tie goes to the provider, and the
 * outcome is published as flowforge.calendar.event.sync_conflict (integrations records it, and pushes
 * a LOCAL winner back to the provider). Same etag as the row: already applied (redelivery), skipped.
 */
import { createEvent, type EventEnvelope } from '@flowforge/events';
import type { SubgraphEvents } from '@flowforge/runtime';
import { isValidTimeZone } from '@flowforge/time';
import type { Tx } from '../data/db.js';
import type { CalendarEventRow } from '../data/events.js';
import { calendarEventChanged, CalendarEvents } from './catalog.js';

export const IntegrationCalendarEvents = {
  upserted: 'flowforge.integrations.calendar_event.upserted',
  deleted: 'flowforge.integrations.calendar_event.deleted',
} as const;

export const SYNC_CONFLICT = 'flowforge.calendar.event.sync_conflict';

interface ProviderItem {
  externalId: string;
  etag: string;
  updatedAt: string;
  cancelled: boolean;
  title: string;
  description: string | null;
  startsAt: string;
  endsAt: string;
  timezone: string;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  busy: boolean;
}

interface ProviderEventData {
  connectionId: string;
  userId: string;
  organizationId: string;
  source: 'GOOGLE' | 'MICROSOFT';
  item: ProviderItem;
  previousEtag: string | null;
}

export interface SyncConflictData {
  connectionId: string;
  userId: string;
  organizationId: string;
  externalId: string;
  eventId: string;
  winner: 'LOCAL' | 'REMOTE';
  reason: string;
  localEtag: string;
  remoteEtag: string;
  localUpdatedAt: string;
  remoteUpdatedAt: string;
  fields: string[];
  /** The local version (what a LOCAL winner pushes back to the provider). */
  local: { title: string; description: string | null; startsAt: string; endsAt: string; timezone: string; allDay: boolean; startDate: string | null; endDate: string | null; busy: boolean };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validData(data: Partial<ProviderEventData>): data is ProviderEventData {
  const item = data.item as Partial<ProviderItem> | undefined;
  return typeof data.userId === 'string' && UUID.test(data.userId) && typeof data.organizationId === 'string' && UUID.test(data.organizationId)
    && (data.source === 'GOOGLE' || data.source === 'MICROSOFT') && !!item && typeof item.externalId === 'string' && typeof item.etag === 'string'
    && !Number.isNaN(Date.parse(item.startsAt ?? '')) && !Number.isNaN(Date.parse(item.endsAt ?? ''));
}

function fieldsOf(item: ProviderItem) {
  const startsAt = new Date(item.startsAt);
  const endsAt = new Date(Math.max(Date.parse(item.endsAt), startsAt.getTime() + 60_000));
  return {
    title: (item.title || '(no title)').slice(0, 200),
    description: item.description?.slice(0, 5000) ?? null,
    startsAt,
    endsAt,
    timezone: isValidTimeZone(item.timezone) ? item.timezone : 'UTC',
    allDay: item.allDay,
    startDate: item.allDay ? item.startDate : null,
    endDate: item.allDay ? item.endDate : null,
    busy: item.busy,
  };
}

function changedFields(row: CalendarEventRow, next: ReturnType<typeof fieldsOf>): string[] {
  const fields: string[] = [];
  if (row.title !== next.title) fields.push('title');
  if ((row.description ?? null) !== next.description) fields.push('description');
  if (row.startsAt.getTime() !== next.startsAt.getTime()) fields.push('startsAt');
  if (row.endsAt.getTime() !== next.endsAt.getTime()) fields.push('endsAt');
  if (row.busy !== next.busy) fields.push('busy');
  if (row.allDay !== next.allDay) fields.push('allDay');
  return fields;
}

async function providerCalendar(tx: Tx, data: ProviderEventData): Promise<string> {
  const externalId = `${data.source.toLowerCase()}:${data.connectionId}`;
  const existing = await tx.calendar.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, source: data.source, externalId, deletedAt: null }, select: { id: true } });
  if (existing) return existing.id;
  const created = await tx.calendar.create({ data: { organizationId: data.organizationId, userId: data.userId, source: data.source, externalId, name: data.source === 'GOOGLE' ? 'Google Calendar' : 'Outlook Calendar', color: '#0b8043' } });
  return created.id;
}

export async function applyProviderEvent(event: EventEnvelope, tx: Tx, events: Pick<SubgraphEvents<Tx>, 'publish'>): Promise<void> {
  if (event.type !== IntegrationCalendarEvents.upserted && event.type !== IntegrationCalendarEvents.deleted) return;
  const data = event.data as Partial<ProviderEventData>;
  if (!validData(data)) return;
  const { item } = data;
  const row = await tx.calendarEvent.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, source: data.source, externalId: item.externalId } });
  const deleting = event.type === IntegrationCalendarEvents.deleted || item.cancelled;

  if (!row) {
    if (deleting) return;
    const calendarId = await providerCalendar(tx, data);
    const created = await tx.calendarEvent.create({ data: { organizationId: data.organizationId, userId: data.userId, calendarId, source: data.source, externalId: item.externalId, etag: item.etag, ...fieldsOf(item) } });
    await events.publish(tx, [calendarEventChanged(CalendarEvents.eventCreated, created)]);
    return;
  }
  if (row.etag === item.etag) return; // already applied

  if (deleting) {
    // A provider deletion wins over local edits (the item no longer exists there to write back to).
    if (row.deletedAt) return;
    const gone = await tx.calendarEvent.update({ where: { id: row.id }, data: { deletedAt: new Date(), etag: item.etag, sequence: { increment: 1 } } });
    await events.publish(tx, [calendarEventChanged(CalendarEvents.eventDeleted, gone)]);
    return;
  }

  const next = fieldsOf(item);
  const locallyModified = data.previousEtag !== null && row.etag !== data.previousEtag && row.deletedAt === null;
  if (locallyModified) {
    const localAt = row.updatedAt.getTime();
    const remoteAt = Date.parse(item.updatedAt);
    const winner: 'LOCAL' | 'REMOTE' = localAt > remoteAt ? 'LOCAL' : 'REMOTE';
    const conflict: SyncConflictData = {
      connectionId: data.connectionId, userId: data.userId, organizationId: data.organizationId, externalId: item.externalId, eventId: row.id, winner,
      reason: winner === 'LOCAL' ? 'Both sides changed the event; the FlowForge edit is newer.' : localAt === remoteAt ? 'Both sides changed the event at the same time; the provider wins ties.' : 'Both sides changed the event; the provider edit is newer.',
      localEtag: row.etag, remoteEtag: item.etag, localUpdatedAt: row.updatedAt.toISOString(), remoteUpdatedAt: new Date(remoteAt).toISOString(), fields: changedFields(row, next),
      local: { title: row.title, description: row.description, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), timezone: row.timezone, allDay: row.allDay, startDate: row.startDate, endDate: row.endDate, busy: row.busy },
    };
    await events.publish(tx, [createEvent<SyncConflictData>({ domain: 'calendar', type: SYNC_CONFLICT, subject: row.id, tenant: data.organizationId, data: conflict })]);
    if (winner === 'LOCAL') return;
  }
  const updated = await tx.calendarEvent.update({ where: { id: row.id }, data: { ...next, etag: item.etag, deletedAt: null, sequence: { increment: 1 } } });
  await events.publish(tx, [calendarEventChanged(CalendarEvents.eventUpdated, updated)]);
}

/** Registered from server.ts: one durable consumer on the integrations topic. */
export async function subscribeIntegrationSync(events: SubgraphEvents<Tx>): Promise<void> {
  await events.subscribe('integration-sync', ['flowforge.integrations'], (event, tx) => applyProviderEvent(event, tx, events));
}
