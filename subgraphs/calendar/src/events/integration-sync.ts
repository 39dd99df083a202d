/**
 * Provider changes from the integrations subgraph become calendar events (two-way sync, inbound side).
 * flowforge.integrations.calendar_events.synced carries one fetched page of a connection: `items` to
 * upsert and `deletedExternalIds` to soft-delete, by (organization, user, source, externalId), in the
 * user's provider calendar (created on first use). A whole batch is applied in ONE transaction (the
 * consumer's consumeOnce) with set-based statements: one query loads the existing rows, new rows go
 * in with createManyAndReturn, changed rows with one UPDATE ... FROM (VALUES ...), deletions with one
 * updateManyAndReturn, and every resulting calendar event goes to the outbox in one insert.
 *
 * Conflicts: integrations sends, per item, the etag it delivered last (`previousEtag`). A row whose
 * etag differs from it was edited here since (local edits give a new etag). Then both sides changed:
 * the later change wins (our row's updatedAt vs the provider's `updated`), a tie goes to the
 * provider, and the outcome is published as flowforge.calendar.event.sync_conflict (integrations
 * records it, and pushes a LOCAL winner back to the provider). Same etag as the row: already applied
 * (redelivery), skipped; a deletion of a row already deleted: skipped. So re-applying a batch changes
 * nothing. A provider deletion wins over local edits (the item no longer exists there).
 */
import { CALENDAR_SYNC_CONFLICT, createEvent, IntegrationsEvents, type CalendarEventsSyncedData, type CalendarSyncConflictData, type CalendarSyncItem, type EventEnvelope } from '@flowforge/events';
import type { SubgraphEvents } from '@flowforge/runtime';
import { isValidTimeZone } from '@flowforge/time';
import { randomUUID } from 'node:crypto';
import type { Tx } from '../data/db.js';
import type { CalendarEventRow } from '../data/events.js';
import { calendarEventChanged, CalendarEvents } from './catalog.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rows per statement (bind parameters stay far below Postgres' 65,535). */
const CHUNK = 500;

const newEtag = () => randomUUID().replaceAll('-', '');

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function validBatch(data: Partial<CalendarEventsSyncedData>): data is CalendarEventsSyncedData {
  return typeof data.connectionId === 'string' && typeof data.userId === 'string' && UUID.test(data.userId) && typeof data.organizationId === 'string' && UUID.test(data.organizationId)
    && (data.source === 'GOOGLE' || data.source === 'MICROSOFT') && Array.isArray(data.items) && Array.isArray(data.deletedExternalIds);
}

function validItem(item: Partial<CalendarSyncItem> | null | undefined): item is CalendarSyncItem {
  return !!item && typeof item.externalId === 'string' && item.externalId.length > 0 && typeof item.etag === 'string'
    && !Number.isNaN(Date.parse(item.startsAt ?? '')) && !Number.isNaN(Date.parse(item.endsAt ?? ''));
}

/** isValidTimeZone builds an Intl.DateTimeFormat per call; a batch repeats a handful of zones. */
const zoneChecks = new Map<string, boolean>();
function knownZone(tz: unknown): tz is string {
  if (typeof tz !== 'string') return false;
  let ok = zoneChecks.get(tz);
  if (ok === undefined) {
    ok = isValidTimeZone(tz);
    if (zoneChecks.size < 1_000) zoneChecks.set(tz, ok);
  }
  return ok;
}

function fieldsOf(item: CalendarSyncItem) {
  const startsAt = new Date(item.startsAt);
  const endsAt = new Date(Math.max(Date.parse(item.endsAt), startsAt.getTime() + 60_000));
  return {
    title: (item.title || '(no title)').slice(0, 200),
    description: item.description?.slice(0, 5000) ?? null,
    startsAt,
    endsAt,
    timezone: knownZone(item.timezone) ? item.timezone : 'UTC',
    allDay: Boolean(item.allDay),
    startDate: item.allDay ? item.startDate : null,
    endDate: item.allDay ? item.endDate : null,
    busy: Boolean(item.busy),
  };
}

type Fields = ReturnType<typeof fieldsOf>;

