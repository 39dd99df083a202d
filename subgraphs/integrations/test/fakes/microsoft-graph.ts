/**
 * A local fake of the Microsoft Graph endpoints we use, following Graph's documented contract:
 * - GET  /v1.0/me/presence, /v1.0/users/{id}/presence
 * - POST /v1.0/users/{id}/presence/setUserPreferredPresence { availability, activity, expirationDuration } → 200
 *   (only the documented availability/activity pairs; a delegated token may only change its own user: 403)
 * - POST /v1.0/users/{id}/presence/clearUserPreferredPresence → 200
 * - POST /v1.0/users/{id}/presence/setStatusMessage → 200
 * - POST /v1.0/subscriptions: validates the fields (presence resource, expiry ≤ 1 h ahead, clientState ≤ 128
 *   chars) and performs the validation handshake (POST notificationUrl?validationToken=…, wants 200 and the
 *   token as text/plain within 10 s; otherwise 400 ValidationError), then 201
 *   An optional lifecycleNotificationUrl gets the same handshake (Graph validates both endpoints); it can only be
 *   set at creation (a PATCH ignores it) and is returned on the subscription (null when absent)
 * - PATCH /v1.0/subscriptions/{id} { expirationDateTime } → 200 (also reauthorizes); 404 when unknown or expired; DELETE → 204
 * - POST /v1.0/subscriptions/{id}/reauthorize → 200 (404 unknown/expired; `refuseReauthorize` → 403 like a lost grant)
 * - `lifecycle(id, event)` POSTs a lifecycle notification to the subscription's lifecycleNotificationUrl like Graph:
 *   { value: [{ subscriptionId, subscriptionExpirationDateTime, tenantId, clientState, lifecycleEvent, resource }] };
 *   reauthorizationRequired pauses change notifications until reauthorized or renewed; subscriptionRemoved deletes the
 *   subscription first (it is gone when the app hears of it); missed changes nothing here
 * - GET  /oauth2/v2.0/authorize?client_id&response_type=code&redirect_uri&scope&state&code_challenge&code_challenge_method=S256
 *   (Microsoft identity platform v2.0): auto-approves as `approveAs` (a Graph user id) and redirects to
 *   redirect_uri?code&state; an unknown client or unregistered redirect URI gets an error page (400), other
 *   errors go back to the redirect URI as ?error&error_description&state
 * - POST /oauth2/v2.0/token: authorization_code grant (client_id + client_secret, code, redirect_uri, code_verifier
 *   checked against the S256 challenge) → { token_type: Bearer, scope, expires_in, ext_expires_in, access_token,
 *   refresh_token }; refresh_token grant (rotating; revoked → 400 invalid_grant)
 * Errors are { error: { code, message } }; 401 InvalidAuthenticationToken for unknown tokens; 429 with
 * Retry-After injected with `rateLimitNext`. `notify(userId)` sends a change notification like Graph.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFERRED_PAIRS: Record<string, string> = { Available: 'Available', Busy: 'Busy', DoNotDisturb: 'DoNotDisturb', BeRightBack: 'BeRightBack', Away: 'Away', Offline: 'OffWork' };

export interface FakePresence {
  availability: string;
  activity: string;
  preferred: { availability: string; activity: string; expiresAt: number } | null;
  statusMessage: { message: { content: string; contentType: string }; expiryDateTime?: { dateTime: string; timeZone: string } } | null;
}

export interface FakeSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
  userId: string;
  /** A reauthorizationRequired was sent and not answered yet: change notifications are held back. */
  reauthorizationRequired: boolean;
}

export type FakeLifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface FakeGraphOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  /** Graph user id auto-approved at /oauth2/v2.0/authorize (default aad-fake-user). */
  approveAs?: string;
}

