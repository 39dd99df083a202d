/**
 * The sync engine for calendar providers: one run at a time per connection (pushes arriving during
 * a run coalesce into one follow-up run), full sync bounded by timeMin, then incremental with the
 * stored cursor; a 410 clears the cursor and runs a full resync (which also notices items deleted
 * while the cursor was stale). Delta tracking in integration_synced_items: an item whose etag we
 * already delivered is not delivered again, so retried pages and resyncs produce no duplicates.
 * Each page commits its item states and its changes (outbox) together, as ONE
 * flowforge.integrations.calendar_events.synced event (split only to stay under ~1 MB), which
 * calendar applies in one transaction; the cursor is stored with the last page. Every run is a row
 * in integration_sync_logs.
 */
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { calendarEventsSynced, syncStatusChanged } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import type { GoogleEvent } from '../providers/google-calendar/client.js';
import { isOwnWriteBack, toCalendarItem, type ProviderCalendarItem } from '../providers/google-calendar/mapping.js';
import type { Connector, ConnectorCall, ProviderName, SyncBatch } from '../providers/types.js';
import type { ConnectorCalls } from './calls.js';
import type { Tx } from './tokens.js';

export type SyncTrigger = 'initial' | 'push' | 'poll' | 'manual' | 'resync';

export interface SyncOutcome {
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  mode: 'full' | 'incremental';
  itemsSynced: number;
  pages: number;
  fullResync: boolean;
  durationMs: number;
  error: string | null;
}

const errorText = (error: unknown) => (error instanceof ProviderError ? `${error.action}: ${error.message}` : error instanceof Error ? error.message : String(error)).slice(0, 1000);

