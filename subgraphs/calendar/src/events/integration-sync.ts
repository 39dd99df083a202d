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
 * etag differs from it was edited here since (local edits give a new etag). Then both sides changed,
 * and the row is merged field by field against `synced_fields`, the provider's version as last applied
 * here (written whenever a provider item is applied): per group (title, description, busy, and the
 * time fields startsAt/endsAt/timezone/allDay/startDate/endDate as ONE group so times stay consistent)
 * a change on one side only is taken from that side; a change on both sides to different values is a
 * true conflict, decided for the whole event by the deterministic rule: the later change wins (our
 * row's updatedAt vs the provider's `updated`), a tie goes to the provider. The merged result is
 * written (the provider's etag when it equals the provider's version, else a new local etag, so the
 * next delivery is merged again); only true conflicts are published as
 * flowforge.calendar.event.sync_conflict with `fields` = the conflicting groups and `local` = the
 * merged version (integrations records it, and pushes a LOCAL winner back to the provider). Rows
 * without `synced_fields` (synced before the merge existed) keep the whole-event rule. Same etag as
 * the row: already applied (redelivery), skipped; a deletion of a row already deleted: skipped. So
 * re-applying a batch changes nothing. A provider deletion wins over local edits (the item no longer
 * exists there).
 *
 * Push-back: every calendar event this publishes carries `fromProviderSync: true` (integrations never
 * pushes it back), except a merge result that still differs from the provider's version and no LOCAL
 * conflict winner pushes: that one is published with `fromProviderSync: false` and `providerEtag` = the
 * delivered etag, so integrations pushes it (If-Match). `synced_fields.etag` keeps the provider etag
 * of the base (local edits carry it as `providerEtag`).
 */
import { CALENDAR_SYNC_CONFLICT, createEvent, IntegrationsEvents, type CalendarEventsSyncedData, type CalendarSyncConflictData, type CalendarSyncItem, type EventEnvelope } from '@flowforge/events';
import type { SubgraphEvents } from '@flowforge/runtime';
import { isValidTimeZone } from '@flowforge/time';
import { randomUUID } from 'node:crypto';
import type { Tx } from '../data/db.js';
import type { CalendarEventRow } from '../data/events.js';
import { ALL_SYNCED_FIELDS, calendarEventChanged, CalendarEvents, providerEtagOf, type ProviderLink } from './catalog.js';

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

function fieldsOf(item: CalendarSyncItem) {
  const startsAt = new Date(item.startsAt);
  const endsAt = new Date(Math.max(Date.parse(item.endsAt), startsAt.getTime() + 60_000));
  return {
    title: (item.title || '(no title)').slice(0, 200),
    description: item.description?.slice(0, 5000) ?? null,
    startsAt,
    endsAt,
    timezone: isValidTimeZone(item.timezone) ? item.timezone : 'UTC',
    allDay: Boolean(item.allDay),
    startDate: item.allDay ? item.startDate : null,
    endDate: item.allDay ? item.endDate : null,
    busy: Boolean(item.busy),
  };
}

type Fields = ReturnType<typeof fieldsOf>;

/** A provider version as stored in calendar_events.synced_fields (JSON: instants as ISO strings; etag: the provider's etag of that version). */
type SyncedFields = Omit<Fields, 'startsAt' | 'endsAt'> & { startsAt: string; endsAt: string; etag?: string };

function syncedOf(next: Fields, etag: string): SyncedFields {
  return { ...next, startsAt: next.startsAt.toISOString(), endsAt: next.endsAt.toISOString(), etag };
}

