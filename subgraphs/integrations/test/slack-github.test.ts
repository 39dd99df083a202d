import { FocusEvents, type FocusSessionEventData } from '@flowforge/events';
import { randomUUID } from 'node:crypto';
import { IntegrationsEvents, type GithubActivityData } from '../src/events/catalog.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { githubSignature, slackSignature, verifySlackSignature } from '../src/webhooks/signatures.js';
import { FakeSlack } from './fakes/slack.js';
import { eventually, openHarness, type Harness } from './harness.js';

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
