import { CALENDAR_EVENT_DELETED, type CalendarEventChangedData, type CalendarSyncConflictData, type CalendarSyncedField, type EventEnvelope } from '@flowforge/events';
/**
 * The outbound half of calendar sync, driven by calendar's events:
 * - flowforge.calendar.event.updated / deleted of a Google event, changed in FlowForge (not by a
 *   provider sync: `fromProviderSync` false) → PATCH of the changed fields / DELETE, with If-Match on
 *   the Google version the edit was made on (`providerEtag`). Google's answer is recorded as the
 *   item's synced etag (and `pushed_etag`), so the next inbound sync recognises our own write and
 *   does not deliver it back, and goes to calendar as a sync delivery whose previousEtag is the
 *   edit's etag (calendar adopts Google's etag for its version). `pushed_sequence` (the row's
 *   `sequence`) makes redelivered and superseded changes no-ops. 412 (Google changed meanwhile): the
 *   current Google version is fetched and delivered to calendar like an inbound sync, so calendar
 *   merges it three-way with the local edit against its base (conflicts recorded as usual; what stays
 *   of the local edit comes back as an updated event to push, If-Match on that version). A deletion
 *   that meets a remote edit keeps the Google version (the event comes back) and is recorded as a
 *   REMOTE conflict. Patching an event deleted at Google (404/410): the deletion wins there too.
 * - flowforge.calendar.focus_blocks.scheduled → each placed block becomes (or moves) a busy event in
 *   Google; cancelled blocks are deleted. Inserts use a client-chosen event id derived from the block
 *   id, so a retried insert after a timeout cannot duplicate (409 → patch instead).
 * - flowforge.calendar.event.sync_conflict → recorded in integration_conflicts (visible in GraphQL);
 *   a LOCAL winner is pushed to Google with If-Match on the remote etag it beat.
 * HTTP work runs outside database transactions; every step is idempotent (at-least-once delivery).
 */
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { calendarEventsSynced } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import type { GoogleEvent } from '../providers/google-calendar/client.js';
import type { GoogleCalendarConnector } from '../providers/google-calendar/connector.js';
import { toCalendarItem } from '../providers/google-calendar/mapping.js';
import type { ConnectorCalls } from './calls.js';
import type { Tx } from './tokens.js';

export interface FocusBlocksScheduled {
  userId: string;
  organizationId: string;
  timezone: string;
  blocks: { id: string; startsAt: string; endsAt: string; status: string }[];
  cancelled: string[];
}

export type SyncConflict = CalendarSyncConflictData;

export type PushOutcome = 'pushed' | 'deleted' | 'merged' | 'skipped' | 'failed';

const TIME_FIELDS: CalendarSyncedField[] = ['startsAt', 'endsAt', 'timezone', 'allDay', 'startDate', 'endDate'];
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The Google patch for the changed fields of a calendar event (all-day end dates are exclusive at Google). */
export function googlePatch(data: CalendarEventChangedData, fields: readonly CalendarSyncedField[]): Partial<GoogleEvent> {
  const patch: Record<string, unknown> = {};
  if (fields.includes('title')) patch.summary = data.title;
  if (fields.includes('description')) patch.description = data.description ?? null; // null clears it
  if (fields.includes('busy')) patch.transparency = data.busy ? 'opaque' : 'transparent';
  if (fields.some((f) => TIME_FIELDS.includes(f))) {
    if (data.allDay && data.startDate) {
      patch.start = { date: data.startDate, dateTime: null, timeZone: data.timezone };
      patch.end = { date: nextDate(data.endDate ?? data.startDate), dateTime: null, timeZone: data.timezone };
    } else {
      patch.start = { dateTime: data.startsAt, date: null, timeZone: data.timezone };
      patch.end = { dateTime: data.endsAt, date: null, timeZone: data.timezone };
    }
  }
  return patch as Partial<GoogleEvent>;
}

/** Google event ids: base32hex (a-v, 0-9), 5-1024 characters. A UUID's hex digits qualify. */
export const writeBackId = (blockId: string) => `ff${blockId.replaceAll('-', '').toLowerCase()}`;

export class CalendarBridge {
  constructor(
    private readonly db: PrismaClient,
    private readonly calls: ConnectorCalls,
    private readonly google: GoogleCalendarConnector,
    private readonly events: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly log: Logger,
  ) {}