function changedFields(row: CalendarEventRow, next: Fields): string[] {
  const fields: string[] = [];
  if (row.title !== next.title) fields.push('title');
  if ((row.description ?? null) !== next.description) fields.push('description');
  if (row.startsAt.getTime() !== next.startsAt.getTime()) fields.push('startsAt');
  if (row.endsAt.getTime() !== next.endsAt.getTime()) fields.push('endsAt');
  if (row.busy !== next.busy) fields.push('busy');
  if (row.allDay !== next.allDay) fields.push('allDay');
  return fields;
}

async function providerCalendar(tx: Tx, data: CalendarEventsSyncedData): Promise<string> {
  const externalId = `${data.source.toLowerCase()}:${data.connectionId}`;
  const existing = await tx.calendar.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, source: data.source, externalId, deletedAt: null }, select: { id: true } });
  if (existing) return existing.id;
  const created = await tx.calendar.create({ data: { organizationId: data.organizationId, userId: data.userId, source: data.source, externalId, name: data.source === 'GOOGLE' ? 'Google Calendar' : 'Outlook Calendar', color: '#0b8043' } });
  return created.id;
}

function conflictOf(data: CalendarEventsSyncedData, row: CalendarEventRow, item: CalendarSyncItem, next: Fields): CalendarSyncConflictData {
  const localAt = row.updatedAt.getTime();
  const remoteAt = Date.parse(item.updatedAt);
  const winner: 'LOCAL' | 'REMOTE' = localAt > remoteAt ? 'LOCAL' : 'REMOTE';
  return {
    connectionId: data.connectionId, userId: data.userId, organizationId: data.organizationId, externalId: item.externalId, eventId: row.id, winner,
    reason: winner === 'LOCAL' ? 'Both sides changed the event; the FlowForge edit is newer.' : localAt === remoteAt ? 'Both sides changed the event at the same time; the provider wins ties.' : 'Both sides changed the event; the provider edit is newer.',
    localEtag: row.etag, remoteEtag: item.etag, localUpdatedAt: row.updatedAt.toISOString(), remoteUpdatedAt: new Date(Number.isNaN(remoteAt) ? 0 : remoteAt).toISOString(), fields: changedFields(row, next),
    local: { title: row.title, description: row.description, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), timezone: row.timezone, allDay: row.allDay, startDate: row.startDate, endDate: row.endDate, busy: row.busy },
  };
}

/** Changed rows in one statement per chunk: UPDATE ... FROM (VALUES ...), then the rows as they are now. */
async function updateRows(tx: Tx, updates: { id: string; etag: string; next: Fields }[]): Promise<CalendarEventRow[]> {
  const ids: string[] = [];
  const now = new Date().toISOString();
  for (const chunk of chunks(updates)) {
    const values: unknown[] = [now];
    const rows = chunk.map(({ id, etag, next }) => {
      values.push(id, next.title, next.description, next.startsAt.toISOString(), next.endsAt.toISOString(), next.timezone, next.allDay, next.startDate, next.endDate, next.busy, etag);
      const n = values.length;
      return `($${n - 10}::uuid, $${n - 9}::text, $${n - 8}::text, $${n - 7}::timestamptz, $${n - 6}::timestamptz, $${n - 5}::text, $${n - 4}::boolean, $${n - 3}::text, $${n - 2}::text, $${n - 1}::boolean, $${n}::text)`;
    });
    await tx.$executeRawUnsafe(
      `update calendar_events as c set title = v.title, description = v.description, starts_at = v.starts_at, ends_at = v.ends_at, timezone = v.timezone,
         all_day = v.all_day, start_date = v.start_date, end_date = v.end_date, busy = v.busy, etag = v.etag, deleted_at = null, sequence = c.sequence + 1, updated_at = $1::timestamptz
       from (values ${rows.join(', ')}) as v(id, title, description, starts_at, ends_at, timezone, all_day, start_date, end_date, busy, etag)
       where c.id = v.id`,
      ...values,
    );
    ids.push(...chunk.map((u) => u.id));
  }
  const rows: CalendarEventRow[] = [];
  for (const chunk of chunks(ids)) rows.push(...await tx.calendarEvent.findMany({ where: { id: { in: chunk } } }));
  return rows;
}

export interface SyncBatchResult {
  created: number;
  updated: number;
  deleted: number;
  conflicts: number;
  /** Already applied (same etag, or already deleted), or a deletion of something never imported. */
  unchanged: number;
}

