/**
 * A local fake of Google's OAuth 2.0 endpoints and Calendar API v3, following the documented
 * contract closely enough for our connector to talk to it through its production client:
 * - GET  /o/oauth2/v2/auth: auto-approves and redirects to the (exactly registered) redirect_uri with code + state
 * - POST /token: authorization_code (+ PKCE S256 check) and refresh_token grants; refresh tokens ROTATE
 *   (the old one is invalid once used) and a revoked grant answers 400 invalid_grant
 * - GET  /calendar/v3/calendars/{id}/events: pageToken/nextPageToken, nextSyncToken ONLY on the last
 *   page, syncToken incremental listing (changes incl. cancellations), 410 fullSyncRequired for an
 *   expired sync token, 400 when syncToken is combined with timeMin
 * - POST .../events (client-chosen ids allowed, 409 on duplicates), GET .../events/{id}, PATCH and DELETE
 *   .../events/{id} (DELETE → cancelled; an already cancelled event answers 410 deleted) with If-Match: a stale
 *   etag answers 412 conditionNotMet and changes nothing (Google's conditional modification), POST .../events/watch,
 *   POST /channels/stop
 * - holdWrites(): PATCH/DELETE of events wait until released (a write racing an edit made in Google meanwhile)
 * - push notifications to watched addresses with X-Goog-Channel-ID/-Token/-Resource-State/-Message-Number
 * - fault injection: a rate of 429 (with Retry-After), 500/503 and timeouts (answer held past the client's timeout)
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEvent {
  id: string;
  etag: string;
  status: 'confirmed' | 'cancelled';
  summary?: string;
  description?: string;
  start: { dateTime?: string; date?: string; timeZone?: string };
  end: { dateTime?: string; date?: string; timeZone?: string };
  updated: string;
  transparency?: 'opaque' | 'transparent';
  extendedProperties?: { private?: Record<string, string> };
  seq: number;
}

interface Account {
  email: string;
  events: Map<string, FakeEvent>;
  channels: Map<string, { id: string; resourceId: string; address: string; token?: string; expiration: number; messages: number }>;
}

export interface FaultOptions {
  /** Probability (0..1) that an API request fails transiently. */
  rate: number;
  /** Relative weights of the kinds of failure. */
  kinds?: { rateLimit?: number; serverError?: number; timeout?: number };
  /** Retry-After seconds sent with 429s (default 0; Google often sends none). */
  retryAfterSeconds?: number;
  /** How long a "timeout" holds the answer (longer than the client's timeout). */
  holdMs?: number;
  /** Also fail the token endpoint. */
  includeToken?: boolean;
  random?: () => number;
}

export interface FakeGoogleOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  accessTokenTtlSeconds?: number;
  /** Email auto-approved at /authorize (default fake.user@example.com). */
  approveAs?: string;
}

const b64url = (buffer: Buffer) => buffer.toString('base64url');

export class FakeGoogleCalendar {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
  accessTokenTtlSeconds: number;
  approveAs: string;
  fault: FaultOptions = { rate: 0 };
  /** When false, changes send no push notifications (a slow or lost push). */
  pushEnabled = true;
  /** Requests by "METHOD route" and outcome. */
  readonly stats = { requests: 0, byRoute: new Map<string, number>(), faults: 0, notificationsSent: 0 };
  /** PATCH/DELETE of events received while holdWrites() holds them. */
  heldWrites = 0;
  private writeGate: Promise<void> | null = null;
  /** Sync tokens issued before this sequence number answer 410. */
  private expiredBefore = 0;
  private seq = 0;
  private server: Server | undefined;
  private readonly accounts = new Map<string, Account>();
  private readonly codes = new Map<string, { email: string; redirectUri: string; challenge: string; scope: string; expires: number }>();
  private readonly accessTokens = new Map<string, { email: string; expires: number }>();
  /** refresh token → email; rotated on use. */
  private readonly refreshTokens = new Map<string, { email: string; revoked: boolean }>();
  private readonly held = new Set<ServerResponse>();
  url = '';

  constructor(options: FakeGoogleOptions = {}) {
    this.clientId = options.clientId ?? 'fake-google-client';
    this.clientSecret = options.clientSecret ?? 'fake-google-secret';
    this.redirectUris = new Set(options.redirectUris ?? []);
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
    this.approveAs = options.approveAs ?? 'fake.user@example.com';
  }

