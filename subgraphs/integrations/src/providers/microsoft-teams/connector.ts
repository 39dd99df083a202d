/**
 * Microsoft Teams (Microsoft Graph): Do Not Disturb presence plus a "Focusing" status message while
 * a focus session runs, restored afterwards; a change-notification subscription on the user's
 * presence (created with a random clientState, renewed with PATCH before it expires).
 *
 * Graph contract used (delegated permission Presence.ReadWrite; offline_access for refresh tokens):
 * - GET  /me/presence                                       → { id (the user's object id), availability, activity, statusMessage }
 * - POST /users/{id}/presence/setUserPreferredPresence      { availability: DoNotDisturb, activity: DoNotDisturb, expirationDuration: PT50M } → 200
 * - POST /users/{id}/presence/clearUserPreferredPresence    → 200
 * - POST /users/{id}/presence/setStatusMessage              { statusMessage: { message: { content, contentType }, expiryDateTime } } → 200
 * - POST /subscriptions { changeType, notificationUrl, resource: /communications/presences/{id}, expirationDateTime, clientState } → 201
 *   (Graph first POSTs `notificationUrl?validationToken=…` and wants the token back as text/plain within 10 s)
 *   plus `lifecycleNotificationUrl` (…/webhooks/microsoft-teams/lifecycle; Graph validates it with the same handshake;
 *   it can only be set at creation, so a renewed subscription without one is created again)
 * - PATCH /subscriptions/{id} { expirationDateTime } → 200; DELETE /subscriptions/{id} → 204
 * - POST /subscriptions/{id}/reauthorize → 200 (answer to a reauthorizationRequired lifecycle notification;
 *   never within 10 min of a PATCH of the same subscription: a PATCH with a new expiry also reauthorizes)
 * - Lifecycle notifications POSTed to lifecycleNotificationUrl: { value: [{ subscriptionId, subscriptionExpirationDateTime,
 *   tenantId, clientState, lifecycleEvent: reauthorizationRequired | subscriptionRemoved | missed, resource? }] }, answered 202
 * Errors: { error: { code, message } }; 429/503/504 with Retry-After are retried, 401 re-authenticates.
 * GET /me would need User.Read: /me/presence returns the user id with the scope we already have.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../crypto/token-cipher.js';
import { ProviderError } from '../../http/request.js';
import type { Connector, ConnectorCall, OAuthConfig, RawWebhookRequest, WebhookLookup, WebhookVerdict } from '../types.js';

export const TEAMS_FOCUS_MESSAGE = 'Focusing (FlowForge)';
/** Presence subscriptions live at most one hour (Graph's maximum for presence). */
export const PRESENCE_SUBSCRIPTION_MAX_MS = 60 * 60_000;
/** The lifecycle notification URL is the webhook URL plus this segment: /webhooks/microsoft-teams/lifecycle. */
export const TEAMS_LIFECYCLE_PATH = 'lifecycle';

export interface GraphPresence {
  id: string;
  availability?: string;
  activity?: string;
  statusMessage?: { message?: { content?: string; contentType?: string } | null; expiryDateTime?: { dateTime?: string; timeZone?: string } | null } | null;
}

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  expirationDateTime: string;
  clientState?: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl?: string | null;
}

export type GraphLifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface GraphLifecycleNotification {
  subscriptionId?: string;
  subscriptionExpirationDateTime?: string;
  tenantId?: string;
  clientState?: string;
  lifecycleEvent?: string;
  resource?: string;
}

/** The payload of a verified lifecycle delivery (clientState removed). */
export interface TeamsLifecyclePayload {
  lifecycle: Omit<GraphLifecycleNotification, 'clientState'>[];
  /** Subscription ids we do not know (old subscriptions of ours, or not ours): ignored, logged. */
  unknownSubscriptionIds: string[];
}

export interface GraphNotification {
  subscriptionId?: string;
  clientState?: string;
  changeType?: string;
  resource?: string;
  subscriptionExpirationDateTime?: string;
  tenantId?: string;
  resourceData?: { id?: string; availability?: string; activity?: string; [key: string]: unknown };
}

export type TeamsStatusMessage = { content: string; contentType: string; expiresAt: string | null };

export type TeamsWrite =
  | { op: 'focus'; userId: string; minutes: number; until: string; message: string }
  | { op: 'restore'; userId: string; previousMessage: TeamsStatusMessage | null };

