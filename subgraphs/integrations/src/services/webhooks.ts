/**
 * Inbound webhooks: the connector verifies (signature or channel token, before parsing); a verified
 * delivery is recorded in webhook_receipts (dedupe: provider retries and replays of the same
 * delivery id change nothing) together with a flowforge.integrations.webhook.received event in ONE
 * transaction, and acknowledged at once. The work happens in process() from the event backbone.
 */
import type { EventEnvelope } from '@flowforge/events';
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { githubActivity, webhookReceived, type WebhookReceivedData } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { GithubPayload } from '../providers/github/connector.js';
import type { Connector, ProviderName, RawWebhookRequest, WebhookLookup } from '../providers/types.js';
import type { SyncEngine } from './sync.js';
import type { Tx } from './tokens.js';

/** contentType set: `body` is a string sent as is (Graph's validation handshake); otherwise JSON. */
export type WebhookAnswer = { status: number; body: unknown; contentType?: string };

export class WebhookService {
  constructor(
    private readonly db: PrismaClient,
    private readonly connectors: (provider: ProviderName) => Connector | null,
    private readonly events: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly engine: SyncEngine,
    private readonly log: Logger,
    /** Handlers of verified Microsoft Graph presence change and lifecycle notifications (services/teams-presence.ts) and Jira issue events (services/jira-tasks.ts). */
    private readonly handlers: { teams?: (connectionId: string, payload: unknown) => Promise<void>; jira?: (event: string, payload: unknown) => Promise<void> } = {},
  ) {}

  readonly lookup: WebhookLookup = {
    channel: async (channelId) => {
      const row = await this.db.providerConnection.findUnique({ where: { channelId }, select: { id: true, channelTokenHash: true, channelResourceId: true } });
      return row ? { connectionId: row.id, tokenHash: row.channelTokenHash, resourceId: row.channelResourceId } : null;
    },
  };

  async receive(provider: ProviderName, request: RawWebhookRequest): Promise<WebhookAnswer> {
    const connector = this.connectors(provider);
    if (!connector?.handleWebhook) return { status: 404, body: { error: `No webhooks for ${provider}.` } };
    const verdict = await connector.handleWebhook(request, this.lookup);
    if (verdict.kind === 'rejected') {
      this.log({ level: 'warn', msg: 'webhook rejected', provider, status: verdict.status, reason: verdict.reason });
      return { status: verdict.status, body: { error: verdict.reason } };
    }
    if (verdict.kind === 'respond' && verdict.note) this.log({ msg: 'webhook ignored', provider, reason: verdict.note });
    if (verdict.kind === 'respond') return { status: verdict.status, body: verdict.body, ...(verdict.contentType ? { contentType: verdict.contentType } : {}) };
    let tenant: string = provider;
    if (verdict.connectionId) {
      const connection = await this.db.providerConnection.findUnique({ where: { id: verdict.connectionId }, select: { organizationId: true } });
      if (connection) tenant = connection.organizationId;
    }
    const fresh = await this.events.transaction(async (tx) => {
      const inserted = await tx.$executeRawUnsafe(`insert into webhook_receipts (provider, delivery_id) values ($1::"Provider", $2) on conflict do nothing`, provider, verdict.deliveryId);
      if (inserted === 0) return false;
      await this.events.publish(tx, [webhookReceived(tenant, { provider, deliveryId: verdict.deliveryId, event: verdict.event, connectionId: verdict.connectionId ?? null, payload: verdict.payload })]);
      return true;
    });
    return { status: verdict.status ?? 200, body: fresh ? { ok: true } : { ok: true, duplicate: true } };
  }

  /** The queued work of a verified delivery (at-least-once; each effect is idempotent). */
  async process(event: EventEnvelope): Promise<void> {
    const data = event.data as WebhookReceivedData;
    if (data.provider === 'GOOGLE_CALENDAR' && data.connectionId) {
      // A push says "something changed": run an incremental sync now (coalesced per connection).
      await this.engine.sync(data.connectionId, 'push');
      return;
    }
    if (data.provider === 'MICROSOFT_TEAMS' && data.connectionId) {
      await this.handlers.teams?.(data.connectionId, data.payload);
      return;
    }
    if (data.provider === 'JIRA') {
      await this.handlers.jira?.(data.event, data.payload);
      return;
    }
    if (data.provider === 'GITHUB') {
      await this.githubActivity(data);
      return;
    }
    if (data.provider === 'SLACK') this.log({ level: 'debug', msg: 'slack event received', event: data.event, deliveryId: data.deliveryId });
  }

  private async githubActivity(data: WebhookReceivedData): Promise<void> {
    const payload = data.payload as GithubPayload;
    const login = data.event === 'pull_request' ? (payload.pull_request?.user?.login ?? payload.sender?.login) : payload.sender?.login;
    if (!login) return;
    const connections = await this.db.providerConnection.findMany({ where: { provider: 'GITHUB', externalAccountId: login, status: 'CONNECTED' }, select: { id: true, userId: true, organizationId: true } });
    if (connections.length === 0) return;
    const occurredAt = (data.event === 'push' ? payload.head_commit?.timestamp : payload.pull_request?.updated_at) ?? new Date().toISOString();
    await this.events.transaction(async (tx) => {
      await this.events.publish(tx, connections.map((c) => githubActivity({
        connectionId: c.id, userId: c.userId, organizationId: c.organizationId, deliveryId: data.deliveryId,
        kind: data.event === 'push' ? 'push' : 'pull_request',
        repository: payload.repository?.full_name ?? 'unknown',
        action: data.event === 'push' ? (payload.ref ?? null) : (payload.action ?? null),
        commits: data.event === 'push' ? (payload.commits?.length ?? 0) : 0,
        pullRequest: data.event === 'pull_request' && payload.pull_request ? { number: payload.pull_request.number ?? 0, merged: Boolean(payload.pull_request.merged), additions: payload.pull_request.additions ?? null, deletions: payload.pull_request.deletions ?? null } : null,
        occurredAt,
      })));
    });
  }
}