  get authorizeUrl() { return `${this.url}/o/oauth2/v2/auth`; }
  get tokenUrl() { return `${this.url}/token`; }
  get apiUrl() { return `${this.url}/calendar/v3`; }

  /** The env the integrations subgraph needs to use this fake. */
  env(): Record<string, string> {
    return {
      GOOGLE_CLIENT_ID: this.clientId,
      GOOGLE_CLIENT_SECRET: this.clientSecret,
      GOOGLE_OAUTH_AUTHORIZE_URL: this.authorizeUrl,
      GOOGLE_OAUTH_TOKEN_URL: this.tokenUrl,
      GOOGLE_CALENDAR_API_URL: this.apiUrl,
    };
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: Error) => {
      if (!res.headersSent) this.json(res, 500, { error: { code: 500, message: error.message } });
    }));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- test controls (direct calls, as someone editing their calendar in Google would) ----

  account(email: string): Account {
    let account = this.accounts.get(email);
    if (!account) {
      account = { email, events: new Map(), channels: new Map() };
      this.accounts.set(email, account);
    }
    return account;
  }

  private bump(event: Omit<FakeEvent, 'seq' | 'etag' | 'updated'> & Partial<FakeEvent>): FakeEvent {
    const seq = ++this.seq;
    // Google's `updated` has millisecond precision; keep it strictly increasing per change.
    return { ...event, seq, etag: `"${seq}${Date.now()}"`, updated: new Date(Date.now() + seq % 1000 / 1000).toISOString() } as FakeEvent;
  }

  /** Creates `count` timed 30-minute events, one every `spacingMs` (default an hour) from `from`. Returns their ids. */
  seedEvents(email: string, count: number, from = new Date(Date.now() + 86_400_000), prefix = 'Meeting', spacingMs = 3_600_000): string[] {
    const account = this.account(email);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const start = new Date(from.getTime() + i * spacingMs);
      const id = `ev${randomBytes(8).toString('hex')}`;
      account.events.set(id, this.bump({ id, status: 'confirmed', summary: `${prefix} ${i + 1}`, start: { dateTime: start.toISOString(), timeZone: 'UTC' }, end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: 'UTC' } }));
      ids.push(id);
    }
    this.notify(account);
    return ids;
  }

  updateEvent(email: string, id: string, patch: Partial<FakeEvent>): FakeEvent {
    const account = this.account(email);
    const current = account.events.get(id);
    if (!current) throw new Error(`no fake event ${id}`);
    const next = this.bump({ ...current, ...patch, id });
    account.events.set(id, next);
    this.notify(account);
    return next;
  }

  deleteEvent(email: string, id: string): void {
    this.updateEvent(email, id, { status: 'cancelled' });
  }

  events(email: string, options: { includeCancelled?: boolean } = {}): FakeEvent[] {
    return [...this.account(email).events.values()].filter((e) => options.includeCancelled || e.status !== 'cancelled');
  }

  channels(email: string) {
    return [...this.account(email).channels.values()];
  }

  /** Holds PATCH/DELETE of events (counted in heldWrites) until the returned function is called. */
  holdWrites(): () => void {
    let release!: () => void;
    this.writeGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.writeGate = null;
      release();
    };
  }

  /** Every sync token issued so far answers 410 Gone from now on. */
  expireSyncTokens(): void {
    this.expiredBefore = this.seq + 1;
  }

  /** The user revoked our access: refresh tokens answer invalid_grant, access tokens 401. */
  revokeGrant(email: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.email === email) this.refreshTokens.set(token, { ...grant, revoked: true });
    for (const [token, grant] of this.accessTokens) if (grant.email === email) this.accessTokens.delete(token);
  }

  /** Issues tokens without the browser step (tests of the token store). */
  issueTokens(email: string) {
    return this.tokens(email, 'https://www.googleapis.com/auth/calendar.events');
  }

  expireAccessTokens(): void {
    for (const grant of this.accessTokens.values()) grant.expires = 0;
  }

  resetStats(): void {
    this.stats.requests = 0;
    this.stats.byRoute.clear();
    this.stats.faults = 0;
    this.stats.notificationsSent = 0;
  }

  // ---- HTTP ----

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(payload ? { 'content-type': 'application/json; charset=UTF-8' } : {}), ...headers });
    res.end(payload);
  }

  private googleError(res: ServerResponse, status: number, reason: string, message: string, headers: Record<string, string> = {}) {
    this.json(res, status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } }, headers);
  }

  private tokens(email: string, scope: string) {
    const access = `ya29.${randomBytes(24).toString('base64url')}`;
    const refresh = `1//${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(access, { email, expires: Date.now() + this.accessTokenTtlSeconds * 1000 });
    this.refreshTokens.set(refresh, { email, revoked: false });
    return { access_token: access, expires_in: this.accessTokenTtlSeconds, refresh_token: refresh, scope, token_type: 'Bearer' };
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Decides whether this request fails transiently; returns true when it answered (or will answer late). */
  private injectFault(res: ServerResponse, after: () => Promise<void>): 'none' | 'answered' | 'hold' {
    const f = this.fault;
    const random = f.random ?? Math.random;
    if (f.rate <= 0 || random() >= f.rate) return 'none';
    this.stats.faults++;
    const kinds = { rateLimit: 1, serverError: 1, timeout: 1, ...f.kinds };
    const total = kinds.rateLimit + kinds.serverError + kinds.timeout;
    let pick = random() * total;
    if ((pick -= kinds.rateLimit) < 0) {
      // Google sends 403 rateLimitExceeded or 429; alternate both.
      if (random() < 0.5) this.googleError(res, 429, 'rateLimitExceeded', 'Rate Limit Exceeded', f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {});
      else this.googleError(res, 403, 'rateLimitExceeded', 'Rate Limit Exceeded');
      return 'answered';
    }
    if ((pick -= kinds.serverError) < 0) {
      this.googleError(res, random() < 0.5 ? 500 : 503, 'backendError', 'Backend Error');
      return 'answered';
    }
    // Timeout: the work may even be done (writes!), but the answer comes too late.
    this.held.add(res);
    setTimeout(() => {
      this.held.delete(res);
      void after().catch(() => {});
    }, f.holdMs ?? 3_000).unref();
    return 'hold';
  }

  private count(route: string) {
    this.stats.requests++;
    this.stats.byRoute.set(route, (this.stats.byRoute.get(route) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;

    if (req.method === 'GET' && path === '/o/oauth2/v2/auth') {
      this.count('GET /authorize');
      return this.authorize(url, res);
    }
    if (req.method === 'POST' && path === '/token') {
      this.count('POST /token');
      const raw = await this.body(req);
      if (this.fault.includeToken) {
        const outcome = this.injectFault(res, async () => { res.destroy(); });
        if (outcome !== 'none') return;
      }
      return this.token(req, new URLSearchParams(raw), res);
    }

    const api = path.match(/^\/calendar\/v3\/(.*)$/);
    if (!api) return this.json(res, 404, { error: { code: 404, message: 'Not Found' } });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer ? this.accessTokens.get(bearer) : undefined;
    if (!grant || grant.expires < Date.now()) return this.googleError(res, 401, 'authError', 'Invalid Credentials', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    const account = this.account(grant.email);
    const raw = await this.body(req);
    const body = raw ? JSON.parse(raw) as Record<string, unknown> : {};
    const rest = api[1]!;
    const route = `${req.method} ${rest.replace(/events\/(?!watch$)[^/]+$/, 'events/{id}').replace(/calendars\/[^/]+/, 'calendars/{id}')}`;
    this.count(route);
    if (this.writeGate && (req.method === 'PATCH' || req.method === 'DELETE') && /events\/(?!watch$)[^/]+$/.test(rest)) {
      this.heldWrites++;
      await this.writeGate;
    }

    // Run the operation into a buffer, so a "timeout" fault can apply a write and answer late.
    const run = (): { status: number; body?: unknown; headers?: Record<string, string> } => this.api(req, url, rest, body, account);
    let result: ReturnType<typeof run> | undefined;
    const outcome = this.injectFault(res, async () => {
      result ??= run();
      res.destroy();
    });
    if (outcome === 'answered') return;
    if (outcome === 'hold') return;
    result = run();
    this.json(res, result.status, result.body, result.headers);
  }

  private authorize(url: URL, res: ServerResponse) {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    if (p.get('client_id') !== this.clientId) return this.json(res, 400, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    if (!this.redirectUris.has(redirectUri)) return this.json(res, 400, { error: 'redirect_uri_mismatch', error_description: `${redirectUri} is not registered` });
    const target = new URL(redirectUri);
    const state = p.get('state');
    if (p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
      target.searchParams.set('error', 'invalid_request');
      if (state) target.searchParams.set('state', state);
    } else {
      const code = `4/${randomBytes(16).toString('base64url')}`;
      this.codes.set(code, { email: this.approveAs, redirectUri, challenge: p.get('code_challenge')!, scope: p.get('scope') ?? '', expires: Date.now() + 60_000 });
      target.searchParams.set('code', code);
      if (state) target.searchParams.set('state', state);
      target.searchParams.set('scope', p.get('scope') ?? '');
    }
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private token(req: IncomingMessage, p: URLSearchParams, res: ServerResponse) {
    let clientId = p.get('client_id');
    let clientSecret = p.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) return this.json(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
    const grantType = p.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = this.codes.get(p.get('code') ?? '');
      this.codes.delete(p.get('code') ?? '');
      if (!code || code.expires < Date.now()) return this.json(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      if (code.redirectUri !== p.get('redirect_uri')) return this.json(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      const challenge = b64url(createHash('sha256').update(p.get('code_verifier') ?? '').digest());
      if (challenge !== code.challenge) return this.json(res, 400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
      return this.json(res, 200, this.tokens(code.email, code.scope), { 'cache-control': 'no-store' });
    }
    if (grantType === 'refresh_token') {
      const presented = p.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(presented);
      if (!grant || grant.revoked) return this.json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      this.refreshTokens.delete(presented); // rotation: the old refresh token is spent
      return this.json(res, 200, this.tokens(grant.email, 'https://www.googleapis.com/auth/calendar.events'), { 'cache-control': 'no-store' });
    }
    return this.json(res, 400, { error: 'unsupported_grant_type' });
  }

  private api(req: IncomingMessage, url: URL, rest: string, body: Record<string, unknown>, account: Account): { status: number; body?: unknown; headers?: Record<string, string> } {
    const error = (status: number, reason: string, message: string) => ({ status, body: { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } } });
    const strip = ({ seq: _seq, ...event }: FakeEvent) => ({ kind: 'calendar#event', ...event });
    let m: RegExpMatchArray | null;

    if (req.method === 'POST' && rest === 'channels/stop') {
      for (const acc of this.accounts.values()) {
        const channel = acc.channels.get(String(body.id));
        if (channel && channel.resourceId === body.resourceId) {
          acc.channels.delete(channel.id);
          return { status: 204 };
        }
      }
      return error(404, 'notFound', `Channel '${String(body.id)}' not found for project`);
    }
    if ((m = rest.match(/^calendars\/([^/]+)\/events\/watch$/)) && req.method === 'POST') {
      if (!body.id || body.type !== 'web_hook' || !body.address) return error(400, 'required', 'id, type=web_hook and address are required');
      const expiration = Number(body.expiration ?? Date.now() + 7 * 86_400_000);
      const channel = { id: String(body.id), resourceId: `res-${account.email}`, address: String(body.address), token: body.token as string | undefined, expiration, messages: 0 };
      account.channels.set(channel.id, channel);
      // Google sends a "sync" message when a channel is created.
      this.send(channel, 'sync');
      return { status: 200, body: { kind: 'api#channel', id: channel.id, resourceId: channel.resourceId, resourceUri: `${this.apiUrl}/calendars/primary/events`, token: channel.token, expiration: String(expiration) } };
    }
    if ((m = rest.match(/^calendars\/([^/]+)\/events$/))) {
      if (req.method === 'GET') return this.list(url, account);
      if (req.method === 'POST') {
        const id = typeof body.id === 'string' ? body.id : `ev${randomBytes(8).toString('hex')}`;
        if (!/^[a-v0-9]{5,1024}$/.test(id)) return error(400, 'invalid', 'Invalid resource id value.');
        if (account.events.has(id)) return error(409, 'duplicate', 'The requested identifier already exists.');
        const event = this.bump({ status: 'confirmed', start: {}, end: {}, ...body, id } as FakeEvent);
        account.events.set(id, event);
        this.notify(account);
        return { status: 200, body: strip(event) };
      }
    }
    if ((m = rest.match(/^calendars\/([^/]+)\/events\/([^/]+)$/))) {
      const id = decodeURIComponent(m[2]!);
      const current = account.events.get(id);
      if (!current) return error(404, 'notFound', 'Not Found');
      if (req.method === 'GET') return { status: 200, body: strip(current) };
      const ifMatch = req.headers['if-match'];
      if (ifMatch && ifMatch !== current.etag) return error(412, 'conditionNotMet', 'Precondition Failed');
      if (req.method === 'PATCH') {
        const next = this.bump({ ...current, ...body, id, status: (body.status as FakeEvent['status']) ?? (current.status === 'cancelled' ? 'confirmed' : current.status) });
        account.events.set(id, next);
        this.notify(account);
        return { status: 200, body: strip(next) };
      }
      if (req.method === 'DELETE') {
        if (current.status === 'cancelled') return error(410, 'deleted', 'Resource has been deleted');
        account.events.set(id, this.bump({ ...current, status: 'cancelled' }));
        this.notify(account);
        return { status: 204 };
      }
    }
    return error(404, 'notFound', 'Not Found');
  }

  private list(url: URL, account: Account) {
    const p = url.searchParams;
    const error = (status: number, reason: string, message: string) => ({ status, body: { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } } });
    const maxResults = Math.min(Number(p.get('maxResults') ?? 250), 2500);
    let state: { since: number | null; upto: number; timeMin: string | null; offset: number };
    const pageToken = p.get('pageToken');
    if (pageToken) {
      try {
        state = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8'));
      } catch {
        return error(400, 'invalid', 'Invalid page token');
      }
    } else {
      const syncToken = p.get('syncToken');
      if (syncToken && (p.get('timeMin') || p.get('timeMax') || p.get('q'))) return error(400, 'invalid', 'Sync token cannot be combined with timeMin, timeMax or q.');
      let since: number | null = null;
      if (syncToken) {
        const match = /^CP(\d+)x$/.exec(syncToken);
        if (!match) return error(400, 'invalid', 'Invalid sync token value.');
        since = Number(match[1]);
        if (since < this.expiredBefore) return error(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
      }
      state = { since, upto: this.seq, timeMin: p.get('timeMin'), offset: 0 };
    }
    const showDeleted = p.get('showDeleted') === 'true' || state.since !== null;
    const matching = [...account.events.values()]
      .filter((e) => e.seq <= state.upto && (state.since === null || e.seq > state.since))
      .filter((e) => showDeleted || e.status !== 'cancelled')
      .filter((e) => state.since !== null || !state.timeMin || Date.parse(e.end.dateTime ?? `${e.end.date}T00:00:00Z`) >= Date.parse(state.timeMin))
      .sort((a, b) => a.seq - b.seq);
    const page = matching.slice(state.offset, state.offset + maxResults);
    const more = state.offset + maxResults < matching.length;
    const body: Record<string, unknown> = {
      kind: 'calendar#events',
      summary: account.email,
      timeZone: 'UTC',
      items: page.map(({ seq: _seq, ...event }) => ({ kind: 'calendar#event', ...event })),
    };
    if (more) body.nextPageToken = Buffer.from(JSON.stringify({ ...state, offset: state.offset + maxResults })).toString('base64url');
    else body.nextSyncToken = `CP${state.upto}x`;
    return { status: 200, body };
  }

  private notify(account: Account) {
    if (!this.pushEnabled) return;
    for (const channel of account.channels.values()) this.send(channel, 'exists');
  }

  private send(channel: Account['channels'] extends Map<string, infer C> ? C : never, state: 'sync' | 'exists') {
    if (channel.expiration < Date.now()) return;
    const number = ++channel.messages;
    this.stats.notificationsSent++;
    // Google delivers asynchronously and does not wait for us.
    setImmediate(() => {
      void fetch(channel.address, {
        method: 'POST',
        headers: {
          'x-goog-channel-id': channel.id,
          ...(channel.token ? { 'x-goog-channel-token': channel.token } : {}),
          'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
          'x-goog-resource-id': channel.resourceId,
          'x-goog-resource-uri': `${this.apiUrl}/calendars/primary/events`,
          'x-goog-resource-state': state,
          'x-goog-message-number': String(number),
        },
      }).catch(() => {});
    });
  }
}

export const randomChannelId = () => randomUUID();
