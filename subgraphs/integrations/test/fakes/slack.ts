/**
 * A local fake of the Slack Web API methods we use (users.profile.get/set, dnd.setSnooze,
 * dnd.endSnooze, auth.test, conversations.open, chat.postMessage): HTTP 200 with { ok: false, error } for failures as Slack does,
 * invalid_auth for unknown tokens, and 429 + Retry-After injection.
 *
 * OAuth v2 ("Sign in with Slack" is not used; app install with bot scopes + user scopes):
 * - GET  /oauth/v2/authorize?client_id[&scope][&user_scope]&redirect_uri&state[&code_challenge&code_challenge_method=S256]
 *   auto-approves as `approveAs` and redirects to redirect_uri?code&state (the redirect URI must be registered)
 * - POST /api/oauth.v2.access (client_id + client_secret in the form or HTTP Basic, code, redirect_uri
 *   [, code_verifier]) → 200 { ok: true, app_id, [access_token: "xoxb-…", token_type: "bot", scope, bot_user_id,]
 *   authed_user: { id, scope, access_token: "xoxp-…", token_type: "user" }, team, enterprise, is_enterprise_install }:
 *   the top-level bot token only when bot scopes were requested in `scope`, authed_user's token only when user
 *   scopes were requested in `user_scope`. With `rotation` (token rotation enabled on the app) each token comes
 *   with its own refresh_token ("xoxe-1-…") and expires_in (43200), and grant_type=refresh_token exchanges a
 *   refresh token for a new pair of the same type (top-level access_token + token_type "bot" or "user"); the spent
 *   refresh token stops working (invalid_refresh_token). Failures 200 { ok: false, error } (invalid_code,
 *   bad_redirect_uri, invalid_client_id, bad_client_secret), as Slack documents.
 *
 * Token types: a bot token acts as the app's bot user (`botUserId`, bot id `botId`); methods that take
 * user tokens only (users.profile.set, dnd.setSnooze, dnd.endSnooze) answer a bot token with
 * { ok: false, error: "not_allowed_token_type" }, and methods taking bot tokens only (`BOT_ONLY`) answer
 * a user token the same way.
 *
 * conversations.open { users } → { ok, channel: { id } } (one D… id per member set, the caller included:
 * the user's self-DM for a user token and its own id, the app's DM with the user for a bot token;
 * user_not_found for other than U…/W…); chat.postMessage { channel, text } → { ok, channel, ts, message }
 * where message is { type, user, text, ts } from a user token and { type, user: <bot user id>, bot_id,
 * app_id, text, ts } from a bot token (channel_not_found for a D… id the caller is not in, no_text without
 * text); posts are recorded in `messages`, and `notifications(user)` lists the DMs that notify `user`
 * (in a DM the user is in, written by someone else: a user's message to themselves notifies no one).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  /** Slack user id auto-approved at /oauth/v2/authorize (default U0FAKE). */
  approveAs?: string;
  /** Token rotation enabled on the app: refresh tokens + expiring access tokens. */
  rotation?: boolean;
}

/** Methods Slack serves to user tokens only (their docs list no bot-token scope). */
export const USER_ONLY = new Set(['users.profile.set', 'dnd.setSnooze', 'dnd.endSnooze', 'users.setPresence']);
/** Methods Slack serves to bot tokens only (none of the methods served here; kept for tests that add some). */
export const BOT_ONLY = new Set<string>();

export interface FakeSlackMessage {
  channel: string;
  /** The author: the user, or the app's bot user for a bot token. */
  user: string;
  text: string;
  ts: string;
  /** Set when posted with a bot token (the app's message). */
  bot_id?: string;
  app_id?: string;
}

export class FakeSlack {
  /** The Web API base (…/api). */
  url = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
  approveAs: string;
  rotation: boolean;
  readonly appId = 'A0FAKE';
  /** The app's bot user and bot id. */
  readonly botUserId = 'U0FAKEBOT';
  readonly botId = 'B0FAKEBOT';
  private readonly codes = new Map<string, { userId: string; redirectUri: string; challenge: string | null; scope: string; botScope: string; expires: number }>();
  readonly tokens = new Map<string, string>(); // user token → user id
  /** Bot tokens issued (token → granted bot scopes). */
  readonly botTokens = new Map<string, string>();
  /** Live refresh tokens (rotation): refresh token → what it renews. */
  private readonly refreshTokens = new Map<string, { type: 'bot' | 'user'; userId: string; scope: string }>();
  readonly profiles = new Map<string, { status_text: string; status_emoji: string; status_expiration: number }>();
  readonly snooze = new Map<string, number | null>(); // user → snooze end (epoch s)
  readonly calls: string[] = [];
  /** DM channels opened with conversations.open: channel id → member user ids. */
  readonly ims = new Map<string, string[]>();
  /** Every chat.postMessage that succeeded. */
  readonly messages: FakeSlackMessage[] = [];
  rateLimitNext = 0;
  /** 429 + Retry-After for the next N calls of one method (method → N). */
  readonly rateLimitMethods = new Map<string, number>();
  private server: Server | undefined;

