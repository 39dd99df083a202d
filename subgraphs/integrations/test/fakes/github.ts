/**
 * A local fake of GitHub's OAuth app web flow and the one REST call we make (GET /user), following
 * GitHub's documented contract ("Authorizing OAuth apps", "Troubleshooting OAuth app access token
 * request errors", "Refreshing user access tokens", "Rate limits for the REST API"). One server plays
 * both hosts: github.com (/login/oauth/*) and api.github.com (everything else).
 *
 * - GET  /login/oauth/authorize?client_id&redirect_uri&scope&state[&code_challenge&code_challenge_method=S256]
 *   auto-approves as `approveAs` and redirects to redirect_uri?code&state. An unknown client id gets a
 *   404 page (no redirect). A redirect_uri that is not exactly a registered callback URL sends the
 *   browser to the (first) registered one with error=redirect_uri_mismatch&state; without redirect_uri
 *   the registered one is used. `denyNext` answers error=access_denied (the user pressed Cancel).
 *   Only S256 is accepted as code_challenge_method. Codes are single-use and live 10 minutes.
 * - POST /login/oauth/access_token (client_id + client_secret in the form or HTTP Basic; code,
 *   redirect_uri, code_verifier; or grant_type=refresh_token + refresh_token): answers form-encoded
 *   (access_token=…&scope=…&token_type=bearer) unless `Accept: application/json`. ERRORS ARE HTTP 200
 *   too, { error, error_description, error_uri }: incorrect_client_credentials, redirect_uri_mismatch,
 *   bad_verification_code (unknown, used or expired code, and — GitHub does not document a separate
 *   code — a code_verifier that does not match the challenge), bad_refresh_token, unsupported_grant_type.
 *   Scopes come back comma-separated ("read:user"). Tokens do not expire unless `expiringTokens` (the
 *   "user-to-server token expiration" opt-in): then expires_in (8 h), refresh_token (ghr_…) and
 *   refresh_token_expires_in (6 months); a refresh rotates the refresh token (the old one is spent).
 * - GET  /user (Authorization: Bearer|token <token>) → { login, id, … } with X-RateLimit-Limit,
 *   -Remaining, -Reset, -Used, -Resource headers; 401 { message: "Bad credentials" } for unknown or
 *   expired tokens; `rateLimitNext` answers 403 with X-RateLimit-Remaining: 0 (primary limit) and
 *   `secondaryLimitNext` 429 with Retry-After (secondary limit).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGithubOptions {
  clientId?: string;
  clientSecret?: string;
  /** Registered callback URLs (exact match). */
  redirectUris?: string[];
  /** The user auto-approved at /login/oauth/authorize (default octocat, id 583231). */
  approveAs?: { login: string; id: number };
  /** Token expiration enabled for the app: expires_in + rotating refresh tokens. */
  expiringTokens?: boolean;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
}

const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';
const TOKEN_ERRORS: Record<string, string> = {
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  redirect_uri_mismatch: 'The redirect_uri MUST match the registered callback URL for this application.',
  bad_verification_code: 'The code passed is incorrect or expired.',
  bad_refresh_token: 'The refresh token passed is incorrect or expired.',
  unsupported_grant_type: 'The grant type is not supported.',
};

interface IssuedCode { user: { login: string; id: number }; redirectUri: string; challenge: string | null; scope: string; expires: number }

export class FakeGithub {
  /** The base of both hosts (github.com and api.github.com). */
  url = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: string[];
  approveAs: { login: string; id: number };
  expiringTokens: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  private readonly codes = new Map<string, IssuedCode>();
  /** access token → user and expiry (ms, null: never). */
  readonly tokens = new Map<string, { user: { login: string; id: number }; scope: string; expires: number | null }>();
  /** refresh token → user and expiry (ms). */
  readonly refreshTokens = new Map<string, { user: { login: string; id: number }; scope: string; expires: number }>();
  /** Every secret this fake handed out (codes, access and refresh tokens): tests assert none is logged. */
  readonly secrets: string[] = [];
  /** "METHOD /path" of every request. */
  readonly calls: string[] = [];
  /** Every token endpoint request: its grant, Accept header and the error answered (null: tokens issued). */
  readonly tokenRequests: { grantType: string; accept: string; error: string | null; codeVerifier: string | null }[] = [];
  /** Answer the next N authorizations with error=access_denied. */
  denyNext = 0;
  /** 403 + X-RateLimit-Remaining: 0 for the next N API calls. */
  rateLimitNext = 0;
  /** 429 + Retry-After for the next N API calls. */
  secondaryLimitNext = 0;
  rateLimit = { limit: 5000, remaining: 5000 };
  private server: Server | undefined;