export class FakeMicrosoftGraph {
  url = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
  approveAs: string;
  private readonly codes = new Map<string, { userId: string; redirectUri: string; challenge: string; scope: string; expires: number }>();
  readonly tokens = new Map<string, string>(); // access token → user id
  readonly refreshTokens = new Map<string, { userId: string; revoked: boolean }>();
  readonly presence = new Map<string, FakePresence>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly calls: string[] = [];
  rateLimitNext = 0;
  /** The next N API calls answer 401 (an access token revoked or expired early). */
  unauthorizedNext = 0;
  /** POST /subscriptions/{id}/reauthorize answers 403 (the app lost access to the resource). */
  refuseReauthorize = false;
  /** URLs that passed the validation handshake, in order. */
  readonly validated: string[] = [];
  private server: Server | undefined;

  constructor(options: FakeGraphOptions = {}) {
    this.clientId = options.clientId ?? 'fake-ms-client';
    this.clientSecret = options.clientSecret ?? 'fake-ms-secret';
    this.redirectUris = new Set(options.redirectUris ?? []);
    this.approveAs = options.approveAs ?? 'aad-fake-user';
  }

  /** The env the integrations subgraph needs to use this fake. */
  env(): Record<string, string> {
    return {
      MICROSOFT_CLIENT_ID: this.clientId,
      MICROSOFT_CLIENT_SECRET: this.clientSecret,
      MICROSOFT_OAUTH_AUTHORIZE_URL: this.authorizeUrl,
      MICROSOFT_OAUTH_TOKEN_URL: this.tokenUrl,
      MICROSOFT_GRAPH_API_URL: this.apiUrl,
    };
  }

