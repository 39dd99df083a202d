import type { CalendarSyncConflictData } from '@flowforge/events';
/**
 * The outbound half of calendar sync, driven by calendar's events:
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
}
