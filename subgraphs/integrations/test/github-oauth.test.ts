// GitHub OAuth app connection against the local GitHub fake (test/fakes/github.ts), through the same
// path production uses: OAuthService.connect (what connectProvider calls) → the authorization URL
// in a "browser" (fetch, redirects not followed) → the fake auto-approves → our real callback route
// (GET /oauth/callback/github on a local HTTP server) → oauth4webapi code exchange → stored tokens.
import type { Identity } from '@flowforge/auth';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oauthCallbackRoute } from '../src/http/routes.js';
import { githubTokenResponse } from '../src/providers/github/connector.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { FakeGithub } from './fakes/github.js';
import { newKek, openHarness, type Harness } from './harness.js';

describe('GitHub OAuth app connection against the fake', () => {
  let h: Harness;
  let fake: FakeGithub;
  let expiring: FakeGithub;
  let server: Server;
  let origin: string;
  let app: IntegrationsApp;
  const kek = newKek();

  beforeAll(async () => {
    h = await openHarness();
    // Our public origin: a local server with the real callback route, known before the app exists.
    server = createServer(async (req, res) => {
      if (!(await oauthCallbackRoute(() => app, () => h.log)(req, res))) {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fake = await new FakeGithub({ redirectUris: [`${origin}/oauth/callback/github`], approveAs: { login: 'octocat', id: 583231 } }).start();
    expiring = await new FakeGithub({ redirectUris: [`${origin}/oauth/callback/github`], approveAs: { login: 'hubot', id: 1000 }, expiringTokens: true }).start();
    app = h.app({ env: { ...fake.env(), INTEGRATIONS_PUBLIC_URL: origin, INTEGRATIONS_KEK: kek.base64 } });
  });
  afterAll(async () => {
    // No code, access or refresh token from either fake ever reached a log line.
    const logged = JSON.stringify(h?.logs ?? []);
    for (const secret of [...(fake?.secrets ?? []), ...(expiring?.secrets ?? [])]) expect(logged).not.toContain(secret);
    await h?.close();
    await fake?.stop();
    await expiring?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const member = (): Identity => ({ userId: randomUUID(), organizationId: randomUUID(), workspaceId: null, role: 'USER', sessionId: null });

  /** connectProvider's start, then the browser at the (fake) provider: returns where GitHub redirected to. */
  async function authorize(identity: Identity, using: IntegrationsApp = app, tamper?: (url: URL) => void) {
    const started = await using.oauth.connect(identity, 'GITHUB');
    const url = new URL(started.authorizationUrl);
    tamper?.(url);
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    return { started, url, callback: new URL(consent.headers.get('location')!) };
  }

  const row = (id: string) => h.db.providerConnection.findUniqueOrThrow({ where: { id } });

  /** The stored row, as it would be dumped: bytes as UTF-8, hex and base64, so a token in any of them shows. */
  const dump = async (id: string) => JSON.stringify(await row(id), (_key, value: unknown) => {
    if (value instanceof Uint8Array) { const b = Buffer.from(value); return `${b.toString('utf8')}|${b.toString('hex')}|${b.toString('base64')}`; }
    return value;
  });

  const issuedTokens = (github: FakeGithub) => [...github.tokens.keys()];

  it('connects: authorize URL per GitHub contract, callback exchanges the code (PKCE), token stored encrypted, login recorded', async () => {
    const identity = member();
    const { started, url, callback } = await authorize(identity);
    expect(`${url.origin}${url.pathname}`).toBe(fake.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: fake.clientId, redirect_uri: `${origin}/oauth/callback/github`, scope: 'read:user', code_challenge_method: 'S256' });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${origin}/oauth/callback/github`);
    expect(callback.searchParams.get('state')).toBe(url.searchParams.get('state'));
    expect((await row(started.connectionId)).status).toBe('PENDING');

    const before = fake.tokenRequests.length;
    const done = await fetch(callback);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('GITHUB is connected');
    // One exchange, asking for JSON, with the verifier of the challenge sent at authorize.
    const exchange = fake.tokenRequests.slice(before);
    expect(exchange).toMatchObject([{ grantType: 'authorization_code', error: null }]);
    expect(exchange[0]!.accept).toContain('application/json');
    expect(createHash('sha256').update(exchange[0]!.codeVerifier!).digest('base64url')).toBe(url.searchParams.get('code_challenge'));

    const stored = await row(started.connectionId);
    expect(stored).toMatchObject({ status: 'CONNECTED', externalAccountId: 'octocat', scopes: ['read:user'], lastError: null, tokenExpiresAt: null, refreshTokenCiphertext: null, organizationId: identity.organizationId, userId: identity.userId });
    const [token] = issuedTokens(fake).filter((t) => fake.tokens.get(t)!.user.login === 'octocat');
    expect(token).toMatch(/^gho_/);
    // Encrypted at rest: the row holds no trace of the token, yet the token store gives it back.
    expect(stored.accessTokenCiphertext).not.toBeNull();
    expect(await dump(started.connectionId)).not.toContain(token!);
    expect(await dump(started.connectionId)).not.toContain(token!.slice(4));
    expect(await app.tokens.accessToken(started.connectionId)).toBe(token);
    expect(fake.calls).toContain('GET /user');

    // The state is single-use: the same redirect again is refused, without a second exchange.
    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('unknown, expired or already used');
    expect(fake.tokenRequests.length).toBe(before + 1);
  });

  it('refuses a PKCE verifier mismatch (a code bound to another challenge): no token stored', async () => {
    // The browser reaches GitHub with a challenge that is not ours (as with an injected code):
    // our exchange sends our verifier, GitHub refuses it (HTTP 200 + error).
    const { started, callback } = await authorize(member(), app, (url) => url.searchParams.set('code_challenge', createHash('sha256').update('attacker-verifier-'.padEnd(60, 'x')).digest('base64url')));
    const before = fake.tokenRequests.length;
    const done = await fetch(callback);
    expect(done.status).toBe(400);
    expect(await done.text()).toContain('The provider refused the authorization code (bad_verification_code)');
    expect(fake.tokenRequests.slice(before)).toMatchObject([{ error: 'bad_verification_code' }]);
    const stored = await row(started.connectionId);
    expect(stored).toMatchObject({ status: 'PENDING', accessTokenCiphertext: null, refreshTokenCiphertext: null, externalAccountId: null });
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'oauth code exchange failed', provider: 'GITHUB', reason: 'bad_verification_code' }));
  });

  it('turns GitHub\'s HTTP 200 + { error } token answers into a clear failed connection, never a stored token', async () => {
    // An expired code (GitHub: 10 minutes): bad_verification_code with HTTP 200.
    const { started, callback } = await authorize(member());
    fake.expireCodes();
    const raw = await fetch(fake.tokenUrl, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ client_id: fake.clientId, client_secret: fake.clientSecret, code: 'nope' }) });
    expect(raw.status).toBe(200); // the quirk, as the fake plays it
    expect(await raw.json()).toMatchObject({ error: 'bad_verification_code', error_description: expect.any(String), error_uri: expect.stringContaining('bad-verification-code') });
    const done = await fetch(callback);
    expect(done.status).toBe(400);
    const page = await done.text();
    expect(page).toContain('bad_verification_code');
    expect(page).toContain('start connecting again');
    expect(await row(started.connectionId)).toMatchObject({ status: 'PENDING', accessTokenCiphertext: null, tokenKeyVersion: null });

    // Wrong client secret on our side: incorrect_client_credentials, also HTTP 200 at GitHub.
    const misconfigured = h.app({ env: { ...fake.env(), GITHUB_CLIENT_SECRET: 'wrong-secret', INTEGRATIONS_PUBLIC_URL: origin, INTEGRATIONS_KEK: kek.base64 } });
    const second = await authorize(member(), misconfigured);
    await expect(misconfigured.oauth.complete('GITHUB', second.callback)).rejects.toThrow(/refused the authorization code \(incorrect_client_credentials\)/);
    expect(await row(second.started.connectionId)).toMatchObject({ status: 'PENDING', accessTokenCiphertext: null });
  });

  it('normalises GitHub token answers: 200 + error → RFC 400, form-encoded success → JSON, JSON success untouched', async () => {
    const error = await githubTokenResponse(new Response(JSON.stringify({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: 'https://docs.github.com/x' }), { status: 200, headers: { 'content-type': 'application/json' } }));
    expect(error.status).toBe(400);
    expect(await error.json()).toEqual({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: 'https://docs.github.com/x' });
    const refresh = await githubTokenResponse(new Response('error=bad_refresh_token&error_description=gone', { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({ error: 'invalid_grant', error_description: 'gone', github_error: 'bad_refresh_token' });
    const form = await githubTokenResponse(new Response('access_token=gho_x&expires_in=28800&scope=read%3Auser&token_type=bearer', { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } }));
    expect(await form.json()).toEqual({ access_token: 'gho_x', expires_in: 28800, scope: 'read:user', token_type: 'bearer' });
    const json = await githubTokenResponse(new Response('{"access_token":"gho_y","token_type":"bearer","scope":""}', { status: 200, headers: { 'content-type': 'application/json' } }));
    expect(await json.json()).toEqual({ access_token: 'gho_y', token_type: 'bearer', scope: '' });
    const server = await githubTokenResponse(new Response('oops', { status: 502 }));
    expect(server.status).toBe(502);

    // The fake answers form-encoded unless asked for JSON (as GitHub does).
    const plain = await fetch(fake.tokenUrl, { method: 'POST', body: new URLSearchParams({ client_id: fake.clientId, client_secret: 'bad' }) });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(new URLSearchParams(await plain.text()).get('error')).toBe('incorrect_client_credentials');
  });

  it('refuses a state mismatch before any code exchange', async () => {
    const { started, callback } = await authorize(member());
    const before = fake.tokenRequests.length;
    const forged = new URL(callback);
    forged.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const done = await fetch(forged);
    expect(done.status).toBe(400);
    expect(await done.text()).toContain('unknown, expired or already used');
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    expect((await fetch(missing)).status).toBe(400);
    expect(fake.tokenRequests.length).toBe(before);
    expect(await row(started.connectionId)).toMatchObject({ status: 'PENDING', accessTokenCiphertext: null });

    // The user pressing Cancel at GitHub (error=access_denied with our state) is a clear refusal too.
    fake.denyNext = 1;
    const denied = await authorize(member());
    expect(denied.callback.searchParams.get('error')).toBe('access_denied');
    const page = await fetch(denied.callback);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('did not authorize the connection (access_denied');
    expect(fake.tokenRequests.length).toBe(before);
  });

  it('expiring user tokens: stores the refresh token, refreshes with rotation, a spent refresh token means re-authorize', async () => {
    const github = h.app({ env: { ...expiring.env(), INTEGRATIONS_PUBLIC_URL: origin, INTEGRATIONS_KEK: kek.base64 } });
    const { started, callback } = await authorize(member(), github);
    await github.oauth.complete('GITHUB', callback);
    const stored = await row(started.connectionId);
    expect(stored).toMatchObject({ status: 'CONNECTED', externalAccountId: 'hubot' });
    expect(stored.refreshTokenCiphertext).not.toBeNull();
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 7 * 3600_000);
    const [firstRefresh] = [...expiring.refreshTokens.keys()];
    expect(await dump(started.connectionId)).not.toContain(firstRefresh!);

    const first = await github.tokens.accessToken(started.connectionId);
    const second = await github.tokens.accessToken(started.connectionId, { forceRefresh: true });
    expect(second).not.toBe(first);
    expect(second).toMatch(/^gho_/);
    expect(expiring.refreshTokens.has(firstRefresh!)).toBe(false); // rotated: the old refresh token is spent
    expect(expiring.refreshTokens.size).toBe(1);
    expect(expiring.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', error: null });

    // GitHub revokes the refresh token (HTTP 200 + bad_refresh_token): NEEDS_REAUTH, not an endless retry.
    expiring.refreshTokens.clear();
    await expect(github.tokens.accessToken(started.connectionId, { forceRefresh: true })).rejects.toMatchObject({ action: 'REAUTH' });
    expect(expiring.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', error: 'bad_refresh_token' });
    expect(await row(started.connectionId)).toMatchObject({ status: 'NEEDS_REAUTH' });
  });

  it('GET /user through a rate limit (403 with X-RateLimit-Remaining: 0, then 429): retried, login recorded', async () => {
    fake.rateLimitNext = 1;
    fake.secondaryLimitNext = 1;
    const { started, callback } = await authorize(member());
    const userCalls = fake.calls.filter((c) => c === 'GET /user').length;
    expect((await fetch(callback)).status).toBe(200);
    expect(await row(started.connectionId)).toMatchObject({ status: 'CONNECTED', externalAccountId: 'octocat' });
    expect(fake.calls.filter((c) => c === 'GET /user').length - userCalls).toBe(3);
  });
});