const EMPTY: SyncBatchResult = { created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 0 };

/** Applies one calendar_events.synced batch inside the caller's transaction (the consumer's consumeOnce). */
export async function applySyncBatch(event: EventEnvelope, tx: Tx, events: Pick<SubgraphEvents<Tx>, 'publish'>): Promise<SyncBatchResult> {
  if (event.type !== IntegrationsEvents.calendarEventsSynced) return EMPTY;
  const data = event.data as Partial<CalendarEventsSyncedData>;
  if (!validBatch(data)) return EMPTY;
  // The last word per external id (integrations sends each at most once per batch).
  const ops = new Map<string, CalendarSyncItem | null>();
  for (const item of data.items) if (validItem(item)) ops.set(item.externalId, item);
  for (const externalId of data.deletedExternalIds) if (typeof externalId === 'string' && externalId) ops.set(externalId, null);
  if (ops.size === 0) return EMPTY;

  const scope = { organizationId: data.organizationId, userId: data.userId, source: data.source };
  const existing: CalendarEventRow[] = [];
  for (const chunk of chunks([...ops.keys()], 5_000)) existing.push(...await tx.calendarEvent.findMany({ where: { ...scope, externalId: { in: chunk } } }));
  const byExternalId = new Map(existing.map((row) => [row.externalId!, row]));

  const result = { ...EMPTY };
  const creates: { item: CalendarSyncItem; next: Fields }[] = [];
  const updates: { id: string; etag: string; next: Fields }[] = [];
  const deletes: string[] = [];
  const outbox: EventEnvelope[] = [];
  for (const [externalId, item] of ops) {
    const row = byExternalId.get(externalId);
    if (item === null) {
      if (!row || row.deletedAt) result.unchanged++;
      else deletes.push(row.id);
      continue;
    }
    const next = fieldsOf(item);
    if (!row) {
      creates.push({ item, next });
      continue;
    }
    if (row.etag === item.etag) {
      result.unchanged++;
      continue;
    }
    const locallyModified = item.previousEtag !== null && row.etag !== item.previousEtag && row.deletedAt === null;
    if (locallyModified) {
      const conflict = conflictOf(data, row, item, next);
      outbox.push(createEvent<CalendarSyncConflictData>({ domain: 'calendar', type: CALENDAR_SYNC_CONFLICT, subject: row.id, tenant: data.organizationId, data: conflict }));
      result.conflicts++;
      if (conflict.winner === 'LOCAL') continue;
    }
    updates.push({ id: row.id, etag: item.etag, next });
  }

  if (creates.length > 0) {
    const calendarId = await providerCalendar(tx, data);
    for (const chunk of chunks(creates)) {
      const created = await tx.calendarEvent.createManyAndReturn({ data: chunk.map(({ item, next }) => ({ ...scope, calendarId, externalId: item.externalId, etag: item.etag, ...next })) });
      for (const row of created) outbox.push(calendarEventChanged(CalendarEvents.eventCreated, row));
      result.created += created.length;
    }
  }
  if (updates.length > 0) {
    const updated = await updateRows(tx, updates);
    for (const row of updated) outbox.push(calendarEventChanged(CalendarEvents.eventUpdated, row));
    result.updated += updated.length;
  }
  if (deletes.length > 0) {
    const etag = newEtag();
    for (const chunk of chunks(deletes)) {
      const gone = await tx.calendarEvent.updateManyAndReturn({ where: { id: { in: chunk }, deletedAt: null }, data: { deletedAt: new Date(), etag, sequence: { increment: 1 } } });
      for (const row of gone) outbox.push(calendarEventChanged(CalendarEvents.eventDeleted, row));
      result.deleted += gone.length;
    }
  }
  for (const chunk of chunks(outbox)) await events.publish(tx, chunk);
  return result;
}

/** Registered from server.ts: one durable consumer on the integrations topic. */
export async function subscribeIntegrationSync(events: SubgraphEvents<Tx>): Promise<void> {
  await events.subscribe('integration-sync', ['flowforge.integrations'], async (event, tx) => {
    await applySyncBatch(event, tx, events);
  }, { types: [IntegrationsEvents.calendarEventsSynced] });
}