  constructor(options: FakeSlackOptions = {}) {
    this.clientId = options.clientId ?? 'fake-slack-client';
    this.clientSecret = options.clientSecret ?? 'fake-slack-secret';
    this.redirectUris = new Set(options.redirectUris ?? []);
    this.approveAs = options.approveAs ?? 'U0FAKE';
    this.rotation = options.rotation ?? false;
  }

  /** The DMs that notify `userId`: in a DM channel they are a member of, written by someone else (the app's bot). */
  notifications(userId: string): FakeSlackMessage[] {
    return this.messages.filter((m) => m.channel.startsWith('D') && this.ims.get(m.channel)?.includes(userId) && m.user !== userId);
  }

  /** Adds a bot token of this app (as an install with bot scopes would). */
  addBotToken(token: string, scope = 'chat:write,im:write') {
    this.botTokens.set(token, scope);
  }

  get origin() { return this.url.replace(/\/api$/, ''); }
  get authorizeUrl() { return `${this.origin}/oauth/v2/authorize`; }
  get tokenUrl() { return `${this.url}/oauth.v2.access`; }

  /** The env the integrations subgraph needs to use this fake. */
  env(): Record<string, string> {
    return {
      SLACK_CLIENT_ID: this.clientId,
      SLACK_CLIENT_SECRET: this.clientSecret,
      SLACK_OAUTH_AUTHORIZE_URL: this.authorizeUrl,
      SLACK_OAUTH_TOKEN_URL: this.tokenUrl,
      SLACK_API_URL: this.url,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addUser(token: string, userId: string, status = { status_text: 'In Berlin', status_emoji: ':flag-de:', status_expiration: 0 }) {
    this.tokens.set(token, userId);
    this.profiles.set(userId, { ...status });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/oauth/v2/authorize') {
      this.calls.push('oauth/v2/authorize');
      return this.authorize(url, res);
    }
    const method = url.pathname.replace(/^\/api\//, '');
    this.calls.push(method);
    if (method === 'oauth.v2.access') return this.access(req, new URLSearchParams(raw), res);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' });
    }
    const limited = this.rateLimitMethods.get(method) ?? 0;
    if (limited > 0) {
      this.rateLimitMethods.set(method, limited - 1);
      return this.send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' });
    }
    const args: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('json') ? (raw ? JSON.parse(raw) : {}) : Object.fromEntries(new URLSearchParams(raw));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const isBot = token ? this.botTokens.has(token) : false;
    // A bot token acts as the app's bot user.
    const user = token ? (isBot ? this.botUserId : this.tokens.get(token)) : undefined;
    if (!user) return this.send(res, 200, { ok: false, error: 'invalid_auth' });
    if ((isBot && USER_ONLY.has(method)) || (!isBot && BOT_ONLY.has(method))) return this.send(res, 200, { ok: false, error: 'not_allowed_token_type' });
    switch (method) {
      case 'auth.test':
        return this.send(res, 200, { ok: true, user_id: user, team_id: 'T1', ...(isBot ? { bot_id: this.botId } : {}) });
      case 'users.profile.get':
        return this.send(res, 200, { ok: true, profile: this.profiles.get(user) });
      case 'users.profile.set': {
        const profile = args.profile as Record<string, unknown>;
        this.profiles.set(user, { status_text: String(profile.status_text ?? ''), status_emoji: String(profile.status_emoji ?? ''), status_expiration: Number(profile.status_expiration ?? 0) });
        return this.send(res, 200, { ok: true, profile: this.profiles.get(user) });
      }
      case 'dnd.setSnooze':
        this.snooze.set(user, Math.floor(Date.now() / 1000) + Number(args.num_minutes) * 60);
        return this.send(res, 200, { ok: true, snooze_enabled: true, snooze_endtime: this.snooze.get(user) });
      case 'dnd.endSnooze':
        if (!this.snooze.get(user)) return this.send(res, 200, { ok: false, error: 'snooze_not_active' });
        this.snooze.set(user, null);
        return this.send(res, 200, { ok: true, snooze_enabled: false });
      case 'conversations.open': {
        const members = String(args.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
        if (!members.length) return this.send(res, 200, { ok: false, error: 'users_list_not_supplied' });
        if (members.some((u) => !/^[UW][A-Z0-9]+$/.test(u))) return this.send(res, 200, { ok: false, error: 'user_not_found' });
        const key = [...new Set([user, ...members])].sort().join(',');
        const id = [...this.ims].find(([, m]) => [...m].sort().join(',') === key)?.[0] ?? `D${String(this.ims.size + 1).padStart(8, '0')}`;
        this.ims.set(id, key.split(','));
        return this.send(res, 200, { ok: true, channel: { id } });
      }
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        const text = args.text == null ? '' : String(args.text);
        if (!this.ims.get(channel)?.includes(user)) return this.send(res, 200, { ok: false, error: 'channel_not_found' });
        if (!text) return this.send(res, 200, { ok: false, error: 'no_text' });
        const ts = `${Math.floor(Date.now() / 1000)}.${String(this.messages.length + 1).padStart(6, '0')}`;
        const message: FakeSlackMessage = isBot ? { channel, user, bot_id: this.botId, app_id: this.appId, text, ts } : { channel, user, text, ts };
        this.messages.push(message);
        const { channel: _channel, ...shape } = message;
        return this.send(res, 200, { ok: true, channel, ts, message: { type: 'message', ...shape } });
      }
      default:
        return this.send(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  private authorize(url: URL, res: ServerResponse) {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    // Slack shows an error page (no redirect) for an unknown client or an unregistered redirect URI.
    if (p.get('client_id') !== this.clientId) return this.send(res, 400, { ok: false, error: 'invalid_client_id' });
    if (!this.redirectUris.has(redirectUri)) return this.send(res, 400, { ok: false, error: 'bad_redirect_uri' });
    const target = new URL(redirectUri);
    const state = p.get('state');
    const challenge = p.get('code_challenge');
    if (!p.get('scope') && !p.get('user_scope')) {
      target.searchParams.set('error', 'invalid_scope');
    } else if (challenge && p.get('code_challenge_method') !== 'S256') {
      target.searchParams.set('error', 'invalid_code_challenge_method');
    } else {
      const code = `${Date.now()}.${randomBytes(16).toString('hex')}`;
      this.codes.set(code, { userId: this.approveAs, redirectUri, challenge, scope: p.get('user_scope') ?? '', botScope: p.get('scope') ?? '', expires: Date.now() + 10 * 60_000 });
      target.searchParams.set('code', code);
    }
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private access(req: IncomingMessage, p: URLSearchParams, res: ServerResponse) {
    let clientId = p.get('client_id');
    let clientSecret = p.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
    if (clientId !== this.clientId) return this.send(res, 200, { ok: false, error: 'invalid_client_id' });
    if (clientSecret !== this.clientSecret) return this.send(res, 200, { ok: false, error: 'bad_client_secret' });
    const grantType = p.get('grant_type');
    if (grantType === 'refresh_token') return this.refresh(p, res);
    if (grantType && grantType !== 'authorization_code') return this.send(res, 200, { ok: false, error: 'invalid_grant_type' });
    const code = this.codes.get(p.get('code') ?? '');
    this.codes.delete(p.get('code') ?? '');
    if (!code || code.expires < Date.now()) return this.send(res, 200, { ok: false, error: 'invalid_code' });
    if (code.redirectUri !== p.get('redirect_uri')) return this.send(res, 200, { ok: false, error: 'bad_redirect_uri' });
    if (code.challenge && createHash('sha256').update(p.get('code_verifier') ?? '').digest('base64url') !== code.challenge) {
      return this.send(res, 200, { ok: false, error: 'invalid_code_verifier' });
    }
    if (!this.profiles.has(code.userId)) this.profiles.set(code.userId, { status_text: '', status_emoji: '', status_expiration: 0 });
    const bot = code.botScope ? { ...this.issue('bot', code.userId, code.botScope), scope: code.botScope, bot_user_id: this.botUserId } : {};
    const authedUser = code.scope ? { ...this.issue('user', code.userId, code.scope), scope: code.scope } : {};
    return this.send(res, 200, {
      ok: true,
      app_id: this.appId,
      ...bot,
      authed_user: { id: code.userId, ...authedUser },
      team: { id: 'T1', name: 'Fake Team' },
      enterprise: null,
      is_enterprise_install: false,
    });
  }

  /** A new access token of `type` (+ refresh token and expiry with rotation). */
  private issue(type: 'bot' | 'user', userId: string, scope: string) {
    const accessToken = `${this.rotation ? 'xoxe.' : ''}${type === 'bot' ? 'xoxb' : 'xoxp'}-${randomBytes(12).toString('hex')}`;
    if (type === 'bot') this.botTokens.set(accessToken, scope);
    else this.tokens.set(accessToken, userId);
    if (!this.rotation) return { access_token: accessToken, token_type: type };
    const refreshToken = `xoxe-1-${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, { type, userId, scope });
    return { access_token: accessToken, token_type: type, refresh_token: refreshToken, expires_in: 43_200 };
  }

  private refresh(p: URLSearchParams, res: ServerResponse) {
    const spent = this.refreshTokens.get(p.get('refresh_token') ?? '');
    if (!spent) return this.send(res, 200, { ok: false, error: 'invalid_refresh_token' });
    this.refreshTokens.delete(p.get('refresh_token')!);
    const issued = this.issue(spent.type, spent.userId, spent.scope);
    return this.send(res, 200, {
      ok: true, app_id: this.appId, ...issued, scope: spent.scope,
      ...(spent.type === 'bot' ? { bot_user_id: this.botUserId } : { user_id: spent.userId }),
      team: { id: 'T1', name: 'Fake Team' }, enterprise: null, is_enterprise_install: false,
    });
  }
}
