/**
 * Focus sessions → Microsoft Teams (the Slack pattern, services/slack-focus.ts): on session.started
 * set the preferred presence to Do Not Disturb for the planned minutes and a "Focusing" status
 * message; on session.ended clear the preferred presence and restore the previous message. The
 * session id (and the message to restore) is kept in provider_state, so a redelivered event is a
 * no-op. A 401 while the token looked valid refreshes once (rotating) and retries; invalid_grant marks
 * the connection NEEDS_REAUTH (token store).
 *
 * Presence change notifications: one Graph subscription per connection, kept in the push-channel
 * columns (channel_id = subscription id, channel_token_hash = SHA-256 of the clientState,
 * channel_expires_at), renewed with PATCH before expiry; a subscription Graph no longer knows is
 * created again. Notifications update provider_state.presence.
 */
import type { FocusSessionEventData } from '@flowforge/events';
import type { Logger } from '@flowforge/runtime';
import { randomBytes } from 'node:crypto';
import { webhookUrl, type IntegrationsConfig } from '../config.js';
import { sha256 } from '../crypto/token-cipher.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import { PRESENCE_SUBSCRIPTION_MAX_MS, TEAMS_FOCUS_MESSAGE, type GraphNotification, type MicrosoftTeamsConnector, type TeamsStatusMessage } from '../providers/microsoft-teams/connector.js';
import type { ConnectorCall } from '../providers/types.js';
import type { ConnectorCalls } from './calls.js';

interface TeamsState {
  focus?: { sessionId: string; previousMessage: TeamsStatusMessage | null } | null;
  presence?: { availability: string | null; activity: string | null; at: string } | null;
}

/** Renew when less than this is left (presence subscriptions last at most an hour). */
export const TEAMS_RENEW_BEFORE_MS = 20 * 60_000;
/** Requested lifetime: just under Graph's one-hour maximum for presence. */
export const TEAMS_SUBSCRIPTION_TTL_MS = PRESENCE_SUBSCRIPTION_MAX_MS - 5 * 60_000;

const omitTokens = { accessTokenCiphertext: true, refreshTokenCiphertext: true } as const;