  constructor(options: FakeGithubOptions = {}) {
    this.clientId = options.clientId ?? 'Iv1.fakegithubclient';
    this.clientSecret = options.clientSecret ?? 'fake-github-secret';
    this.redirectUris = [...(options.redirectUris ?? [])];
    this.approveAs = options.approveAs ?? { login: 'octocat', id: 583231 };
    this.expiringTokens = options.expiringTokens ?? false;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 28_800;
    this.refreshTokenTtlSeconds = options.refreshTokenTtlSeconds ?? 15_897_600;
  }

  get authorizeUrl() { return `${this.url}/login/oauth/authorize`; }
  get tokenUrl() { return `${this.url}/login/oauth/access_token`; }

  /** The env the integrations subgraph needs to use this fake. */
  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.clientId,
      GITHUB_CLIENT_SECRET: this.clientSecret,
      GITHUB_OAUTH_AUTHORIZE_URL: this.authorizeUrl,
      GITHUB_OAUTH_TOKEN_URL: this.tokenUrl,
      GITHUB_API_URL: this.url,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Makes every outstanding authorization code expired (as after GitHub's 10 minutes). */
  expireCodes() {
    for (const code of this.codes.values()) code.expires = 0;
  }

  /** Makes every access token expired (only meaningful with expiringTokens). */
  expireAccessTokens() {
    for (const token of this.tokens.values()) token.expires = 0;
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
    this.calls.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorize(url, res);
    if (url.pathname === '/login/oauth/access_token') {
      if (req.method !== 'POST') return this.send(res, 404, { error: 'Not Found' });
      // GitHub reads the parameters from the query string, a form or a JSON body.
      const params = new URLSearchParams(url.search);
      const body = (req.headers['content-type'] ?? '').includes('json') && raw ? Object.entries(JSON.parse(raw) as Record<string, string>) : [...new URLSearchParams(raw)];
      for (const [key, value] of body) params.set(key, String(value));
      return this.accessToken(req, params, res);
    }
    if (req.method === 'GET' && url.pathname === '/user') return this.user(req, res);
    return this.send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  }

  private authorize(url: URL, res: ServerResponse) {
    const p = url.searchParams;
    // An unknown client: GitHub shows a 404 page, it does not redirect anywhere.
    if (p.get('client_id') !== this.clientId || !this.redirectUris.length) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Page not found · GitHub</title>');
      return;
    }
    const asked = p.get('redirect_uri');
    const state = p.get('state');
    const redirectUri = asked ?? this.redirectUris[0]!;
    const fail = (target: URL, error: string, description: string) => {
      target.searchParams.set('error', error);
      target.searchParams.set('error_description', description);
      target.searchParams.set('error_uri', `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#${error.replace(/_/g, '-')}`);
      if (state) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.toString() });
      res.end();
    };
    if (!this.redirectUris.includes(redirectUri)) return fail(new URL(this.redirectUris[0]!), 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
    const target = new URL(redirectUri);
    if (this.denyNext > 0) {
      this.denyNext--;
      return fail(target, 'access_denied', 'The user has denied your application access.');
    }
    const challenge = p.get('code_challenge');
    if (challenge && (p.get('code_challenge_method') ?? 'plain') !== 'S256') return fail(target, 'invalid_request', 'code_challenge_method must be S256.');
    const code = randomBytes(10).toString('hex'); // GitHub's codes are 20 hex characters
    this.codes.set(code, { user: this.approveAs, redirectUri, challenge, scope: (p.get('scope') ?? '').split(/[ ,]+/).filter(Boolean).join(','), expires: Date.now() + 10 * 60_000 });
    this.secrets.push(code);
    target.searchParams.set('code', code);
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  /** HTTP 200 either way; JSON only when asked with Accept: application/json, else form-encoded. */
  private answer(req: IncomingMessage, res: ServerResponse, body: Record<string, string | number>) {
    const accept = req.headers.accept ?? '';
    if (accept.includes('application/json')) return this.send(res, 200, body);
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    res.end(new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString());
  }

  private tokenError(req: IncomingMessage, res: ServerResponse, error: string, record: FakeGithub['tokenRequests'][number]) {
    record.error = error;
    return this.answer(req, res, { error, error_description: TOKEN_ERRORS[error] ?? error, error_uri: `${DOCS}/#${error.replace(/_/g, '-')}` });
  }

  private issue(user: { login: string; id: number }, scope: string): Record<string, string | number> {
    const accessToken = `gho_${randomBytes(18).toString('hex')}`;
    this.secrets.push(accessToken);
    this.tokens.set(accessToken, { user, scope, expires: this.expiringTokens ? Date.now() + this.accessTokenTtlSeconds * 1000 : null });
    if (!this.expiringTokens) return { access_token: accessToken, scope, token_type: 'bearer' };
    const refreshToken = `ghr_${randomBytes(30).toString('hex')}`;
    this.secrets.push(refreshToken);
    this.refreshTokens.set(refreshToken, { user, scope, expires: Date.now() + this.refreshTokenTtlSeconds * 1000 });
    return { access_token: accessToken, expires_in: this.accessTokenTtlSeconds, refresh_token: refreshToken, refresh_token_expires_in: this.refreshTokenTtlSeconds, scope, token_type: 'bearer' };
  }

  private accessToken(req: IncomingMessage, p: URLSearchParams, res: ServerResponse) {
    let clientId = p.get('client_id');
    let clientSecret = p.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) [clientId, clientSecret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
    const grantType = p.get('grant_type') ?? 'authorization_code';
    const record = { grantType, accept: req.headers.accept ?? '', error: null as string | null, codeVerifier: p.get('code_verifier') };
    this.tokenRequests.push(record);
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) return this.tokenError(req, res, 'incorrect_client_credentials', record);

    if (grantType === 'refresh_token') {
      const presented = p.get('refresh_token') ?? '';
      const grant = this.refreshTokens.get(presented);
      this.refreshTokens.delete(presented); // rotation: a refresh token is single-use
      if (!grant || grant.expires < Date.now()) return this.tokenError(req, res, 'bad_refresh_token', record);
      return this.answer(req, res, this.issue(grant.user, grant.scope));
    }
    if (grantType !== 'authorization_code') return this.tokenError(req, res, 'unsupported_grant_type', record);

    const presented = p.get('code') ?? '';
    const code = this.codes.get(presented);
    this.codes.delete(presented); // single use, even when the exchange fails
    if (!code || code.expires < Date.now()) return this.tokenError(req, res, 'bad_verification_code', record);
    const redirectUri = p.get('redirect_uri');
    if (redirectUri !== null && redirectUri !== code.redirectUri) return this.tokenError(req, res, 'redirect_uri_mismatch', record);
    if (code.challenge && createHash('sha256').update(p.get('code_verifier') ?? '').digest('base64url') !== code.challenge) {
      return this.tokenError(req, res, 'bad_verification_code', record);
    }
    return this.answer(req, res, this.issue(code.user, code.scope));
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rateLimit.limit),
      'x-ratelimit-remaining': String(this.rateLimit.remaining),
      'x-ratelimit-used': String(this.rateLimit.limit - this.rateLimit.remaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  private user(req: IncomingMessage, res: ServerResponse) {
    const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = token ? this.tokens.get(token) : undefined;
    if (!grant || (grant.expires !== null && grant.expires < Date.now())) {
      return this.send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.send(res, 403, { message: `API rate limit exceeded for user ID ${grant.user.id}.`, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, { ...this.rateHeaders(), 'x-ratelimit-remaining': '0', 'x-ratelimit-used': String(this.rateLimit.limit) });
    }
    if (this.secondaryLimitNext > 0) {
      this.secondaryLimitNext--;
      return this.send(res, 429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: '429' }, { ...this.rateHeaders(), 'retry-after': '0' });
    }
    this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
    return this.send(res, 200, { login: grant.user.login, id: grant.user.id, node_id: `U_${grant.user.id}`, type: 'User', site_admin: false, name: null }, { ...this.rateHeaders(), 'x-oauth-scopes': grant.scope.split(',').join(', ') });
  }
}