function baseOf(row: CalendarEventRow): Fields | null {
  const base = row.syncedFields as Partial<SyncedFields> | null;
  if (!base || typeof base !== 'object' || typeof base.title !== 'string' || typeof base.startsAt !== 'string' || typeof base.endsAt !== 'string') return null;
  const startsAt = new Date(base.startsAt);
  const endsAt = new Date(base.endsAt);
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) return null;
  return {
    title: base.title, description: base.description ?? null, startsAt, endsAt, timezone: String(base.timezone ?? 'UTC'), allDay: Boolean(base.allDay),
    startDate: base.startDate ?? null, endDate: base.endDate ?? null, busy: Boolean(base.busy),
  };
}

/** The merge units: the time fields move together so a merged event never mixes two schedules. */
const GROUPS = {
  title: ['title'],
  description: ['description'],
  time: ['startsAt', 'endsAt', 'timezone', 'allDay', 'startDate', 'endDate'],
  busy: ['busy'],
} as const satisfies Record<string, readonly (keyof Fields)[]>;
type Group = keyof typeof GROUPS;

function sameValue(a: Fields[keyof Fields], b: Fields[keyof Fields]): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null);
}

function sameGroup(a: Fields, b: Fields, group: Group): boolean {
  return GROUPS[group].every((field) => sameValue(a[field], b[field]));
}

function sameFields(a: Fields, b: Fields): boolean {
  return (Object.keys(GROUPS) as Group[]).every((group) => sameGroup(a, b, group));
}

function localFields(row: CalendarEventRow): Fields {
  return { title: row.title, description: row.description ?? null, startsAt: row.startsAt, endsAt: row.endsAt, timezone: row.timezone, allDay: row.allDay, startDate: row.startDate, endDate: row.endDate, busy: row.busy };
}

/** Both sides' later change wins; a tie goes to the provider. */
function winnerOf(row: CalendarEventRow, item: CalendarSyncItem): 'LOCAL' | 'REMOTE' {
  return row.updatedAt.getTime() > Date.parse(item.updatedAt) ? 'LOCAL' : 'REMOTE';
}

/**
 * Three-way merge of our row (local) and the delivered item (remote) against the last applied provider
 * version (base): per group, one-sided changes are taken, both-sided different changes go to `winner`.
 */
function mergeFields(base: Fields, local: Fields, remote: Fields, winner: 'LOCAL' | 'REMOTE'): { merged: Fields; conflicts: Group[] } {
  const merged = { ...local };
  const conflicts: Group[] = [];
  for (const group of Object.keys(GROUPS) as Group[]) {
    const localChanged = !sameGroup(local, base, group);
    const remoteChanged = !sameGroup(remote, base, group);
    let take: 'LOCAL' | 'REMOTE' = 'LOCAL';
    if (remoteChanged && !localChanged) take = 'REMOTE';
    else if (remoteChanged && localChanged && !sameGroup(local, remote, group)) {
      conflicts.push(group);
      take = winner;
    }
    if (take === 'REMOTE') for (const field of GROUPS[group]) (merged as Record<keyof Fields, unknown>)[field] = remote[field];
  }
  return { merged, conflicts };
}

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

/**
 * The conflict record. `fields`: the conflicting fields (the whole-event rule: every differing field;
 * the merge: the conflicting groups). `local`: the local version after the merge and `localEtag` its
 * etag (what a LOCAL winner pushes back; the provider's answer comes back with previousEtag = it).
 */
function conflictOf(data: CalendarEventsSyncedData, row: CalendarEventRow, item: CalendarSyncItem, fields: string[], local: Fields, localEtag: string): CalendarSyncConflictData {
  const localAt = row.updatedAt.getTime();
  const remoteAt = Date.parse(item.updatedAt);
  const winner = winnerOf(row, item);
  return {
    connectionId: data.connectionId, userId: data.userId, organizationId: data.organizationId, externalId: item.externalId, eventId: row.id, winner,
    reason: winner === 'LOCAL' ? 'Both sides changed the event; the FlowForge edit is newer.' : localAt === remoteAt ? 'Both sides changed the event at the same time; the provider wins ties.' : 'Both sides changed the event; the provider edit is newer.',
    localEtag, remoteEtag: item.etag, localUpdatedAt: row.updatedAt.toISOString(), remoteUpdatedAt: new Date(Number.isNaN(remoteAt) ? 0 : remoteAt).toISOString(), fields,
    local: { title: local.title, description: local.description, startsAt: local.startsAt.toISOString(), endsAt: local.endsAt.toISOString(), timezone: local.timezone, allDay: local.allDay, startDate: local.startDate, endDate: local.endDate, busy: local.busy },
  };
}

