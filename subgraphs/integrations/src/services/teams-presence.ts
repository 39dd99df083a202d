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
 *
 * Lifecycle notifications (subscriptions are created with lifecycleNotificationUrl =
 * <webhook URL>/lifecycle; verified like change notifications, processed from the event backbone):
 * - reauthorizationRequired → POST /subscriptions/{id}/reauthorize, or a PATCH renewal when the
 *   subscription is near its renewal anyway (Graph: never both within 10 min; a PATCH with a new expiry
 *   also reauthorizes). A 4xx other than 401 (which refreshes the token once) → a new subscription.
 * - subscriptionRemoved → a new subscription (the old one is gone).
 * - missed → the presence is read again (GET /users/{id}/presence) into provider_state.presence.
 * Each acts only when the subscription id is still the connection's current one (redeliveries and
 * notifications about replaced subscriptions change nothing, with a log line).
 */
import type { FocusSessionEventData } from '@flowforge/events';
import type { Logger } from '@flowforge/runtime';
import { randomBytes } from 'node:crypto';
import { webhookUrl, type IntegrationsConfig } from '../config.js';
import { sha256 } from '../crypto/token-cipher.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import { PRESENCE_SUBSCRIPTION_MAX_MS, TEAMS_FOCUS_MESSAGE, TEAMS_LIFECYCLE_PATH, type GraphNotification, type MicrosoftTeamsConnector, type TeamsLifecyclePayload, type TeamsStatusMessage } from '../providers/microsoft-teams/connector.js';
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
/** Graph: no reauthorize and PATCH of the same subscription within this window. */
export const TEAMS_REAUTHORIZE_PATCH_GAP_MS = 10 * 60_000;