export class TeamsPresence {
  constructor(
    private readonly db: PrismaClient,
    private readonly calls: ConnectorCalls,
    private readonly teams: MicrosoftTeamsConnector,
    private readonly config: IntegrationsConfig,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  private async connection(data: FocusSessionEventData) {
    return this.db.providerConnection.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, provider: 'MICROSOFT_TEAMS', status: 'CONNECTED' }, omit: omitTokens });
  }

  private call(connection: { id: string; userId: string; organizationId: string; externalAccountId: string | null }): ConnectorCall {
    return this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'MICROSOFT_TEAMS' });
  }


  /** The Graph user id (learned at connect time; asked again if missing). */
  private async graphUserId(call: ConnectorCall, connection: { id: string; externalAccountId: string | null }): Promise<string> {
    if (connection.externalAccountId) return connection.externalAccountId;
    const id = await this.teams.identify(call);
    if (!id) throw new ProviderError('Microsoft Graph did not tell the user id.', 'GIVE_UP', null);
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { externalAccountId: id } });
    return id;
  }

  async started(data: FocusSessionEventData): Promise<boolean> {
    const connection = await this.connection(data);
    if (!connection) return false;
    const state = (connection.providerState ?? {}) as TeamsState;
    if (state.focus?.sessionId === data.sessionId) return false; // already applied (redelivery)
    const until = Date.parse(data.startedAt) + data.plannedMinutes * 60_000;
    // A replayed old event (a new consumer group reads from the beginning): that session is over.
    if (data.endedAt || until <= this.clock()) return false;
    const call = this.call(connection);
    const userId = await this.calls.withRefresh(call, () => this.graphUserId(call, connection));
    const minutes = Math.max(1, Math.ceil((until - this.clock()) / 60_000));
    const previous = await this.calls.withRefresh(call, () => this.teams.writeBack(call, { op: 'focus', userId, minutes, until: new Date(until).toISOString().replace(/Z$/, ''), message: TEAMS_FOCUS_MESSAGE }));
    // A message left over from an earlier session of ours is not worth restoring.
    const keep = previous?.content === TEAMS_FOCUS_MESSAGE ? (state.focus?.previousMessage ?? null) : previous;
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { providerState: { ...state, focus: { sessionId: data.sessionId, previousMessage: keep } } as unknown as Prisma.InputJsonValue } });
    this.log({ msg: 'teams presence set', connectionId: connection.id, sessionId: data.sessionId });
    return true;
  }

  async ended(data: FocusSessionEventData): Promise<boolean> {
    const connection = await this.connection(data);
    if (!connection) return false;
    const state = (connection.providerState ?? {}) as TeamsState;
    if (!state.focus || state.focus.sessionId !== data.sessionId) return false;
    const call = this.call(connection);
    const userId = await this.calls.withRefresh(call, () => this.graphUserId(call, connection));
    await this.calls.withRefresh(call, () => this.teams.writeBack(call, { op: 'restore', userId, previousMessage: state.focus!.previousMessage }));
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { providerState: { ...state, focus: null } as unknown as Prisma.InputJsonValue } });
    this.log({ msg: 'teams presence restored', connectionId: connection.id, sessionId: data.sessionId });
    return true;
  }

  /** Creates the presence subscription, or renews it when it expires within TEAMS_RENEW_BEFORE_MS. Returns what it did. */
  async ensureSubscription(connectionId: string): Promise<'created' | 'renewed' | 'unchanged' | 'skipped'> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: omitTokens });
    if (!connection || connection.status !== 'CONNECTED' || connection.provider !== 'MICROSOFT_TEAMS') return 'skipped';
    const now = this.clock();
    if (connection.channelId && connection.channelExpiresAt && connection.channelExpiresAt.getTime() - now > TEAMS_RENEW_BEFORE_MS) return 'unchanged';
    const call = this.call(connection);
    const expirationDateTime = new Date(now + TEAMS_SUBSCRIPTION_TTL_MS).toISOString();
    if (connection.channelId && connection.channelExpiresAt && connection.channelExpiresAt.getTime() > now) {
      try {
        const renewed = await this.calls.withRefresh(call, () => this.teams.renewSubscription(call, connection.channelId!, expirationDateTime));
        await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelExpiresAt: new Date(renewed?.expirationDateTime ?? expirationDateTime) } });
        this.log({ msg: 'teams presence subscription renewed', connectionId });
        return 'renewed';
      } catch (error) {
        if (!(error instanceof ProviderError) || error.action !== 'NOT_FOUND') throw error;
        // Graph dropped it (expired or removed): create a new one below.
      }
    }
    const userId = await this.calls.withRefresh(call, () => this.graphUserId(call, connection));
    const clientState = randomBytes(32).toString('base64url');
    const previousId = connection.channelId;
    // Graph validates the notification URL during creation; notifications may follow right away,
    // so the clientState hash is stored before the id is known, and the id right after.
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelId: null, channelTokenHash: sha256(clientState), channelResourceId: null, channelExpiresAt: null } });
    const created = await this.calls.withRefresh(call, () => this.teams.createSubscription(call, { userId, notificationUrl: webhookUrl(this.config, 'MICROSOFT_TEAMS'), clientState, expirationDateTime }));
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelId: created.id, channelResourceId: created.resource, channelExpiresAt: new Date(created.expirationDateTime) } });
    if (previousId) await this.teams.deleteSubscription(call, previousId).catch(() => {});
    this.log({ msg: 'teams presence subscription created', connectionId });
    return 'created';
  }

  async stopSubscription(connectionId: string): Promise<void> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: omitTokens });
    if (!connection?.channelId || connection.provider !== 'MICROSOFT_TEAMS') return;
    await this.teams.deleteSubscription(this.call(connection), connection.channelId).catch(() => {});
    await this.db.providerConnection.update({ where: { id: connectionId }, data: { channelId: null, channelResourceId: null, channelTokenHash: null, channelExpiresAt: null } });
  }

  /** A verified presence change notification: remember the latest presence. */
  async notified(connectionId: string, notifications: GraphNotification[]): Promise<void> {
    const last = [...notifications].reverse().find((n) => n.resourceData);
    if (!last?.resourceData) return;
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, select: { providerState: true } });
    if (!connection) return;
    const state = (connection.providerState ?? {}) as TeamsState;
    await this.db.providerConnection.update({ where: { id: connectionId }, data: { providerState: { ...state, presence: { availability: last.resourceData.availability ?? null, activity: last.resourceData.activity ?? null, at: new Date(this.clock()).toISOString() } } as unknown as Prisma.InputJsonValue } });
  }
}