/** Changed rows in one statement per chunk: UPDATE ... FROM (VALUES ...), then the rows as they are now. */
async function updateRows(tx: Tx, updates: { id: string; etag: string; next: Fields; synced: SyncedFields }[]): Promise<CalendarEventRow[]> {
  const ids: string[] = [];
  const now = new Date().toISOString();
  for (const chunk of chunks(updates)) {
    const values: unknown[] = [now];
    const rows = chunk.map(({ id, etag, next, synced }) => {
      values.push(id, next.title, next.description, next.startsAt.toISOString(), next.endsAt.toISOString(), next.timezone, next.allDay, next.startDate, next.endDate, next.busy, etag, JSON.stringify(synced));
      const n = values.length;
      return `($${n - 11}::uuid, $${n - 10}::text, $${n - 9}::text, $${n - 8}::timestamptz, $${n - 7}::timestamptz, $${n - 6}::text, $${n - 5}::boolean, $${n - 4}::text, $${n - 3}::text, $${n - 2}::boolean, $${n - 1}::text, $${n}::jsonb)`;
    });
    await tx.$executeRawUnsafe(
      `update calendar_events as c set title = v.title, description = v.description, starts_at = v.starts_at, ends_at = v.ends_at, timezone = v.timezone,
         all_day = v.all_day, start_date = v.start_date, end_date = v.end_date, busy = v.busy, etag = v.etag, synced_fields = v.synced_fields, deleted_at = null,
         sequence = c.sequence + 1, updated_at = $1::timestamptz
       from (values ${rows.join(', ')}) as v(id, title, description, starts_at, ends_at, timezone, all_day, start_date, end_date, busy, etag, synced_fields)
       where c.id = v.id`,
      ...values,
    );
    ids.push(...chunk.map((u) => u.id));
  }
  const rows: CalendarEventRow[] = [];
  for (const chunk of chunks(ids)) rows.push(...await tx.calendarEvent.findMany({ where: { id: { in: chunk } } }));
  return rows;
}

/**
 * Rows whose content stays as it is (the local version won every group) but whose provider base moves
 * to the delivered version: only synced_fields changes (no new etag, sequence, updated_at or event).
 */
