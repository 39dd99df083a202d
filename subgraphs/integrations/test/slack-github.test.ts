import type { Identity } from '@flowforge/auth';
import { FocusEvents, type FocusSessionEventData } from '@flowforge/events';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionRepository } from '../src/data/connections.js';
import { TokenCipher } from '../src/crypto/token-cipher.js';
import { oauthCallbackRoute } from '../src/http/routes.js';
import { rotateEncryptionKey } from '../src/services/key-rotation.js';
import { IntegrationsEvents, type GithubActivityData } from '../src/events/catalog.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { githubSignature, slackSignature, verifySlackSignature } from '../src/webhooks/signatures.js';
import { BOT_ONLY, FakeSlack } from './fakes/slack.js';
import { eventually, newKek, openHarness, type Harness } from './harness.js';

const SLACK_SECRET = 'slack-signing-secret';
const GITHUB_SECRET = 'github-webhook-secret';

describe('Slack and GitHub', () => {
  let h: Harness;
  let slack: FakeSlack;
  let app: IntegrationsApp;

  beforeAll(async () => {
    h = await openHarness();
    slack = await new FakeSlack().start();
    app = h.app({ env: { SLACK_CLIENT_ID: 'c', SLACK_CLIENT_SECRET: 's', SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SLACK_SECRET, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET } });
    await app.subscribe();
  });
  afterAll(async () => {
    await h?.close();
    await slack?.stop();
  });

  const post = (provider: 'SLACK' | 'GITHUB', body: string, headers: Record<string, string>) =>
    app.webhooks.receive(provider, { method: 'POST', url: new URL('http://x/webhooks/x'), headers, rawBody: Buffer.from(body) });

  it('Slack: sets status + DND while a focus session runs, restores afterwards (also through a 429)', async () => {
    const organizationId = randomUUID();
    const userId = randomUUID();
    slack.addUser('xoxp-secret-user-token', 'U1');
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'SLACK', status: 'CONNECTED', externalAccountId: 'U1' } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: 'xoxp-secret-user-token' }) });
    const session: FocusSessionEventData = { sessionId: randomUUID(), userId, organizationId, state: 'ACTIVE', plannedMinutes: 50, actualMinutes: 0, category: null, rating: null, notes: null, pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null };
    slack.rateLimitNext = 1;
    await h.bus.publish('flowforge.focus', [{ specversion: '1.0', id: randomUUID(), source: '/flowforge/focus', type: FocusEvents.started, time: new Date().toISOString(), subject: session.sessionId, datacontenttype: 'application/json', tenant: organizationId, schemaversion: 1, data: session }]);
    await eventually(() => {
      expect(slack.profiles.get('U1')).toMatchObject({ status_text: 'Focusing (FlowForge)', status_emoji: ':headphones:' });
      expect(slack.snooze.get('U1')).toBeGreaterThan(Date.now() / 1000 + 40 * 60);
    });
    await h.bus.publish('flowforge.focus', [{ specversion: '1.0', id: randomUUID(), source: '/flowforge/focus', type: FocusEvents.ended, time: new Date().toISOString(), subject: session.sessionId, datacontenttype: 'application/json', tenant: organizationId, schemaversion: 1, data: { ...session, state: 'COMPLETED', endedAt: new Date().toISOString() } }]);
    await eventually(() => {
      expect(slack.profiles.get('U1')).toEqual({ status_text: 'In Berlin', status_emoji: ':flag-de:', status_expiration: 0 });
      expect(slack.snooze.get('U1')).toBeNull();
    });
    expect(JSON.stringify(h.logs)).not.toContain('xoxp-secret-user-token');
  });

  it('Slack: posts one summary DM when a focus session ends (conversations.open + chat.postMessage), once under redelivery, through a 429', async () => {
    const organizationId = randomUUID();
    const userId = randomUUID();
    slack.addUser('xoxp-secret-dm-token', 'U2');
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'SLACK', status: 'CONNECTED', externalAccountId: 'U2' } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: 'xoxp-secret-dm-token' }) });
    const session: FocusSessionEventData = { sessionId: randomUUID(), userId, organizationId, state: 'ACTIVE', plannedMinutes: 50, actualMinutes: 0, category: null, rating: null, notes: null, pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null };
    const envelope = (type: string, data: FocusSessionEventData) => ({ specversion: '1.0' as const, id: randomUUID(), source: '/flowforge/focus', type, time: new Date().toISOString(), subject: session.sessionId, datacontenttype: 'application/json' as const, tenant: organizationId, schemaversion: 1, data });
    const dms = () => slack.messages.filter((m) => m.user === 'U2');
    await h.bus.publish('flowforge.focus', [envelope(FocusEvents.started, session)]);
    await eventually(() => expect(slack.profiles.get('U2')).toMatchObject({ status_text: 'Focusing (FlowForge)' }));
    expect(dms()).toHaveLength(0);

    const postsBefore = slack.calls.filter((c) => c === 'chat.postMessage').length;
    slack.rateLimitMethods.set('chat.postMessage', 1);
    const ended = envelope(FocusEvents.ended, { ...session, state: 'COMPLETED', actualMinutes: 48.4, interruptionCount: 1, endedAt: new Date().toISOString() });
    await h.bus.publish('flowforge.focus', [ended]);
    await eventually(() => expect(dms()).toHaveLength(1));
    const [dm] = dms();
    expect(dm!.text).toBe('Focus session done: 48 of 50 minutes, 1 interruption. Status restored.');
    expect(slack.ims.get(dm!.channel)).toEqual(['U2']); // the user's own DM, opened with conversations.open
    // A legacy connection (made before the bot scopes: no bot token stored) falls back to the self-DM
    // posted as the user, which notifies no one, and the log says so.
    expect(dm!.bot_id).toBeUndefined();
    expect(slack.notifications('U2')).toHaveLength(0);
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/no bot token .*falling back to the self-DM/), connectionId: row.id }));
    // The fake records the message before our side has read the answer and logged it.
    await eventually(() => expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'slack focus summary posted', connectionId: row.id, as: 'user' })));
    expect(slack.profiles.get('U2')).toEqual({ status_text: 'In Berlin', status_emoji: ':flag-de:', status_expiration: 0 });
    // The 429 was retried by the request helper (Retry-After honoured): two attempts, one message.
    expect(slack.calls.filter((c) => c === 'chat.postMessage').length - postsBefore).toBe(2);
    expect(slack.rateLimitMethods.get('chat.postMessage')).toBe(0);

    // Redelivery (same event again through the bus, and straight to the consumer): no second message, no second restore.
    const restoresBefore = slack.calls.filter((c) => c === 'users.profile.set').length;
    await h.bus.publish('flowforge.focus', [ended]);
    expect(await app.slackFocus.ended(ended.data)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dms()).toHaveLength(1);
    expect(slack.calls.filter((c) => c === 'users.profile.set').length).toBe(restoresBefore);
    const state = (await h.db.providerConnection.findUniqueOrThrow({ where: { id: row.id } })).providerState as Record<string, unknown>;
    expect(state).toMatchObject({ focus: null, summary: null, summarySent: session.sessionId });
    expect(JSON.stringify(h.logs)).not.toContain('xoxp-secret-dm-token');
  });

  it('Slack: two concurrent deliveries of the same ended event post one summary DM', async () => {
    const organizationId = randomUUID();
    const userId = randomUUID();
    slack.addUser('xoxp-secret-race-token', 'U3');
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'SLACK', status: 'CONNECTED', externalAccountId: 'U3' } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: 'xoxp-secret-race-token' }) });
    const session: FocusSessionEventData = { sessionId: randomUUID(), userId, organizationId, state: 'ACTIVE', plannedMinutes: 25, actualMinutes: 0, category: null, rating: null, notes: null, pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null };
    expect(await app.slackFocus.started(session)).toBe(true);
    const ended = { ...session, state: 'COMPLETED' as const, actualMinutes: 25, endedAt: new Date().toISOString() };
    const results = await Promise.all([app.slackFocus.ended(ended), app.slackFocus.ended(ended)]);
    expect(results).toContain(true);
    expect(slack.messages.filter((m) => m.user === 'U3')).toHaveLength(1);
    expect(await app.slackFocus.ended(ended)).toBe(false);
    expect(slack.messages.filter((m) => m.user === 'U3')).toHaveLength(1);
  });

  it('Slack: a started event redelivered after its session ended (a replay after a restart) sets no status and posts no second summary', async () => {
    const organizationId = randomUUID();
    const userId = randomUUID();
    slack.addUser('xoxp-secret-replay-token', 'U9');
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'SLACK', status: 'CONNECTED', externalAccountId: 'U9' } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: 'xoxp-secret-replay-token' }) });
    const session: FocusSessionEventData = { sessionId: randomUUID(), userId, organizationId, state: 'ACTIVE', plannedMinutes: 25, actualMinutes: 0, category: null, rating: null, notes: null, pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null };
    const ended = { ...session, state: 'COMPLETED' as const, actualMinutes: 25, endedAt: new Date().toISOString() };
    expect(await app.slackFocus.started(session)).toBe(true);
    expect(await app.slackFocus.ended(ended)).toBe(true);
    const setsBefore = slack.calls.filter((c) => c === 'users.profile.set').length;
    // The same two events again, in order.
    expect(await app.slackFocus.started(session)).toBe(false);
    expect(await app.slackFocus.ended(ended)).toBe(false);
    expect(slack.calls.filter((c) => c === 'users.profile.set').length).toBe(setsBefore);
    expect(slack.messages.filter((m) => slack.ims.get(m.channel)?.includes('U9'))).toHaveLength(1);
  });

  it('Slack Events API: v0 signature over the raw body, 5-minute window, url_verification, retries deduped by event_id', async () => {
    const now = Math.floor(Date.now() / 1000);
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'legacy' });
    const signed = (body: string, ts = now) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SLACK_SECRET, ts, body), 'content-type': 'application/json' });
    expect(await post('SLACK', challenge, signed(challenge))).toEqual({ status: 200, body: { challenge: 'abc123' } });
    expect((await post('SLACK', challenge, { ...signed(challenge), 'x-slack-signature': `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await post('SLACK', challenge, signed(challenge, now - 301))).status).toBe(401);
    // The signature covers the exact bytes: re-serialised JSON does not pass.
    expect((await post('SLACK', JSON.stringify(JSON.parse(challenge), null, 1), signed(challenge))).status).toBe(401);
    expect(verifySlackSignature(SLACK_SECRET, String(now), slackSignature(SLACK_SECRET, now, 'x'), Buffer.from('x'), now)).toEqual({ ok: true });

    const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev0001', team_id: 'T1', event: { type: 'app_mention', user: 'U1' } });
    expect(await post('SLACK', event, signed(event))).toEqual({ status: 200, body: { ok: true } });
    expect(await post('SLACK', event, { ...signed(event), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    await eventually(() => expect(h.published.filter((e) => e.type === IntegrationsEvents.webhookReceived && (e.data as { deliveryId: string }).deliveryId === 'Ev0001')).toHaveLength(1));
  });

  it('GitHub: X-Hub-Signature-256 checked on the raw body before parsing, deliveries deduped, activity per connected user', async () => {
    const organizationId = randomUUID();
    const userId = randomUUID();
    const connection = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'GITHUB', status: 'CONNECTED', externalAccountId: 'octocat' } });
    const push = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/app' }, sender: { login: 'octocat' }, commits: [{}, {}, {}], head_commit: { timestamp: '2026-11-27T10:00:00Z' } });
    const headers = (body: string, delivery: string, event = 'push') => ({ 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': githubSignature(GITHUB_SECRET, body), 'content-type': 'application/json' });
    expect((await post('GITHUB', push, { ...headers(push, 'd-1'), 'x-hub-signature-256': githubSignature('wrong', push) })).status).toBe(401);
    expect((await post('GITHUB', '{not json', headers(push, 'd-1'))).status).toBe(401); // signature over other bytes: refused before parsing
    expect((await post('GITHUB', push, { ...headers(push, 'd-1'), 'x-hub-signature-256': '' })).status).toBe(401);
    expect(await post('GITHUB', push, headers(push, 'd-1'))).toEqual({ status: 200, body: { ok: true } });
    expect(await post('GITHUB', push, headers(push, 'd-1'))).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    const pr = JSON.stringify({ action: 'closed', repository: { full_name: 'acme/app' }, sender: { login: 'octocat' }, pull_request: { number: 7, merged: true, additions: 10, deletions: 2, updated_at: '2026-11-27T11:00:00Z', user: { login: 'octocat' } } });
    expect((await post('GITHUB', pr, headers(pr, 'd-2', 'pull_request'))).status).toBe(200);
    await eventually(() => {
      const activity = h.published.filter((e) => e.type === IntegrationsEvents.githubActivity && (e.data as GithubActivityData).connectionId === connection.id).map((e) => e.data as GithubActivityData);
      expect(activity).toHaveLength(2);
      expect(activity.find((a) => a.kind === 'push')).toMatchObject({ userId, organizationId, repository: 'acme/app', commits: 3, action: 'refs/heads/main' });
      expect(activity.find((a) => a.kind === 'pull_request')).toMatchObject({ pullRequest: { number: 7, merged: true, additions: 10, deletions: 2 }, action: 'closed' });
    });
  });
});

// Connected through the OAuth v2 flow against the fake (authorize → our real callback route → oauth.v2.access):
// the install issues a bot token (bot scopes in `scope`) and a user token (user scopes in `user_scope`).
describe('Slack: summary DM from the app (bot token) for connections made through OAuth', () => {
  let h: Harness;
  let slack: FakeSlack;
  let server: Server;
  let origin: string;
  let app: IntegrationsApp;
  const kek = newKek();

  beforeAll(async () => {
    h = await openHarness();
    server = createServer(async (req, res) => {
      if (!(await oauthCallbackRoute(() => app, () => h.log)(req, res))) {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    slack = await new FakeSlack({ redirectUris: [`${origin}/oauth/callback/slack`], approveAs: 'U0OAUTH', rotation: true }).start();
    app = h.app({ env: { ...slack.env(), INTEGRATIONS_PUBLIC_URL: origin, INTEGRATIONS_KEK: kek.base64 } });
  });
  afterAll(async () => {
    await h?.close();
    await slack?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const member = () => ({ userId: randomUUID(), organizationId: randomUUID(), workspaceId: null, role: 'USER', sessionId: null }) satisfies Identity;
  /** The stored row as it would be dumped: bytes as UTF-8, hex and base64, so a token in any of them shows. */
  const dump = async (id: string) => JSON.stringify(await h.db.providerConnection.findUniqueOrThrow({ where: { id } }), (_key, value: unknown) => {
    if (value instanceof Uint8Array) { const b = Buffer.from(value); return `${b.toString('utf8')}|${b.toString('hex')}|${b.toString('base64')}`; }
    return value;
  });
  type Member = ReturnType<typeof member>;
  const secrets = () => [...slack.tokens.keys(), ...slack.botTokens.keys()];

  async function connect(identity: Member) {
    const started = await app.oauth.connect(identity, 'SLACK');
    const url = new URL(started.authorizationUrl);
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const done = await fetch(consent.headers.get('location')!);
    expect(done.status).toBe(200);
    return { connectionId: started.connectionId, url };
  }

  const session = (identity: Member): FocusSessionEventData => ({ sessionId: randomUUID(), userId: identity.userId, organizationId: identity.organizationId, state: 'ACTIVE', plannedMinutes: 50, actualMinutes: 0, category: null, rating: null, notes: null, pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null });

  it('requests bot + user scopes, stores both tokens encrypted, keeps status/DND on the user token and posts the summary as the app (a notifying DM), once', async () => {
    const identity = member();
    const { connectionId, url } = await connect(identity);
    expect(url.searchParams.get('scope')).toBe('chat:write,im:write');
    expect(url.searchParams.get('user_scope')).toBe('users.profile:write,users.profile:read,dnd:write,dnd:read,chat:write,im:write');

    const row = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row).toMatchObject({ status: 'CONNECTED', externalAccountId: 'U0OAUTH', botUserId: slack.botUserId, botScopes: ['chat:write', 'im:write'], botTokenKeyVersion: kek.version, tokenKeyVersion: kek.version });
    expect(row.botTokenCiphertext).not.toBeNull();
    expect(row.botRefreshTokenCiphertext).not.toBeNull(); // token rotation on: each token has its own refresh token
    expect(row.botTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const [botToken] = [...slack.botTokens.keys()];
    expect(botToken).toMatch(/^xoxe\.xoxb-/);
    expect(await app.tokens.accessToken(connectionId, { kind: 'bot' })).toBe(botToken);
    expect(await app.tokens.accessToken(connectionId)).toMatch(/^xoxe\.xoxp-/);
    // Not readable in the row: no token (nor its random part) in any encoding of any column.
    const dumped = await dump(connectionId);
    for (const secret of secrets()) {
      expect(dumped).not.toContain(secret);
      expect(dumped).not.toContain(secret.split('-').at(-1)!);
    }
    // The bot token is bound to its column: it does not decrypt as the user token.
    expect(() => app.cipher.decrypt(row.botTokenCiphertext!, row.botTokenKeyVersion!, `${connectionId}:access`)).toThrow();
    // GraphQL's repository never hands the bot token columns out.
    expect(await new ConnectionRepository(h.db).findOwned(identity.organizationId, identity.userId, connectionId)).not.toHaveProperty('botTokenCiphertext');

    const data = session(identity);
    expect(await app.slackFocus.started(data)).toBe(true); // users.profile.set + dnd.setSnooze: user token (a bot token gets not_allowed_token_type)
    expect(slack.profiles.get('U0OAUTH')).toMatchObject({ status_text: 'Focusing (FlowForge)' });
    expect(slack.snooze.get('U0OAUTH')).toBeGreaterThan(Date.now() / 1000);
    const ended = { ...data, state: 'COMPLETED' as const, actualMinutes: 50, endedAt: new Date().toISOString() };
    expect(await app.slackFocus.ended(ended)).toBe(true);
    expect(slack.snooze.get('U0OAUTH')).toBeNull();

    const notifying = slack.notifications('U0OAUTH');
    expect(notifying).toHaveLength(1);
    expect(notifying[0]).toMatchObject({ user: slack.botUserId, bot_id: slack.botId, app_id: slack.appId, text: 'Focus session done: 50 of 50 minutes, 0 interruptions. Status restored.' });
    expect(slack.ims.get(notifying[0]!.channel)).toEqual([slack.botUserId, 'U0OAUTH'].sort()); // the app's DM with the user
    expect(slack.messages.filter((m) => m.user === 'U0OAUTH')).toHaveLength(0); // no self-DM
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'slack focus summary posted', connectionId, as: 'bot' }));

    // Redelivered: no second message.
    expect(await app.slackFocus.ended(ended)).toBe(false);
    expect(slack.notifications('U0OAUTH')).toHaveLength(1);
    const logged = JSON.stringify(h.logs);
    for (const secret of secrets()) expect(logged).not.toContain(secret);
  });

  it('an expiring bot token is refreshed with its own refresh token (rotation) before the post; the user token is left alone', async () => {
    const identity = member();
    slack.approveAs = 'U0ROTATE';
    const { connectionId } = await connect(identity);
    const before = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connectionId } });
    await h.db.providerConnection.update({ where: { id: connectionId }, data: { botTokenExpiresAt: new Date(Date.now() + 10_000) } });
    const data = session(identity);
    expect(await app.slackFocus.started(data)).toBe(true);
    expect(await app.slackFocus.ended({ ...data, state: 'COMPLETED', actualMinutes: 30, endedAt: new Date().toISOString() })).toBe(true);
    expect(slack.notifications('U0ROTATE')).toHaveLength(1);
    expect(slack.notifications('U0ROTATE')[0]).toMatchObject({ bot_id: slack.botId });
    const after = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(Buffer.from(after.botTokenCiphertext!).equals(Buffer.from(before.botTokenCiphertext!))).toBe(false);
    expect(Buffer.from(after.botRefreshTokenCiphertext!).equals(Buffer.from(before.botRefreshTokenCiphertext!))).toBe(false);
    expect(after.botTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(Buffer.from(after.accessTokenCiphertext!).equals(Buffer.from(before.accessTokenCiphertext!))).toBe(true);
    expect(after.status).toBe('CONNECTED');
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'access token refreshed', connectionId, token: 'bot', rotated: true }));
    const logged = JSON.stringify(h.logs);
    for (const secret of secrets()) expect(logged).not.toContain(secret);
  });

  it('key rotation re-wraps the bot token too (its own key version)', async () => {
    const identity = member();
    slack.approveAs = 'U0REWRAP';
    const { connectionId } = await connect(identity);
    const botToken = await app.tokens.accessToken(connectionId, { kind: 'bot' });
    const next = newKek();
    const result = await rotateEncryptionKey(h.db, new TokenCipher({ version: next.version, key: next.key }, [{ version: kek.version, key: kek.key }]));
    expect(result).toMatchObject({ failures: [], remaining: 0 });
    const row = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row).toMatchObject({ tokenKeyVersion: next.version, botTokenKeyVersion: next.version });
    const onlyNew = new TokenCipher({ version: next.version, key: next.key });
    expect(onlyNew.decrypt(row.botTokenCiphertext!, row.botTokenKeyVersion!, `${connectionId}:bot`)).toBe(botToken);
    expect(onlyNew.decrypt(row.botRefreshTokenCiphertext!, row.botTokenKeyVersion!, `${connectionId}:bot-refresh`)).toMatch(/^xoxe-1-/);
  });

  it('the fake refuses the wrong token type as Slack does (not_allowed_token_type)', async () => {
    slack.addBotToken('xoxb-test-bot-token');
    const res = await fetch(`${slack.url}/dnd.setSnooze`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test-bot-token', 'content-type': 'application/x-www-form-urlencoded' }, body: 'num_minutes=5' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
    BOT_ONLY.add('apps.uninstall');
    try {
      slack.addUser('xoxp-test-user-token', 'U0TYPE');
      const asUser = await fetch(`${slack.url}/apps.uninstall`, { method: 'POST', headers: { authorization: 'Bearer xoxp-test-user-token' } });
      expect(await asUser.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
    } finally {
      BOT_ONLY.delete('apps.uninstall');
    }
  });
});
