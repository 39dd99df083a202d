/**
 * Events the integrations subgraph emits (topic flowforge.integrations, schemaversion 1; subject:
 * the connection id, so one connection's events stay in order). Candidates for packages/events' catalog.
 */
import { createEvent, type EventEnvelope } from '@flowforge/events';
import type { ProviderCalendarItem } from '../providers/google-calendar/mapping.js';

export const IntegrationEvents = {
  /** The gateway's integrationSyncStatusChanged(connectionId) subscription listens for this one. */
  syncStatusChanged: 'flowforge.integrations.sync.status_changed',
  /**
   * One fetched page of provider calendar changes (many items, split to stay under ~1 MB), consumed
   * by calendar in ONE transaction per event. Subject: the connection id (order per connection).
   */
  calendarEventsSynced: 'flowforge.integrations.calendar_events.synced',
  /** A verified inbound webhook, acknowledged and queued (processed by this subgraph's consumer). */
  webhookReceived: 'flowforge.integrations.webhook.received',
  githubActivity: 'flowforge.integrations.github.activity',
} as const;

interface ConnectionRef {
  id: string;
  organizationId: string;
  userId: string;
}

export interface SyncStatusChangedData {
  connectionId: string;
  userId: string;
  provider: string;
  status: string;
  lastSyncAt: string | null;
  error: string | null;
}

/** One changed provider item in a calendar_events.synced batch. */
export interface SyncedCalendarItem extends Omit<ProviderCalendarItem, 'cancelled'> {
  /**
   * The etag FlowForge last delivered for this item (null: first time). Calendar treats its row as
   * locally modified when the row's etag differs from it (conflict detection).
   */
  previousEtag: string | null;
}

/**
 * Subject: connectionId. Consumed by calendar: upsert `items` and soft-delete `deletedExternalIds`
 * by (organization, user, source, externalId), all in one transaction. An external id appears at
 * most once per event (in `items` or in `deletedExternalIds`).
 */
export interface CalendarEventsSyncedData {
  connectionId: string;
  userId: string;
  organizationId: string;
  provider: 'GOOGLE_CALENDAR';
  /** The calendar subgraph's event source for this provider. */
  source: 'GOOGLE' | 'MICROSOFT';
  items: SyncedCalendarItem[];
  deletedExternalIds: string[];
}

export interface WebhookReceivedData {
  provider: string;
  deliveryId: string;
  event: string;
  connectionId: string | null;
  payload: unknown;
}

export interface GithubActivityData {
  connectionId: string;
  userId: string;
  organizationId: string;
  deliveryId: string;
  kind: 'push' | 'pull_request';
  repository: string;
  /** push: branch ref; pull_request: the action (opened, closed, ...). */
  action: string | null;
  commits: number;
  pullRequest: { number: number; merged: boolean; additions: number | null; deletions: number | null } | null;
  occurredAt: string;
}

export const syncStatusChanged = (connection: ConnectionRef & { provider: string; status: string; lastSyncAt: Date | null }, error: string | null): EventEnvelope<SyncStatusChangedData> =>
  createEvent<SyncStatusChangedData>({
    domain: 'integrations',
    type: IntegrationEvents.syncStatusChanged,
    subject: connection.id,
    tenant: connection.organizationId,
    data: { connectionId: connection.id, userId: connection.userId, provider: connection.provider, status: connection.status, lastSyncAt: connection.lastSyncAt?.toISOString() ?? null, error },
  });

/** A change to deliver: the item as the provider has it now, and the etag we delivered before (null: none). */
export interface CalendarChange {
  item: ProviderCalendarItem;
  previousEtag: string | null;
}

/** Budget for one event's items (the envelope adds well under 1 KB): events stay under ~1 MB. */
export const SYNC_BATCH_MAX_BYTES = 900_000;

/**
 * The changes of one page as flowforge.integrations.calendar_events.synced events: usually one,
 * more when the serialized items would exceed `maxBytes` (split in order; none for no changes).
 * The last change per external id wins (Google lists an item once per page; be safe anyway).
 */
export function calendarEventsSynced(connection: ConnectionRef, changes: readonly CalendarChange[], maxBytes = SYNC_BATCH_MAX_BYTES): EventEnvelope<CalendarEventsSyncedData>[] {
  const latest = new Map<string, CalendarChange>();
  for (const change of changes) {
    latest.delete(change.item.externalId);
    latest.set(change.item.externalId, change);
  }
  const batches: CalendarEventsSyncedData[] = [];
  let current: CalendarEventsSyncedData | null = null;
  let bytes = 0;
  for (const { item, previousEtag } of latest.values()) {
    const { cancelled, ...fields } = item;
    const entry: SyncedCalendarItem | string = cancelled ? item.externalId : { ...fields, previousEtag };
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (!current || (bytes + size > maxBytes && bytes > 0)) {
      current = { connectionId: connection.id, userId: connection.userId, organizationId: connection.organizationId, provider: 'GOOGLE_CALENDAR', source: 'GOOGLE', items: [], deletedExternalIds: [] };
      batches.push(current);
      bytes = 0;
    }
    if (typeof entry === 'string') current.deletedExternalIds.push(entry);
    else current.items.push(entry);
    bytes += size;
  }
  return batches.map((data) => createEvent<CalendarEventsSyncedData>({
    domain: 'integrations',
    type: IntegrationEvents.calendarEventsSynced,
    subject: connection.id,
    tenant: connection.organizationId,
    data,
  }));
}

export const webhookReceived = (tenant: string, data: WebhookReceivedData): EventEnvelope<WebhookReceivedData> =>
  createEvent({ domain: 'integrations', type: IntegrationEvents.webhookReceived, subject: data.connectionId ?? data.deliveryId, tenant, data });

export const githubActivity = (data: GithubActivityData): EventEnvelope<GithubActivityData> =>
  createEvent({ domain: 'integrations', type: IntegrationEvents.githubActivity, subject: data.connectionId, tenant: data.organizationId, data });
