/**
 * Events the integrations subgraph emits (topic flowforge.integrations, schemaversion 1; subject:
 * the connection id, so one connection's events stay in order). Candidates for packages/events' catalog.
 */
import { createEvent, type EventEnvelope } from '@flowforge/events';
import type { ProviderCalendarItem } from '../providers/google-calendar/mapping.js';

export const IntegrationEvents = {
  /** The gateway's integrationSyncStatusChanged(connectionId) subscription listens for this one. */
  syncStatusChanged: 'flowforge.integrations.sync.status_changed',
  calendarEventUpserted: 'flowforge.integrations.calendar_event.upserted',
  calendarEventDeleted: 'flowforge.integrations.calendar_event.deleted',
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

/** Subject: connectionId. Consumed by calendar: upsert by (source, externalId). */
export interface ProviderCalendarEventData {
  connectionId: string;
  userId: string;
  organizationId: string;
  source: 'GOOGLE' | 'MICROSOFT';
  item: ProviderCalendarItem;
  /**
   * The etag FlowForge last delivered for this item (null: first time). Calendar treats its row as
   * locally modified when the row's etag differs from it (conflict detection).
   */
  previousEtag: string | null;
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

export const providerCalendarEvent = (connection: ConnectionRef, item: ProviderCalendarItem, previousEtag: string | null): EventEnvelope<ProviderCalendarEventData> =>
  createEvent<ProviderCalendarEventData>({
    domain: 'integrations',
    type: item.cancelled ? IntegrationEvents.calendarEventDeleted : IntegrationEvents.calendarEventUpserted,
    subject: connection.id,
    tenant: connection.organizationId,
    data: { connectionId: connection.id, userId: connection.userId, organizationId: connection.organizationId, source: 'GOOGLE', item, previousEtag },
  });

export const webhookReceived = (tenant: string, data: WebhookReceivedData): EventEnvelope<WebhookReceivedData> =>
  createEvent({ domain: 'integrations', type: IntegrationEvents.webhookReceived, subject: data.connectionId ?? data.deliveryId, tenant, data });

export const githubActivity = (data: GithubActivityData): EventEnvelope<GithubActivityData> =>
  createEvent({ domain: 'integrations', type: IntegrationEvents.githubActivity, subject: data.connectionId, tenant: data.organizationId, data });