  private async googleConnection(organizationId: string, userId: string) {
    return this.db.providerConnection.findFirst({ where: { organizationId, userId, provider: 'GOOGLE_CALENDAR', status: 'CONNECTED' }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
  }

  async writeFocusBlocks(data: FocusBlocksScheduled): Promise<{ written: number; deleted: number }> {
    const connection = await this.googleConnection(data.organizationId, data.userId);
    if (!connection) return { written: 0, deleted: 0 };
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'GOOGLE_CALENDAR' });
    const known = await this.db.syncedItem.findMany({ where: { connectionId: connection.id, kind: 'WRITEBACK' } });
    const byBlock = new Map(known.map((k) => [k.localId, k]));
    let written = 0;
    let deleted = 0;
    for (const block of data.blocks) {
      if (block.status === 'CANCELLED') continue;
      const previous = byBlock.get(block.id);
      const marker = `${block.startsAt}/${block.endsAt}`;
      if (previous && !previous.deleted && previous.etag?.endsWith(`|${marker}`)) continue; // unchanged
      const externalId = previous?.externalId ?? writeBackId(block.id);
      let result;
      try {
        result = await this.google.writeBack(call, { op: 'upsert', block, timeZone: data.timezone, externalId: previous && !previous.deleted ? externalId : null, etag: null, clientId: externalId });
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        if (error.status === 409 || error.action === 'NOT_FOUND') {
          // 409: an earlier attempt inserted it (the answer was lost): patch it. 404: gone there: insert.
          result = await this.google.writeBack(call, { op: 'upsert', block, timeZone: data.timezone, externalId: error.status === 409 ? externalId : null, etag: null, clientId: externalId });
        } else throw error;
      }
      if (!result) continue;
      await this.db.syncedItem.upsert({
        where: { connectionId_externalId: { connectionId: connection.id, externalId: result.id } },
        create: { connectionId: connection.id, externalId: result.id, kind: 'WRITEBACK', localId: block.id, etag: `${result.etag}|${marker}`, remoteUpdatedAt: result.updated ? new Date(result.updated) : null },
        update: { etag: `${result.etag}|${marker}`, deleted: false, localId: block.id },
      });
      written++;
    }
    for (const blockId of data.cancelled) {
      const previous = byBlock.get(blockId);
      if (!previous || previous.deleted) continue;
      try {
        await this.google.writeBack(call, { op: 'delete', externalId: previous.externalId });
      } catch (error) {
        // Already gone there (404 / 410): fine.
        if (!(error instanceof ProviderError) || (error.action !== 'NOT_FOUND' && error.action !== 'FULL_RESYNC')) throw error;
      }
      await this.db.syncedItem.update({ where: { connectionId_externalId: { connectionId: connection.id, externalId: previous.externalId } }, data: { deleted: true } });
      deleted++;
    }
    if (written || deleted) this.log({ msg: 'focus blocks written back', connectionId: connection.id, written, deleted });
    return { written, deleted };
  }

  /** Records a conflict (idempotent per calendar event + remote etag). */
  async recordConflict(tx: Tx, data: SyncConflict): Promise<void> {
    const exists = await tx.integrationConflict.findFirst({ where: { connectionId: data.connectionId, externalId: data.externalId, remoteEtag: data.remoteEtag, localEtag: data.localEtag }, select: { id: true } });
    if (exists) return;
    const connection = await tx.providerConnection.findUnique({ where: { id: data.connectionId }, select: { id: true } });
    if (!connection) return;
    await tx.integrationConflict.create({
      data: {
        organizationId: data.organizationId, userId: data.userId, connectionId: data.connectionId, externalId: data.externalId, localId: data.eventId,
        winner: data.winner, reason: data.reason, localEtag: data.localEtag, remoteEtag: data.remoteEtag,
        localUpdatedAt: new Date(data.localUpdatedAt), remoteUpdatedAt: new Date(data.remoteUpdatedAt), fields: data.fields,
      },
    });
  }