export function mapGraphError(status: number, body: unknown): ProviderError {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  const code = error?.code ?? null;
  const message = `Microsoft Graph: ${error?.message ?? code ?? `HTTP ${status}`}`;
  if (status === 429 || status === 503 || status === 504 || status >= 500) return new ProviderError(message, 'RETRY', status, code);
  if (status === 401) return new ProviderError(message, 'REAUTH', status, code);
  if (status === 404) return new ProviderError(message, 'NOT_FOUND', status, code);
  return new ProviderError(message, 'GIVE_UP', status, code);
}

/** ISO-8601 duration for whole minutes (PT50M, PT2H5M). */
export function isoMinutes(minutes: number): string {
  const m = Math.max(1, Math.ceil(minutes));
  const hours = Math.floor(m / 60);
  return `PT${hours ? `${hours}H` : ''}${m % 60 || !hours ? `${m % 60}M` : ''}`;
}

export const presenceResource = (userId: string) => `/communications/presences/${userId}`;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class MicrosoftTeamsConnector implements Connector<never, TeamsWrite, TeamsStatusMessage | null> {
  readonly provider = 'MICROSOFT_TEAMS' as const;

  constructor(readonly oauth: OAuthConfig | null, private readonly apiUrl: string) {}

  mapError(status: number, body: unknown) {
    return mapGraphError(status, body);
  }

  private async graph<T>(call: ConnectorCall, method: string, path: string, body?: unknown): Promise<T> {
    return call.http.request<T>({ method, url: `${this.apiUrl}${path}`, accessToken: await call.accessToken(), body });
  }

  async presence(call: ConnectorCall, userId: string | null = null): Promise<GraphPresence> {
    return this.graph<GraphPresence>(call, 'GET', userId ? `/users/${encodeURIComponent(userId)}/presence` : '/me/presence');
  }

  async identify(call: ConnectorCall): Promise<string | null> {
    return (await this.presence(call)).id ?? null;
  }

  /** focus: returns the status message to restore later; restore: null. Both are safe to repeat. */
  async writeBack(call: ConnectorCall, change: TeamsWrite): Promise<TeamsStatusMessage | null> {
    const base = `/users/${encodeURIComponent(change.userId)}/presence`;
    if (change.op === 'focus') {
      const current = await this.presence(call, change.userId);
      const message = current.statusMessage?.message;
      const previous = message?.content ? { content: message.content, contentType: message.contentType ?? 'text', expiresAt: current.statusMessage?.expiryDateTime?.dateTime ?? null } : null;
      await this.graph(call, 'POST', `${base}/setUserPreferredPresence`, { availability: 'DoNotDisturb', activity: 'DoNotDisturb', expirationDuration: isoMinutes(change.minutes) });
      await this.graph(call, 'POST', `${base}/setStatusMessage`, { statusMessage: { message: { content: change.message, contentType: 'text' }, expiryDateTime: { dateTime: change.until, timeZone: 'UTC' } } });
      return previous;
    }
    await this.graph(call, 'POST', `${base}/clearUserPreferredPresence`);
    const previous = change.previousMessage && (!change.previousMessage.expiresAt || Date.parse(change.previousMessage.expiresAt) > Date.now()) ? change.previousMessage : null;
    await this.graph(call, 'POST', `${base}/setStatusMessage`, {
      statusMessage: previous
        ? { message: { content: previous.content, contentType: previous.contentType }, ...(previous.expiresAt ? { expiryDateTime: { dateTime: previous.expiresAt, timeZone: 'UTC' } } : {}) }
        : { message: { content: '', contentType: 'text' } },
    });
    return null;
  }

  async createSubscription(call: ConnectorCall, input: { userId: string; notificationUrl: string; lifecycleNotificationUrl: string; clientState: string; expirationDateTime: string }): Promise<GraphSubscription> {
    return this.graph<GraphSubscription>(call, 'POST', '/subscriptions', { changeType: 'updated', notificationUrl: input.notificationUrl, lifecycleNotificationUrl: input.lifecycleNotificationUrl, resource: presenceResource(input.userId), expirationDateTime: input.expirationDateTime, clientState: input.clientState });
  }

  async reauthorizeSubscription(call: ConnectorCall, id: string): Promise<void> {
    await this.graph(call, 'POST', `/subscriptions/${encodeURIComponent(id)}/reauthorize`);
  }

  async renewSubscription(call: ConnectorCall, id: string, expirationDateTime: string): Promise<GraphSubscription> {
    return this.graph<GraphSubscription>(call, 'PATCH', `/subscriptions/${encodeURIComponent(id)}`, { expirationDateTime });
  }

  async deleteSubscription(call: ConnectorCall, id: string): Promise<void> {
    await this.graph(call, 'DELETE', `/subscriptions/${encodeURIComponent(id)}`);
  }

  /**
   * Change notifications (POST /webhooks/microsoft-teams) and lifecycle notifications (…/lifecycle):
   * the validation handshake (`?validationToken=`) is answered with the token
   * as text/plain; otherwise every notification's clientState must match the hash stored for its
   * subscription (a mismatch rejects the whole POST: it did not come from Graph). Deduped on
   * subscription + the exact bytes (Graph has no delivery id; a redelivery repeats the body).
   * Lifecycle notifications of subscription ids we do not know are acknowledged and ignored (logged).
   */
  async handleWebhook(request: RawWebhookRequest, lookup: WebhookLookup): Promise<WebhookVerdict> {
    if (request.method !== 'POST') return { kind: 'rejected', status: 405, reason: 'Use POST.' };
    const validationToken = request.url.searchParams.get('validationToken');
    if (validationToken !== null) {
      if (validationToken.length === 0 || validationToken.length > 1024) return { kind: 'rejected', status: 400, reason: 'Bad validation token.' };
      return { kind: 'respond', status: 200, body: validationToken, contentType: 'text/plain; charset=utf-8' };
    }
    if (request.url.pathname.endsWith(`/${TEAMS_LIFECYCLE_PATH}`)) return this.lifecycle(request, lookup);
    let body: { value?: GraphNotification[] };
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'rejected', status: 400, reason: 'Body is not JSON.' };
    }
    const items = Array.isArray(body.value) ? body.value : [];
    if (items.length === 0) return { kind: 'rejected', status: 400, reason: 'No notifications.' };
    let connectionId: string | null = null;
    for (const item of items) {
      if (!item.subscriptionId || typeof item.clientState !== 'string') return { kind: 'rejected', status: 401, reason: 'Missing subscriptionId or clientState.' };
      const subscription = await lookup.channel(item.subscriptionId);
      if (!subscription?.tokenHash || !sameHash(sha256(item.clientState), subscription.tokenHash)) return { kind: 'rejected', status: 401, reason: 'Unknown subscription or clientState mismatch.' };
      if (connectionId && connectionId !== subscription.connectionId) return { kind: 'rejected', status: 400, reason: 'Notifications of several subscriptions in one request.' };
      connectionId = subscription.connectionId;
    }
    const digest = createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32);
    const notifications = items.map(({ clientState: _secret, ...rest }) => rest);
    return { kind: 'accepted', deliveryId: `${items[0]!.subscriptionId}:${digest}`, event: 'presence.updated', payload: { notifications }, connectionId, status: 202 };
  }

  private async lifecycle(request: RawWebhookRequest, lookup: WebhookLookup): Promise<WebhookVerdict> {
    let body: { value?: GraphLifecycleNotification[] };
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'rejected', status: 400, reason: 'Body is not JSON.' };
    }
    const items = Array.isArray(body?.value) ? body.value : [];
    if (items.length === 0) return { kind: 'rejected', status: 400, reason: 'No lifecycle notifications.' };
    let connectionId: string | null = null;
    const known: GraphLifecycleNotification[] = [];
    const unknown: string[] = [];
    for (const item of items) {
      if (typeof item?.subscriptionId !== 'string' || !item.subscriptionId || typeof item.clientState !== 'string') return { kind: 'rejected', status: 401, reason: 'Missing subscriptionId or clientState.' };
      if (typeof item.lifecycleEvent !== 'string') return { kind: 'rejected', status: 400, reason: 'Missing lifecycleEvent.' };
      const subscription = await lookup.channel(item.subscriptionId);
      if (!subscription) {
        unknown.push(item.subscriptionId);
        continue;
      }
      if (!subscription.tokenHash || !sameHash(sha256(item.clientState), subscription.tokenHash)) return { kind: 'rejected', status: 401, reason: 'clientState mismatch.' };
      if (connectionId && connectionId !== subscription.connectionId) return { kind: 'rejected', status: 400, reason: 'Lifecycle notifications of several subscriptions in one request.' };
      connectionId = subscription.connectionId;
      known.push(item);
    }
    if (known.length === 0) return { kind: 'respond', status: 202, body: { ok: true, ignored: unknown.length }, note: `lifecycle notification for unknown subscription(s) ignored: ${unknown.join(', ')}` };
    const digest = createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32);
    const payload: TeamsLifecyclePayload = { lifecycle: known.map(({ clientState: _secret, ...rest }) => rest), unknownSubscriptionIds: unknown };
    return { kind: 'accepted', deliveryId: `lifecycle:${known[0]!.subscriptionId}:${digest}`, event: 'presence.lifecycle', payload, connectionId, status: 202 };
  }
}
