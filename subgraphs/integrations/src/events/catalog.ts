/**
 * Events the integrations subgraph emits (topic flowforge.integrations, schemaversion 1; subject:
 * the connection id, so one connection's events stay in order). Their types and data shapes are in
 * packages/events' catalog, shared with their consumers.
 */
import { createEvent, IntegrationsEvents, type CalendarEventsSyncedData, type CalendarSyncItem, type EventEnvelope, type GithubActivityData, type SyncStatusChangedData, type WebhookReceivedData } from '@flowforge/events';

export { IntegrationsEvents, type CalendarEventsSyncedData, type CalendarSyncItem, type GithubActivityData, type SyncStatusChangedData, type WebhookReceivedData } from '@flowforge/events';
import type { ProviderCalendarItem } from '../providers/google-calendar/mapping.js';

interface ConnectionRef {
  id: string;
  organizationId: string;
  userId: string;
}

export const syncStatusChanged = (connection: ConnectionRef & { provider: string; status: string; lastSyncAt: Date | null }, error: string | null): EventEnvelope<SyncStatusChangedData> =>
  createEvent<SyncStatusChangedData>({
    domain: 'integrations',
    type: IntegrationsEvents.syncStatusChanged,
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
    const entry: CalendarSyncItem | string = cancelled ? item.externalId : { ...fields, previousEtag };
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
    type: IntegrationsEvents.calendarEventsSynced,
    subject: connection.id,
    tenant: connection.organizationId,
    data,
  }));
}

export const webhookReceived = (tenant: string, data: WebhookReceivedData): EventEnvelope<WebhookReceivedData> =>
  createEvent({ domain: 'integrations', type: IntegrationsEvents.webhookReceived, subject: data.connectionId ?? data.deliveryId, tenant, data });

export const githubActivity = (data: GithubActivityData): EventEnvelope<GithubActivityData> =>
  createEvent({ domain: 'integrations', type: IntegrationsEvents.githubActivity, subject: data.connectionId, tenant: data.organizationId, data });