  /** A LOCAL winner goes to Google (If-Match: the remote version it beat); the result comes back as the new synced state. */
  async pushLocalWinner(data: SyncConflict): Promise<boolean> {
    if (data.winner !== 'LOCAL') return false;
    const connection = await this.db.providerConnection.findFirst({ where: { id: data.connectionId, status: 'CONNECTED' }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
    if (!connection) return false;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'GOOGLE_CALENDAR' });
    const local = data.local;
    const patch = local.allDay && local.startDate
      ? { summary: local.title, description: local.description ?? undefined, start: { date: local.startDate }, end: { date: new Date(Date.parse(`${local.endDate ?? local.startDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) }, transparency: local.busy ? 'opaque' as const : 'transparent' as const }
      : { summary: local.title, description: local.description ?? undefined, start: { dateTime: local.startsAt, timeZone: local.timezone }, end: { dateTime: local.endsAt, timeZone: local.timezone }, transparency: local.busy ? 'opaque' as const : 'transparent' as const };
    let result;
    try {
      result = await this.google.writeBack(call, { op: 'patch', externalId: data.externalId, patch, ifMatch: data.remoteEtag });
    } catch (error) {
      // 412: Google changed again since; the next sync brings that change and decides anew.
      if (error instanceof ProviderError && (error.status === 412 || error.action === 'NOT_FOUND')) return false;
      throw error;
    }
    if (!result) return false;
    const item = toCalendarItem(result);
    await this.events.transaction(async (tx) => {
      await tx.syncedItem.upsert({
        where: { connectionId_externalId: { connectionId: connection.id, externalId: item.externalId } },
        create: { connectionId: connection.id, externalId: item.externalId, kind: 'INBOUND', etag: item.etag, remoteUpdatedAt: new Date(item.updatedAt) },
        update: { etag: item.etag, remoteUpdatedAt: new Date(item.updatedAt), deleted: false },
      });
      // previousEtag = the local etag: calendar adopts Google's etag for its (unchanged) local version.
      await this.events.publish(tx, calendarEventsSynced(connection, [{ item, previousEtag: data.localEtag }]));
    });
    return true;
  }

  /**
   * A local change of a Google event (calendar.event.updated / deleted) goes to Google. Idempotent:
   * changes already pushed (by `sequence`), provider-sync changes and local events are skipped.
   */
  async pushLocalChange(event: EventEnvelope): Promise<PushOutcome> {
    const data = event.data as Partial<CalendarEventChangedData>;
    if (data.fromProviderSync !== false || data.source !== 'GOOGLE' || !data.externalId || !data.connectionId || !data.eventId) return 'skipped';
    const change = data as CalendarEventChangedData & { externalId: string; connectionId: string };
    const deleted = event.type === CALENDAR_EVENT_DELETED || change.deleted;
    const connection = await this.db.providerConnection.findFirst({ where: { id: change.connectionId, organizationId: change.organizationId, userId: change.userId, provider: 'GOOGLE_CALENDAR', status: 'CONNECTED' }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
    if (!connection) return 'skipped';
    const key = { connectionId_externalId: { connectionId: connection.id, externalId: change.externalId } };
    const known = await this.db.syncedItem.findUnique({ where: key });
    if (!known || known.kind !== 'INBOUND') return 'skipped'; // never delivered from Google
    const sequence = typeof change.sequence === 'number' ? change.sequence : null;
    if (sequence !== null && known.pushedSequence !== null && sequence <= known.pushedSequence) return 'skipped'; // redelivered or superseded
    if (known.deleted) return 'skipped'; // gone at Google (or already deleted by us)
    // If-Match: the Google version the edit was made on; when Google's latest version is our own push, that one (the edit builds on it).
    const ifMatch = known.pushedEtag && known.etag === known.pushedEtag ? known.etag : (change.providerEtag ?? known.etag);
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'GOOGLE_CALENDAR' });
    const log = { connectionId: connection.id, eventId: change.eventId, externalId: change.externalId };
    const gone = (error: unknown) => error instanceof ProviderError && (error.action === 'NOT_FOUND' || error.action === 'FULL_RESYNC');
    const giveUp = (error: unknown) => error instanceof ProviderError && error.action === 'GIVE_UP' && error.status !== 412;

    if (deleted) {
      try {
        await this.google.writeBack(call, { op: 'delete', externalId: change.externalId, ifMatch });
      } catch (error) {
        if (error instanceof ProviderError && error.status === 412) return this.remoteChanged(call, connection, change, event, known.etag, sequence, true);
        if (giveUp(error)) {
          this.log({ level: 'warn', msg: 'local deletion not pushed to Google', ...log, error: (error as Error).message });
          return 'failed';
        }
        if (!gone(error)) throw error; // 404 / 410: already gone there
      }
      await this.db.syncedItem.update({ where: key, data: { deleted: true, pushedSequence: sequence } });
      this.log({ msg: 'local deletion pushed to Google', ...log });
      return 'deleted';
    }

    const fields = change.changedFields ?? [];
    const patch = googlePatch(change, fields);
    if (Object.keys(patch).length === 0) return 'skipped';
    let result: GoogleEvent | null;
    try {
      result = await this.google.writeBack(call, { op: 'patch', externalId: change.externalId, patch, ifMatch });
    } catch (error) {
      if (error instanceof ProviderError && error.status === 412) return this.remoteChanged(call, connection, change, event, known.etag, sequence, false);
      if (gone(error)) {
        // Deleted at Google meanwhile: the provider's deletion wins (as for an inbound deletion).
        await this.events.transaction(async (tx) => {
          await tx.syncedItem.update({ where: key, data: { deleted: true, pushedSequence: sequence } });
          await this.events.publish(tx, calendarEventsSynced(connection, [{ item: { ...toCalendarItem({ id: change.externalId, etag: `${known.etag ?? ''}:gone`, status: 'cancelled' }), cancelled: true }, previousEtag: known.etag }]));
        });
        return 'deleted';
      }
      if (giveUp(error)) {
        this.log({ level: 'warn', msg: 'local edit not pushed to Google', ...log, error: (error as Error).message });
        return 'failed';
      }
      throw error;
    }
    if (!result) return 'skipped';
    const item = toCalendarItem(result);
    await this.events.transaction(async (tx) => {
      await tx.syncedItem.update({ where: key, data: { etag: item.etag, remoteUpdatedAt: new Date(item.updatedAt), remoteEndsAt: new Date(item.endsAt), deleted: false, pushedSequence: sequence, pushedEtag: item.etag } });
      // previousEtag = the edit's etag: calendar adopts Google's etag (and this version as its base) unless edited again since.
      await this.events.publish(tx, calendarEventsSynced(connection, [{ item, previousEtag: change.etag }]));
    });
    this.log({ msg: 'local edit pushed to Google', ...log, fields });
    return 'pushed';
  }

  /**
   * 412: Google's version changed since the edit's base. Fetch it and deliver it to calendar as a sync
   * would (previousEtag: the version calendar last received), so calendar's three-way merge decides
   * (and publishes what remains to push). A deletion meeting a remote edit keeps the remote version.
   */
  private async remoteChanged(call: ReturnType<ConnectorCalls['call']>, connection: { id: string; userId: string; organizationId: string }, change: CalendarEventChangedData & { externalId: string }, event: EventEnvelope, lastDelivered: string | null, sequence: number | null, deletion: boolean): Promise<PushOutcome> {
    let remote: GoogleEvent;
    try {
      remote = await this.google.fetchEvent(call, change.externalId);
    } catch (error) {
      if (!(error instanceof ProviderError) || (error.action !== 'NOT_FOUND' && error.action !== 'FULL_RESYNC')) throw error;
      remote = { id: change.externalId, etag: `${lastDelivered ?? ''}:gone`, status: 'cancelled' };
    }
    const item = toCalendarItem(remote);
    const key = { connectionId_externalId: { connectionId: connection.id, externalId: change.externalId } };
    await this.events.transaction(async (tx) => {
      await tx.syncedItem.update({
        where: key,
        data: { etag: item.etag, remoteUpdatedAt: new Date(item.updatedAt), deleted: item.cancelled, ...(!item.cancelled && { remoteEndsAt: new Date(item.endsAt) }), ...(deletion && { pushedSequence: sequence }) },
      });
      // Delivered once per etag (a sync that already delivered this version made calendar merge it).
      if (lastDelivered !== item.etag) await this.events.publish(tx, calendarEventsSynced(connection, [{ item, previousEtag: lastDelivered }]));
      if (deletion && !item.cancelled) {
        await this.recordConflict(tx, {
          connectionId: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalId: change.externalId, eventId: change.eventId, winner: 'REMOTE',
          reason: 'Deleted in FlowForge while the event changed in Google Calendar; the Google version is kept.',
          localEtag: change.etag, remoteEtag: item.etag, localUpdatedAt: event.time, remoteUpdatedAt: item.updatedAt, fields: ['deleted'],
          local: { title: change.title, description: change.description ?? null, startsAt: change.startsAt, endsAt: change.endsAt, timezone: change.timezone, allDay: change.allDay, startDate: change.startDate ?? null, endDate: change.endDate ?? null, busy: change.busy },
        });
      }
    });
    this.log({ level: 'warn', msg: 'Google event changed since the local edit (412): merging', connectionId: connection.id, eventId: change.eventId, externalId: change.externalId, deletion });
    return 'merged';
  }
}