export class SyncEngine {
  private readonly running = new Map<string, Promise<SyncOutcome>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly db: PrismaClient,
    private readonly calls: ConnectorCalls,
    private readonly connectors: (provider: ProviderName) => Connector | null,
    private readonly events: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly log: Logger,
  ) {}

  /** Runs (or joins) a sync of the connection; a request during a run schedules exactly one more. */
  sync(connectionId: string, trigger: SyncTrigger = 'manual'): Promise<SyncOutcome> {
    const current = this.running.get(connectionId);
    if (current) {
      this.again.add(connectionId);
      return current;
    }
    const run = (async () => {
      let outcome: SyncOutcome;
      do {
        this.again.delete(connectionId);
        outcome = await this.runOnce(connectionId, trigger);
      } while (this.again.has(connectionId));
      return outcome;
    })();
    this.running.set(connectionId, run);
    return run.finally(() => this.running.delete(connectionId));
  }

  /** Resolves when no sync is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  private async runOnce(connectionId: string, trigger: SyncTrigger): Promise<SyncOutcome> {
    const started = Date.now();
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
    const connector = connection ? this.connectors(connection.provider) : null;
    if (!connection || connection.status !== 'CONNECTED' || !connector?.fullSync || !connector.incrementalSync) {
      return { status: 'SKIPPED', mode: 'full', itemsSynced: 0, pages: 0, fullResync: false, durationMs: 0, error: null };
    }
    const log = await this.db.integrationSyncLog.create({ data: { organizationId: connection.organizationId, userId: connection.userId, connectionId, status: 'RUNNING' } });
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: connection.provider });
    let mode: SyncOutcome['mode'] = connection.syncCursor ? 'incremental' : 'full';
    let fullResync = false;
    const counters = { items: 0, pages: 0 };
    let error: unknown = null;
    try {
      await this.calls.withRefresh(call, async () => {
        if (mode === 'incremental') {
          try {
            await this.consume(call, connector.incrementalSync!(call, connection.syncCursor!), counters, null);
            return;
          } catch (failure) {
            if (!(failure instanceof ProviderError) || failure.action !== 'FULL_RESYNC') throw failure;
            // 410 Gone: the sync token is invalid. Clear it and start over with a full sync.
            this.log({ level: 'warn', msg: 'sync token expired: full resync', connectionId, provider: connection.provider });
            await this.db.providerConnection.update({ where: { id: connectionId }, data: { syncCursor: null } });
            mode = 'full';
            fullResync = true;
          }
        }
        const seen = new Set<string>();
        const window = await this.consume(call, connector.fullSync!(call), counters, seen);
        if (fullResync) counters.items += await this.deleteUnseen(connection, seen, window);
      });
    } catch (failure) {
      error = failure;
    }
    const durationMs = Date.now() - started;
    const status = error ? 'FAILED' : 'SUCCEEDED';
    const message = error ? errorText(error) : null;
    const reauth = error instanceof ProviderError && error.action === 'REAUTH';
    await this.events.transaction(async (tx) => {
      await tx.integrationSyncLog.update({ where: { id: log.id }, data: { status, itemsSynced: counters.items, durationMs, error: message } });
      if (reauth) return; // the token store already marked it NEEDS_REAUTH and told the user
      const row = await tx.providerConnection.update({ where: { id: connectionId }, data: error ? { lastError: message } : { lastSyncAt: new Date(), lastError: null } });
      await this.events.publish(tx, [syncStatusChanged(row, message)]);
    });
    this.log({ level: error ? 'warn' : 'info', msg: 'sync finished', connectionId, provider: connection.provider, trigger, mode, fullResync, status, itemsSynced: counters.items, pages: counters.pages, durationMs, ...(message ? { error: message } : {}) });
    return { status, mode, itemsSynced: counters.items, pages: counters.pages, fullResync, durationMs, error: message };
  }


  /** Applies every page; returns the listing's time bound (the latest `listsEndingAfter` of its pages), if it had one. */
  private async consume(call: ConnectorCall, pages: AsyncIterable<SyncBatch<unknown>>, counters: { items: number; pages: number }, seen: Set<string> | null): Promise<Date | null> {
    let listsEndingAfter: Date | null = null;
    for await (const page of pages) {
      counters.pages++;
      if (page.listsEndingAfter && (!listsEndingAfter || Date.parse(page.listsEndingAfter) > listsEndingAfter.getTime())) listsEndingAfter = new Date(page.listsEndingAfter);
      const items = (page.items as GoogleEvent[]).filter((event) => !isOwnWriteBack(event)).map((event) => toCalendarItem(event));
      for (const item of items) seen?.add(item.externalId);
      counters.items += await this.applyPage(call.connection, items, page.cursor);
    }
    return listsEndingAfter;
  }

  /** Delivers the page's new or changed items (etag differs from what we delivered) and, on the last page, stores the cursor. */
  private async applyPage(connection: ConnectorCall['connection'], items: ProviderCalendarItem[], cursor: string | null): Promise<number> {
    return this.events.transaction(async (tx) => {
      const known = items.length === 0 ? [] : await tx.syncedItem.findMany({ where: { connectionId: connection.id, externalId: { in: items.map((i) => i.externalId) } }, select: { externalId: true, etag: true, deleted: true } });
      const byId = new Map(known.map((k) => [k.externalId, k]));
      const changed = items.filter((item) => {
        const previous = byId.get(item.externalId);
        if (!previous) return !item.cancelled; // a cancellation of something we never delivered: nothing to do
        return previous.etag !== item.etag && !(previous.deleted && item.cancelled);
      });
      // Last state per external id within the page (Google lists each item once, but be safe).
      const latest = new Map(changed.map((item) => [item.externalId, item]));
      if (latest.size > 0) {
        const values: unknown[] = [];
        const rows = [...latest.values()].map((item) => {
          values.push(connection.id, item.externalId, item.etag, new Date(item.updatedAt), item.cancelled ? null : new Date(item.endsAt), item.cancelled);
          const n = values.length;
          return `($${n - 5}::uuid, $${n - 4}, 'INBOUND', $${n - 3}, $${n - 2}::timestamptz, $${n - 1}::timestamptz, $${n}, now())`;
        });
        await tx.$executeRawUnsafe(
          `insert into integration_synced_items (connection_id, external_id, kind, etag, remote_updated_at, remote_ends_at, deleted, updated_at) values ${rows.join(', ')}
           on conflict (connection_id, external_id) do update set etag = excluded.etag, remote_updated_at = excluded.remote_updated_at,
             remote_ends_at = coalesce(excluded.remote_ends_at, integration_synced_items.remote_ends_at), deleted = excluded.deleted, updated_at = now()`,
          ...values,
        );
        await this.events.publish(tx, calendarEventsSynced(connection, [...latest.values()].map((item) => ({ item, previousEtag: byId.get(item.externalId)?.etag ?? null }))));
      }
      if (cursor) await tx.providerConnection.update({ where: { id: connection.id }, data: { syncCursor: cursor } });
      return latest.size;
    }, { timeout: 60_000 });
  }

  /**
   * After a full resync: items we delivered that the provider no longer lists were deleted meanwhile.
   * A listing bounded in time (`listsEndingAfter`) says nothing about items ending before its bound,
   * so only items known to end after it (with a day's margin for all-day items) are judged; older
   * ones, and rows from before end times were recorded, are kept.
   */
  private async deleteUnseen(connection: { id: string; userId: string; organizationId: string }, seen: Set<string>, listsEndingAfter: Date | null): Promise<number> {
    const judged = listsEndingAfter ? { remoteEndsAt: { gt: new Date(listsEndingAfter.getTime() + 86_400_000) } } : {};
    const live = await this.db.syncedItem.findMany({ where: { connectionId: connection.id, kind: 'INBOUND', deleted: false, ...judged }, select: { externalId: true, etag: true, remoteUpdatedAt: true } });
    const gone = live.filter((item) => !seen.has(item.externalId));
    if (gone.length === 0) return 0;
    await this.events.transaction(async (tx) => {
      await tx.syncedItem.updateMany({ where: { connectionId: connection.id, externalId: { in: gone.map((g) => g.externalId) } }, data: { deleted: true } });
      await this.events.publish(tx, calendarEventsSynced(connection, gone.map((item) => ({
        item: {
          externalId: item.externalId, etag: `${item.etag ?? ''}:gone`, updatedAt: new Date().toISOString(), cancelled: true, title: '', description: null,
          startsAt: new Date(0).toISOString(), endsAt: new Date(0).toISOString(), timezone: 'UTC', allDay: false, startDate: null, endDate: null, busy: false,
        },
        previousEtag: item.etag,
      }))));
    });
    return gone.length;
  }
}