async function updateBases(tx: Tx, bases: { id: string; synced: SyncedFields }[]): Promise<void> {
  for (const chunk of chunks(bases)) {
    const values: unknown[] = [];
    const rows = chunk.map(({ id, synced }) => {
      values.push(id, JSON.stringify(synced));
      return `($${values.length - 1}::uuid, $${values.length}::jsonb)`;
    });
    await tx.$executeRawUnsafe(`update calendar_events as c set synced_fields = v.synced_fields from (values ${rows.join(', ')}) as v(id, synced_fields) where c.id = v.id`, ...values);
  }
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
  const updates: { id: string; etag: string; next: Fields; synced: SyncedFields; push?: string }[] = [];
  // The provider's own changes are never pushed back; a merge that differs from the provider's version is (If-Match: its etag).
  const fromSync: ProviderLink = { connectionId: data.connectionId, fromProviderSync: true, changedFields: ALL_SYNCED_FIELDS };
  const push = (providerEtag: string): ProviderLink => ({ connectionId: data.connectionId, fromProviderSync: false, changedFields: ALL_SYNCED_FIELDS, providerEtag });
  const bases: { id: string; synced: SyncedFields }[] = [];
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
    const synced = syncedOf(next, item.etag);
    const locallyModified = item.previousEtag !== null && row.etag !== item.previousEtag && row.deletedAt === null;
    const conflict = (fields: string[], local: Fields, localEtag: string) => {
      outbox.push(createEvent<CalendarSyncConflictData>({ domain: 'calendar', type: CALENDAR_SYNC_CONFLICT, subject: row.id, tenant: data.organizationId, data: conflictOf(data, row, item, fields, local, localEtag) }));
      result.conflicts++;
    };
    const base = locallyModified ? baseOf(row) : null;
    if (locallyModified && !base) {
      // Synced before synced_fields existed: the whole event goes to the later change.
      const local = localFields(row);
      conflict(changedFields(row, next), local, row.etag);
      if (winnerOf(row, item) === 'LOCAL') continue;
    } else if (locallyModified && base) {
      const local = localFields(row);
      const { merged, conflicts } = mergeFields(base, local, next, winnerOf(row, item));
      if (sameFields(merged, next)) {
        // The provider's version (its changes, or both sides agree): adopt it with its etag.
        if (conflicts.length > 0) conflict(conflicts, merged, item.etag);
      } else if (sameFields(merged, local)) {
        // Our version stays as it is; only the base moves (a redelivery changes nothing at all).
        if (conflicts.length > 0) conflict(conflicts, merged, row.etag);
        else result.unchanged++;
        // A redelivered version changes nothing; a new provider version moves the base.
        const baseMoves = !sameFields(base, next) || providerEtagOf(row) !== item.etag;
        // Our unpushed edit beside a provider change that did not touch it: the provider still lacks it.
        if (conflicts.length === 0 && baseMoves) outbox.push(calendarEventChanged(CalendarEvents.eventUpdated, row, push(item.etag)));
        if (baseMoves) bases.push({ id: row.id, synced });
        continue;
      } else {
        // Both sides contribute: a new local version (new etag, still differs from the provider's).
        const etag = newEtag();
        if (conflicts.length > 0) conflict(conflicts, merged, etag);
        // A LOCAL winner is pushed by integrations from the conflict; otherwise the merge itself is pushed.
        const pushed = conflicts.length > 0 && winnerOf(row, item) === 'LOCAL';
        updates.push({ id: row.id, etag, next: merged, synced, ...(!pushed && { push: item.etag }) });
        continue;
      }
    }
    updates.push({ id: row.id, etag: item.etag, next, synced });
  }

  if (creates.length > 0) {
    const calendarId = await providerCalendar(tx, data);
    for (const chunk of chunks(creates)) {
      const created = await tx.calendarEvent.createManyAndReturn({ data: chunk.map(({ item, next }) => ({ ...scope, calendarId, externalId: item.externalId, etag: item.etag, ...next, syncedFields: syncedOf(next, item.etag) })) });
      for (const row of created) outbox.push(calendarEventChanged(CalendarEvents.eventCreated, row, fromSync));
      result.created += created.length;
    }
  }
  if (updates.length > 0) {
    const updated = await updateRows(tx, updates);
    const pushes = new Map(updates.filter((u) => u.push).map((u) => [u.id, u.push!]));
    for (const row of updated) outbox.push(calendarEventChanged(CalendarEvents.eventUpdated, row, pushes.has(row.id) ? push(pushes.get(row.id)!) : fromSync));
    result.updated += updated.length;
  }
  if (bases.length > 0) await updateBases(tx, bases);
  if (deletes.length > 0) {
    const etag = newEtag();
    for (const chunk of chunks(deletes)) {
      const gone = await tx.calendarEvent.updateManyAndReturn({ where: { id: { in: chunk }, deletedAt: null }, data: { deletedAt: new Date(), etag, sequence: { increment: 1 } } });
      for (const row of gone) outbox.push(calendarEventChanged(CalendarEvents.eventDeleted, row, fromSync));
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
