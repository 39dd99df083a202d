import { FocusEvents, type EventEnvelope, type FocusSessionEventData } from '@flowforge/events';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntegrationsEvents, type SyncStatusChangedData } from '../src/events/catalog.js';
import { webhookRoute } from '../src/http/routes.js';
import { isoMinutes, TEAMS_FOCUS_MESSAGE } from '../src/providers/microsoft-teams/connector.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { FakeMicrosoftGraph } from './fakes/microsoft-graph.js';
import { eventually, openHarness, type Harness } from './harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('Microsoft Teams presence (Microsoft Graph)', () => {
  let h: Harness;
  let graph: FakeMicrosoftGraph;
  let app: IntegrationsApp;
  let server: Server;
  let publicUrl: string;

  beforeAll(async () => {
    h = await openHarness();
    graph = await new FakeMicrosoftGraph().start();
    // The webhook route on a real HTTP server: Graph's validation handshake and notifications reach it like production.
    const route = webhookRoute(() => app, () => h.log);
    server = createServer((req, res) => void Promise.resolve(route(req, res)).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = h.app({ env: {
      INTEGRATIONS_PUBLIC_URL: publicUrl,
      MICROSOFT_CLIENT_ID: 'ms-client', MICROSOFT_CLIENT_SECRET: 'ms-secret',
      MICROSOFT_GRAPH_API_URL: graph.apiUrl, MICROSOFT_OAUTH_TOKEN_URL: graph.tokenUrl, MICROSOFT_OAUTH_AUTHORIZE_URL: graph.authorizeUrl,
    } });
    await app.subscribe();
  });
  afterAll(async () => {
    await h?.close();
    await graph?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function connect(graphUserId: string, options: { accessToken?: string; refreshToken?: string; statusMessage?: string; expiresIn?: number } = {}) {
    const organizationId = randomUUID();
    const userId = randomUUID();
    const accessToken = options.accessToken ?? `ms-access-${randomUUID()}`;
    graph.addUser(accessToken, graphUserId, { refreshToken: options.refreshToken, statusMessage: options.statusMessage });
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'MICROSOFT_TEAMS', status: 'CONNECTED', externalAccountId: graphUserId, scopes: ['Presence.ReadWrite', 'offline_access'] } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken, refreshToken: options.refreshToken ?? null, expiresIn: options.expiresIn ?? 3600 }) });
    return { organizationId, userId, connectionId: row.id, accessToken };
  }

  const session = (ids: { organizationId: string; userId: string }, plannedMinutes = 50): FocusSessionEventData => ({
    sessionId: randomUUID(), userId: ids.userId, organizationId: ids.organizationId, state: 'ACTIVE', plannedMinutes, actualMinutes: 0, category: null, rating: null, notes: null,
    pauseCount: 0, interruptionCount: 0, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null,
  });
  const envelope = (type: string, data: FocusSessionEventData): EventEnvelope => ({ specversion: '1.0', id: randomUUID(), source: '/flowforge/focus', type, time: new Date().toISOString(), subject: data.sessionId, datacontenttype: 'application/json', tenant: data.organizationId, schemaversion: 1, data } as EventEnvelope);
  const count = (call: string) => graph.calls.filter((c) => c.endsWith(call)).length;

  it('sets Do Not Disturb + "Focusing" on session start and clears it on end, through 429s; redelivered events are no-ops', async () => {
    const ids = await connect('aad-user-1', { accessToken: 'ms-secret-access-token', statusMessage: 'On site in Berlin' });
    const focus = session(ids, 50);
    const started = envelope(FocusEvents.started, focus);
    graph.rateLimitNext = 1; // 429 + Retry-After on the first call: retried by the request helper
    await h.bus.publish('flowforge.focus', [started]);
    await eventually(() => {
      const p = graph.presence.get('aad-user-1')!;
      expect(p.preferred).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
      expect(p.preferred!.expiresAt).toBeGreaterThan(Date.now() + 48 * 60_000);
      expect(p.preferred!.expiresAt).toBeLessThanOrEqual(Date.now() + 50 * 60_000 + 1000);
      expect(p.statusMessage?.message.content).toBe(TEAMS_FOCUS_MESSAGE);
      expect(graph.effective('aad-user-1')).toEqual({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    });
    await eventually(async () => expect(((await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!.providerState as { focus?: { sessionId: string } }).focus?.sessionId).toBe(focus.sessionId));
    expect(graph.calls.filter((c) => c === 'GET /v1.0/users/aad-user-1/presence')).toHaveLength(2); // the first call got the 429, then its retry
    expect(count('setUserPreferredPresence')).toBe(1);

    // Redelivery of the same event (at-least-once bus): nothing is called again.
    const before = graph.calls.length;
    await h.bus.publish('flowforge.focus', [started]);
    expect(await app.teamsPresence.started(focus)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(graph.calls.length).toBe(before);

    graph.rateLimitNext = 1;
    const ended = envelope(FocusEvents.ended, { ...focus, state: 'COMPLETED', endedAt: new Date().toISOString() });
    await h.bus.publish('flowforge.focus', [ended]);
    await eventually(() => {
      const p = graph.presence.get('aad-user-1')!;
      expect(p.preferred).toBeNull();
      expect(p.statusMessage?.message.content).toBe('On site in Berlin');
      expect(graph.effective('aad-user-1')).toEqual({ availability: 'Available', activity: 'Available' });
    });
    await eventually(async () => expect(((await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!.providerState as { focus?: unknown }).focus).toBeNull());
    const afterEnd = graph.calls.length;
    await h.bus.publish('flowforge.focus', [ended]);
    expect(await app.teamsPresence.ended(ended.data as FocusSessionEventData)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(graph.calls.length).toBe(afterEnd);
    expect(count('clearUserPreferredPresence')).toBe(2); // the 429 and the retry, once
    expect(JSON.stringify(h.logs)).not.toContain('ms-secret-access-token');
  });

  it('ignores a replayed start of a session whose planned end has passed', async () => {
    const ids = await connect('aad-user-5');
    const old = { ...session(ids, 25), startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString() };
    expect(await app.teamsPresence.started(old)).toBe(false);
    expect(graph.presence.get('aad-user-5')!.preferred).toBeNull();
  });

  it('sends the documented request bodies', () => {
    expect(isoMinutes(50)).toBe('PT50M');
    expect(isoMinutes(120)).toBe('PT2H');
    expect(isoMinutes(125)).toBe('PT2H5M');
    expect(isoMinutes(0.2)).toBe('PT1M');
  });

  it('401 refreshes the token (rotating) and retries; invalid_grant marks the connection NEEDS_REAUTH', async () => {
    const ids = await connect('aad-user-2', { refreshToken: 'ms-refresh-1' });
    graph.unauthorizedNext = 1;
    expect(await app.teamsPresence.started(session(ids))).toBe(true);
    expect(graph.presence.get('aad-user-2')!.preferred?.availability).toBe('DoNotDisturb');
    expect(graph.refreshTokens.has('ms-refresh-1')).toBe(false); // spent: rotated
    expect(graph.calls.filter((c) => c === 'POST /oauth2/v2.0/token')).toHaveLength(1);

    const other = await connect('aad-user-3', { refreshToken: 'ms-refresh-3' });
    graph.revoke('aad-user-3');
    await expect(app.teamsPresence.started(session(other))).rejects.toMatchObject({ action: 'REAUTH' });
    const row = await h.db.providerConnection.findUnique({ where: { id: other.connectionId } });
    expect(row?.status).toBe('NEEDS_REAUTH');
    await eventually(() => expect(h.published.some((e) => e.type === IntegrationsEvents.syncStatusChanged && (e.data as SyncStatusChangedData).connectionId === other.connectionId && (e.data as SyncStatusChangedData).status === 'NEEDS_REAUTH')).toBe(true));
  });

  it('answers the validation handshake with the token as text/plain', async () => {
    const answer = await fetch(`${publicUrl}/webhooks/microsoft-teams?validationToken=${encodeURIComponent('Validation: Testing <b>reachability</b>')}`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await answer.text()).toBe('Validation: Testing <b>reachability</b>');
  });

  it('subscribes to presence changes (Graph validates the URL), verifies clientState, dedupes, and renews before expiry', async () => {
    const ids = await connect('aad-user-4');
    expect(await app.teamsPresence.ensureSubscription(ids.connectionId)).toBe('created');
    const [sub] = [...graph.subscriptions.values()].filter((s) => s.userId === 'aad-user-4');
    expect(sub).toMatchObject({ changeType: 'updated', resource: '/communications/presences/aad-user-4', notificationUrl: `${publicUrl}/webhooks/microsoft-teams` });
    const row = (await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!;
    expect(row.channelId).toBe(sub!.id);
    expect(row.channelTokenHash).toBe(sha256(sub!.clientState!)); // only the hash is stored
    expect(row.channelExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await app.teamsPresence.ensureSubscription(ids.connectionId)).toBe('unchanged');

    // A notification with the right clientState is accepted (202) and processed; a forged one is refused.
    graph.presence.get('aad-user-4')!.availability = 'Busy';
    graph.presence.get('aad-user-4')!.activity = 'InAMeeting';
    const [ok] = await graph.notify('aad-user-4');
    expect(ok!.status).toBe(202);
    await eventually(async () => expect(((await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!.providerState as { presence?: unknown }).presence).toMatchObject({ availability: 'Busy', activity: 'InAMeeting' }));
    const [forged] = await graph.notify('aad-user-4', 'not-the-client-state');
    expect(forged!.status).toBe(401);
    // Redelivery of the same notification is deduped.
    const body = JSON.stringify({ value: [{ subscriptionId: sub!.id, clientState: sub!.clientState, changeType: 'updated', resource: sub!.resource, resourceData: { id: 'aad-user-4', availability: 'Away', activity: 'Away' } }] });
    const first = await fetch(`${publicUrl}/webhooks/microsoft-teams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const again = await fetch(`${publicUrl}/webhooks/microsoft-teams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([first.status, await first.json()]).toEqual([202, { ok: true }]);
    expect([again.status, await again.json()]).toEqual([202, { ok: true, duplicate: true }]);
    const unknown = await fetch(`${publicUrl}/webhooks/microsoft-teams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ subscriptionId: randomUUID(), clientState: sub!.clientState }] }) });
    expect(unknown.status).toBe(401);

    // Close to expiry: renewed with PATCH (same subscription, new expiry), through the renewal sweep.
    await h.db.providerConnection.update({ where: { id: ids.connectionId }, data: { channelExpiresAt: new Date(Date.now() + 10 * 60_000) } });
    graph.subscriptions.get(sub!.id)!.expirationDateTime = new Date(Date.now() + 10 * 60_000).toISOString();
    await app.renewTeamsSubscriptions();
    expect(graph.calls).toContain(`PATCH /v1.0/subscriptions/${sub!.id}`);
    expect(Date.parse(graph.subscriptions.get(sub!.id)!.expirationDateTime)).toBeGreaterThan(Date.now() + 50 * 60_000);
    const renewed = (await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!;
    expect(renewed.channelId).toBe(sub!.id);
    expect(renewed.channelExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

    // Graph lost it (404 on PATCH): a new subscription is created.
    graph.subscriptions.delete(sub!.id);
    await h.db.providerConnection.update({ where: { id: ids.connectionId }, data: { channelExpiresAt: new Date(Date.now() + 5 * 60_000) } });
    expect(await app.teamsPresence.ensureSubscription(ids.connectionId)).toBe('created');
    const recreated = (await h.db.providerConnection.findUnique({ where: { id: ids.connectionId } }))!;
    expect(recreated.channelId).not.toBe(sub!.id);
    expect(graph.subscriptions.has(recreated.channelId!)).toBe(true);
  });
});