  get apiUrl() { return `${this.url}/v1.0`; }
  get tokenUrl() { return `${this.url}/oauth2/v2.0/token`; }
  get authorizeUrl() { return `${this.url}/oauth2/v2.0/authorize`; }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: Error) => this.error(res, 500, 'generalException', error.message)));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addUser(accessToken: string, userId: string, options: { refreshToken?: string; statusMessage?: string } = {}) {
    this.tokens.set(accessToken, userId);
    if (options.refreshToken) this.refreshTokens.set(options.refreshToken, { userId, revoked: false });
    this.presence.set(userId, { availability: 'Available', activity: 'Available', preferred: null, statusMessage: options.statusMessage ? { message: { content: options.statusMessage, contentType: 'text' } } : null });
  }

  revoke(userId: string) {
    for (const [token, grant] of this.refreshTokens) if (grant.userId === userId) this.refreshTokens.set(token, { ...grant, revoked: true });
    for (const [token, user] of this.tokens) if (user === userId) this.tokens.delete(token);
  }

  /** The effective presence (preferred presence wins until it expires). */
  effective(userId: string) {
    const p = this.presence.get(userId)!;
    return p.preferred && p.preferred.expiresAt > Date.now() ? { availability: p.preferred.availability, activity: p.preferred.activity } : { availability: p.availability, activity: p.activity };
  }

  /** Sends a presence change notification to every live subscription of the user, as Graph does. */
  async notify(userId: string, clientStateOverride?: string): Promise<Response[]> {
    const results: Response[] = [];
    for (const sub of this.subscriptions.values()) {
      if (sub.userId !== userId || sub.reauthorizationRequired || Date.parse(sub.expirationDateTime) < Date.now()) continue;
      const body = { value: [{ subscriptionId: sub.id, clientState: clientStateOverride ?? sub.clientState, changeType: 'updated', resource: sub.resource, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: 'tenant-1', resourceData: { '@odata.type': '#Microsoft.Graph.presence', id: userId, ...this.effective(userId) } }] };
      results.push(await fetch(sub.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    }
    return results;
  }

  /**
   * Sends a lifecycle notification for a subscription to its lifecycleNotificationUrl, as Graph does
   * (subscriptionRemoved: the subscription is deleted first). Returns our endpoint's answer.
   */
  async lifecycle(subscriptionId: string, lifecycleEvent: FakeLifecycleEvent, options: { clientState?: string } = {}): Promise<Response> {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub?.lifecycleNotificationUrl) throw new Error(`Subscription ${subscriptionId} is unknown or has no lifecycleNotificationUrl.`);
    if (lifecycleEvent === 'reauthorizationRequired') sub.reauthorizationRequired = true;
    if (lifecycleEvent === 'subscriptionRemoved') this.subscriptions.delete(sub.id);
    const body = { value: [{ subscriptionId: sub.id, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: 'tenant-1', clientState: options.clientState ?? sub.clientState, lifecycleEvent, resource: sub.resource }] };
    return fetch(sub.lifecycleNotificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
    this.json(res, status, { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } }, headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    this.calls.push(`${req.method} ${path}`);
    if (req.method === 'GET' && path === '/oauth2/v2.0/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && path === '/oauth2/v2.0/token') return this.token(req, new URLSearchParams(raw), res);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.error(res, 429, 'TooManyRequests', 'Too many requests.', { 'retry-after': '0' });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const me = token ? this.tokens.get(token) : undefined;
    if (this.unauthorizedNext > 0 || !me) {
      if (this.unauthorizedNext > 0) this.unauthorizedNext--;
      return this.error(res, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.error(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
      }
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (path === '/v1.0/me/presence' || (m = /^\/v1\.0\/users\/([^/]+)\/presence$/.exec(path)))) {
      const userId = path === '/v1.0/me/presence' ? me : decodeURIComponent(/^\/v1\.0\/users\/([^/]+)\/presence$/.exec(path)![1]!);
      const p = this.presence.get(userId);
      if (!p) return this.error(res, 404, 'ResourceNotFound', 'User not found.');
      return this.json(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/presence/$entity', id: userId, ...this.effective(userId), statusMessage: p.statusMessage });
    }
    if (req.method === 'POST' && (m = /^\/v1\.0\/users\/([^/]+)\/presence\/(setUserPreferredPresence|clearUserPreferredPresence|setStatusMessage)$/.exec(path))) {
      const userId = decodeURIComponent(m[1]!);
      const p = this.presence.get(userId);
      if (!p) return this.error(res, 404, 'ResourceNotFound', 'User not found.');
      if (userId !== me) return this.error(res, 403, 'Forbidden', 'A delegated token can only change its own presence.');
      if (m[2] === 'setUserPreferredPresence') {
        const availability = String(body.availability ?? '');
        const activity = String(body.activity ?? '');
        if (PREFERRED_PAIRS[availability] !== activity) return this.error(res, 400, 'BadRequest', `Invalid availability/activity combination: ${availability}/${activity}.`);
        let ms = 24 * 3_600_000; // no expirationDuration: Graph applies a default (a day, for DoNotDisturb)
        if (body.expirationDuration !== undefined) {
          const duration = String(body.expirationDuration);
          const parsed = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
          if (!parsed || duration === 'PT') return this.error(res, 400, 'BadRequest', `Invalid expirationDuration: ${duration}.`);
          ms = ((Number(parsed[1] ?? 0) * 60 + Number(parsed[2] ?? 0)) * 60 + Number(parsed[3] ?? 0)) * 1000;
        }
        p.preferred = { availability, activity, expiresAt: Date.now() + ms };
      } else if (m[2] === 'clearUserPreferredPresence') {
        p.preferred = null;
      } else {
        const statusMessage = body.statusMessage as FakePresence['statusMessage'] | undefined;
        if (!statusMessage?.message || typeof statusMessage.message.content !== 'string') return this.error(res, 400, 'BadRequest', 'statusMessage.message is required.');
        p.statusMessage = statusMessage.message.content ? statusMessage : null;
      }
      return this.json(res, 200, undefined);
    }
    if (req.method === 'POST' && path === '/v1.0/subscriptions') return this.createSubscription(body, me, res);
    if (req.method === 'POST' && (m = /^\/v1\.0\/subscriptions\/([^/]+)\/reauthorize$/.exec(path))) {
      const sub = this.subscriptions.get(decodeURIComponent(m[1]!));
      if (!sub || Date.parse(sub.expirationDateTime) < Date.now()) return this.error(res, 404, 'ResourceNotFound', 'The object was not found.');
      if (sub.userId !== me) return this.error(res, 403, 'ExtensionError', 'Operation: Reauthorize; Exception: [Status Code: Forbidden]');
      if (this.refuseReauthorize) return this.error(res, 403, 'ExtensionError', 'Operation: Reauthorize; Exception: [Status Code: Forbidden; Reason: The application is no longer authorized for the resource]');
      sub.reauthorizationRequired = false;
      return this.json(res, 200, undefined);
    }
    if ((m = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(path))) {
      const sub = this.subscriptions.get(decodeURIComponent(m[1]!));
      if (!sub || Date.parse(sub.expirationDateTime) < Date.now()) return this.error(res, 404, 'ResourceNotFound', 'The object was not found.');
      if (req.method === 'DELETE') {
        this.subscriptions.delete(sub.id);
        return this.json(res, 204, undefined);
      }
      if (req.method === 'PATCH') {
        const expiry = Date.parse(String(body.expirationDateTime ?? ''));
        if (Number.isNaN(expiry) || expiry < Date.now() || expiry > Date.now() + 60 * 60_000 + 60_000) return this.error(res, 400, 'ExtensionError', 'Subscription expiration can only be 60 minutes in the future for presence.');
        sub.expirationDateTime = new Date(expiry).toISOString();
        sub.reauthorizationRequired = false;
        return this.json(res, 200, this.view(sub));
      }
    }
    return this.error(res, 400, 'BadRequest', `Resource not found for the segment '${path}'.`);
  }

  private view(sub: FakeSubscription) {
    const { userId: _user, reauthorizationRequired: _reauth, clientState, ...rest } = sub;
    return { ...rest, clientState, applicationId: 'fake-app', creatorId: sub.userId };
  }

  private async createSubscription(body: Record<string, unknown>, me: string, res: ServerResponse) {
    const resource = String(body.resource ?? '');
    const userId = /^\/?communications\/presences\/([^/?]+)$/.exec(resource)?.[1];
    if (body.changeType !== 'updated' || !userId) return this.error(res, 400, 'ExtensionError', 'Presence subscriptions support changeType "updated" on /communications/presences/{id}.');
    if (userId !== me) return this.error(res, 403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden]');
    const expiry = Date.parse(String(body.expirationDateTime ?? ''));
    if (Number.isNaN(expiry) || expiry < Date.now() || expiry > Date.now() + 60 * 60_000 + 60_000) return this.error(res, 400, 'ExtensionError', 'Subscription expiration can only be 60 minutes in the future for presence.');
    const clientState = body.clientState === undefined ? null : String(body.clientState);
    if (clientState && clientState.length > 128) return this.error(res, 400, 'ExtensionError', 'clientState is limited to 128 characters.');
    const notificationUrl = String(body.notificationUrl ?? '');
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl == null ? null : String(body.lifecycleNotificationUrl);
    for (const url of lifecycleNotificationUrl ? [notificationUrl, lifecycleNotificationUrl] : [notificationUrl]) {
      const failed = await this.validate(url);
      if (failed) return this.error(res, 400, 'ValidationError', failed);
    }
    const sub: FakeSubscription = { id: randomUUID(), resource, changeType: 'updated', notificationUrl, lifecycleNotificationUrl, clientState, expirationDateTime: new Date(expiry).toISOString(), userId, reauthorizationRequired: false };
    this.subscriptions.set(sub.id, sub);
    return this.json(res, 201, this.view(sub));
  }

  /** The validation handshake: Graph POSTs the token and wants it back, as plain text, within 10 s. Returns the failure, if any. */
  private async validate(notificationUrl: string): Promise<string | null> {
    const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(notificationUrl);
    target.searchParams.set('validationToken', validationToken);
    try {
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(10_000) });
      const text = await answer.text();
      if (answer.status !== 200 || text !== validationToken || !(answer.headers.get('content-type') ?? '').startsWith('text/plain')) {
        return `Subscription validation request failed. Response must exactly match validationToken query parameter (got ${answer.status}).`;
      }
    } catch {
      return 'Subscription validation request failed: the notification URL did not answer within 10 s.';
    }
    this.validated.push(notificationUrl);
    return null;
  }

  private authorize(url: URL, res: ServerResponse) {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    // AADSTS700016 / AADSTS50011 are shown on Microsoft's page: no redirect.
    if (p.get('client_id') !== this.clientId) return this.json(res, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${p.get('client_id')}' was not found.` });
    if (!this.redirectUris.has(redirectUri)) return this.json(res, 400, { error: 'invalid_request', error_description: `AADSTS50011: The redirect URI '${redirectUri}' does not match the redirect URIs configured for the application.` });
    const target = new URL(redirectUri);
    const state = p.get('state');
    if (p.get('response_type') !== 'code' || !p.get('scope')) {
      target.searchParams.set('error', 'invalid_request');
      target.searchParams.set('error_description', 'AADSTS900144: The request body must contain the following parameter: response_type or scope.');
    } else if (!p.get('code_challenge') || p.get('code_challenge_method') !== 'S256') {
      target.searchParams.set('error', 'invalid_request');
      target.searchParams.set('error_description', 'AADSTS9002325: Proof Key for Code Exchange is required.');
    } else {
      const code = `0.A${randomBytes(24).toString('base64url')}`;
      // Granted scopes as the v2.0 endpoint reports them: the resource scopes, not offline_access/openid.
      const scope = (p.get('scope') ?? '').split(' ').filter((s) => s && !['offline_access', 'openid', 'profile', 'email'].includes(s)).join(' ');
      this.codes.set(code, { userId: this.approveAs, redirectUri, challenge: p.get('code_challenge')!, scope, expires: Date.now() + 10 * 60_000 });
      target.searchParams.set('code', code);
    }
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private token(req: IncomingMessage, p: URLSearchParams, res: ServerResponse) {
    if (p.get('grant_type') === 'authorization_code') {
      let clientId = p.get('client_id');
      let clientSecret = p.get('client_secret');
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (basic) [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
      if (clientId !== this.clientId || clientSecret !== this.clientSecret) return this.json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      const code = this.codes.get(p.get('code') ?? '');
      this.codes.delete(p.get('code') ?? '');
      if (!code || code.expires < Date.now()) return this.json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired or was already redeemed.' });
      if (code.redirectUri !== p.get('redirect_uri')) return this.json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS50148: The redirect_uri does not match the one used in the authorization request.' });
      if (createHash('sha256').update(p.get('code_verifier') ?? '').digest('base64url') !== code.challenge) return this.json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.' });
      const access = `ms-access-${randomUUID()}`;
      const refresh = `ms-refresh-${randomUUID()}`;
      this.tokens.set(access, code.userId);
      this.refreshTokens.set(refresh, { userId: code.userId, revoked: false });
      if (!this.presence.has(code.userId)) this.presence.set(code.userId, { availability: 'Available', activity: 'Available', preferred: null, statusMessage: null });
      return this.json(res, 200, { token_type: 'Bearer', scope: code.scope, expires_in: 3600, ext_expires_in: 3600, access_token: access, refresh_token: refresh }, { 'cache-control': 'no-store' });
    }
    if (p.get('grant_type') !== 'refresh_token') return this.json(res, 400, { error: 'unsupported_grant_type' });
    const grant = this.refreshTokens.get(p.get('refresh_token') ?? '');
    if (!grant || grant.revoked) return this.json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The refresh token has expired or was revoked.' });
    this.refreshTokens.delete(p.get('refresh_token')!);
    const access = `ms-access-${randomUUID()}`;
    const refresh = `ms-refresh-${randomUUID()}`;
    this.tokens.set(access, grant.userId);
    this.refreshTokens.set(refresh, { userId: grant.userId, revoked: false });
    return this.json(res, 200, { token_type: 'Bearer', scope: 'Presence.ReadWrite', expires_in: 3600, access_token: access, refresh_token: refresh });
  }
}