export type TeamsLifecycleOutcome = 'reauthorized' | 'renewed' | 'recreated' | 'resynced' | 'ignored';

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

  /**
   * Creates the presence subscription, or renews it when it expires within TEAMS_RENEW_BEFORE_MS. Returns what it did.
   * force 'renew': PATCH now whatever the expiry; 'recreate': a new subscription (the current one is gone or unusable).
   */
  async ensureSubscription(connectionId: string, force: 'renew' | 'recreate' | null = null): Promise<'created' | 'renewed' | 'unchanged' | 'skipped'> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: omitTokens });
    if (!connection || connection.status !== 'CONNECTED' || connection.provider !== 'MICROSOFT_TEAMS') return 'skipped';
    const now = this.clock();
    if (!force && connection.channelId && connection.channelExpiresAt && connection.channelExpiresAt.getTime() - now > TEAMS_RENEW_BEFORE_MS) return 'unchanged';
    const call = this.call(connection);
    const expirationDateTime = new Date(now + TEAMS_SUBSCRIPTION_TTL_MS).toISOString();
    if (force !== 'recreate' && connection.channelId && connection.channelExpiresAt && connection.channelExpiresAt.getTime() > now) {
      try {
        const renewed = await this.calls.withRefresh(call, () => this.teams.renewSubscription(call, connection.channelId!, expirationDateTime));
        await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelExpiresAt: new Date(renewed?.expirationDateTime ?? expirationDateTime) } });
        // Made before lifecycle notifications (no lifecycleNotificationUrl, which a PATCH cannot add): replace it.
        if (renewed && typeof renewed === 'object' && !renewed.lifecycleNotificationUrl) {
          this.log({ msg: 'teams presence subscription has no lifecycle URL; creating a new one', connectionId });
        } else {
          this.log({ msg: 'teams presence subscription renewed', connectionId });
          return 'renewed';
        }
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
    const created = await this.calls.withRefresh(call, () => this.teams.createSubscription(call, { userId, notificationUrl: webhookUrl(this.config, 'MICROSOFT_TEAMS'), lifecycleNotificationUrl: `${webhookUrl(this.config, 'MICROSOFT_TEAMS')}/${TEAMS_LIFECYCLE_PATH}`, clientState, expirationDateTime }));
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

  /** A verified Graph delivery from the event backbone: change notifications or lifecycle notifications. */
  async webhook(connectionId: string, payload: unknown): Promise<void> {
    const body = (payload ?? {}) as Partial<TeamsLifecyclePayload> & { notifications?: GraphNotification[] };
    if (Array.isArray(body.lifecycle)) {
      for (const id of body.unknownSubscriptionIds ?? []) this.log({ msg: 'teams lifecycle notification for an unknown subscription ignored', subscriptionId: id });
      await this.lifecycle(connectionId, body.lifecycle);
      return;
    }
    await this.notified(connectionId, body.notifications ?? []);
  }

  /** Reacts to verified lifecycle notifications of one connection (one reaction per distinct event). */
  async lifecycle(connectionId: string, items: TeamsLifecyclePayload['lifecycle']): Promise<TeamsLifecycleOutcome[]> {
    const outcomes: TeamsLifecycleOutcome[] = [];
    const seen = new Set<string>();
    // A removal makes a reauthorization moot: handle it first.
    const order = (event: string | undefined) => (event === 'subscriptionRemoved' ? 0 : event === 'reauthorizationRequired' ? 1 : 2);
    for (const item of [...items].sort((a, b) => order(a.lifecycleEvent) - order(b.lifecycleEvent))) {
      const key = `${item.subscriptionId}:${item.lifecycleEvent}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        outcomes.push(await this.lifecycleEvent(connectionId, item.subscriptionId ?? '', item.lifecycleEvent ?? ''));
      } catch (error) {
        // The token is gone (connection marked NEEDS_REAUTH by the token store): nothing to retry.
        if (error instanceof ProviderError && error.action === 'REAUTH') {
          this.log({ level: 'warn', msg: 'teams lifecycle reaction needs the user to reconnect', connectionId, lifecycleEvent: item.lifecycleEvent, error: error.message });
          outcomes.push('ignored');
          continue;
        }
        throw error; // retried by the event backbone
      }
    }
    return outcomes;
  }

  private async lifecycleEvent(connectionId: string, subscriptionId: string, event: string): Promise<TeamsLifecycleOutcome> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: omitTokens });
    if (!connection || connection.status !== 'CONNECTED' || connection.provider !== 'MICROSOFT_TEAMS') {
      this.log({ msg: 'teams lifecycle notification for a connection that is not connected; ignored', connectionId, lifecycleEvent: event });
      return 'ignored';
    }
    if (connection.channelId !== subscriptionId) {
      this.log({ msg: 'teams lifecycle notification for a subscription no longer in use; ignored', connectionId, subscriptionId, lifecycleEvent: event });
      return 'ignored';
    }
    const call = this.call(connection);
    if (event === 'subscriptionRemoved') {
      this.log({ msg: 'teams presence subscription removed by Graph; creating a new one', connectionId });
      await this.ensureSubscription(connectionId, 'recreate');
      return 'recreated';
    }
    if (event === 'reauthorizationRequired') {
      const left = (connection.channelExpiresAt?.getTime() ?? 0) - this.clock();
      // Due for renewal within the 10-minute window anyway: one PATCH renews and reauthorizes.
      if (left <= TEAMS_RENEW_BEFORE_MS + TEAMS_REAUTHORIZE_PATCH_GAP_MS) {
        const done = await this.renewOrRecreate(connectionId);
        return done === 'created' ? 'recreated' : 'renewed';
      }
      try {
        await this.calls.withRefresh(call, () => this.teams.reauthorizeSubscription(call, subscriptionId));
        this.log({ msg: 'teams presence subscription reauthorized', connectionId });
        return 'reauthorized';
      } catch (error) {
        if (!isClientError(error)) throw error;
        this.log({ level: 'warn', msg: 'teams presence subscription reauthorization refused; creating a new one', connectionId, status: (error as ProviderError).status });
        await this.ensureSubscription(connectionId, 'recreate');
        return 'recreated';
      }
    }
    if (event === 'missed') {
      const userId = await this.calls.withRefresh(call, () => this.graphUserId(call, connection));
      const presence = await this.calls.withRefresh(call, () => this.teams.presence(call, userId));
      const fresh = await this.db.providerConnection.findUnique({ where: { id: connectionId }, select: { providerState: true } });
      const state = (fresh?.providerState ?? {}) as TeamsState;
      await this.db.providerConnection.update({ where: { id: connectionId }, data: { providerState: { ...state, presence: { availability: presence.availability ?? null, activity: presence.activity ?? null, at: new Date(this.clock()).toISOString() } } as unknown as Prisma.InputJsonValue } });
      this.log({ msg: 'teams presence resynchronised after missed notifications', connectionId });
      return 'resynced';
    }
    this.log({ msg: 'teams lifecycle notification of an unknown kind ignored', connectionId, lifecycleEvent: event });
    return 'ignored';
  }

  /** PATCH now; a 4xx other than 401 (refused, not just gone) creates a new subscription. */
  private async renewOrRecreate(connectionId: string) {
    try {
      return await this.ensureSubscription(connectionId, 'renew');
    } catch (error) {
      if (!isClientError(error)) throw error;
      return this.ensureSubscription(connectionId, 'recreate');
    }
  }
}

/** A 4xx answer that a new subscription may cure (401 is a token problem, handled by the token store). */
function isClientError(error: unknown): boolean {
  return error instanceof ProviderError && error.status !== null && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429;
}
