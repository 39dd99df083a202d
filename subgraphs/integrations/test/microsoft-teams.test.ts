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

  describe('lifecycle notifications', () => {
    const lifecycleUrl = () => `${publicUrl}/webhooks/microsoft-teams/lifecycle`;
    const row = async (id: string) => (await h.db.providerConnection.findUnique({ where: { id } }))!;
    const subscribe = async (graphUserId: string) => {
      const ids = await connect(graphUserId);
      expect(await app.teamsPresence.ensureSubscription(ids.connectionId)).toBe('created');
      const sub = graph.subscriptions.get((await row(ids.connectionId)).channelId!)!;
      return { ids, sub };
    };
    const post = (body: unknown) => fetch(lifecycleUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

    it('answers the validation handshake on the lifecycle URL; other sub-paths are 404', async () => {
      const answer = await fetch(`${lifecycleUrl()}?validationToken=${encodeURIComponent('Validation: lifecycle <i>check</i>')}`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await answer.text()).toBe('Validation: lifecycle <i>check</i>');
      expect((await fetch(`${publicUrl}/webhooks/microsoft-teams/other?validationToken=x`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${publicUrl}/webhooks/github/lifecycle`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${lifecycleUrl()}/more?validationToken=x`, { method: 'POST' })).status).toBe(404);
    });

    it('creates subscriptions with a lifecycleNotificationUrl that Graph validates', async () => {
      const { sub } = await subscribe('aad-life-1');
      expect(sub.lifecycleNotificationUrl).toBe(lifecycleUrl());
      expect(sub.notificationUrl).toBe(`${publicUrl}/webhooks/microsoft-teams`);
      expect(graph.validated.slice(-2)).toEqual([`${publicUrl}/webhooks/microsoft-teams`, lifecycleUrl()]);
    });

    it('reauthorizationRequired → POST /subscriptions/{id}/reauthorize (deduped); near renewal → one PATCH; refused (403) → a new subscription', async () => {
      const { ids, sub } = await subscribe('aad-life-2');
      const reauthorize = `POST /v1.0/subscriptions/${sub.id}/reauthorize`;
      const answer = await graph.lifecycle(sub.id, 'reauthorizationRequired');
      expect([answer.status, await answer.json()]).toEqual([202, { ok: true }]);
      await eventually(() => expect(graph.calls.filter((c) => c === reauthorize)).toHaveLength(1));
      await eventually(() => expect(graph.subscriptions.get(sub.id)!.reauthorizationRequired).toBe(false));
      expect(graph.calls).not.toContain(`PATCH /v1.0/subscriptions/${sub.id}`);
      expect((await row(ids.connectionId)).channelId).toBe(sub.id);
      // Change notifications flow again.
      graph.presence.get('aad-life-2')!.availability = 'Away';
      graph.presence.get('aad-life-2')!.activity = 'Away';
      expect((await graph.notify('aad-life-2')).map((r) => r.status)).toEqual([202]);

      // Graph redelivers the same notification: deduped, no second reauthorize.
      const again = await graph.lifecycle(sub.id, 'reauthorizationRequired');
      expect([again.status, await again.json()]).toEqual([202, { ok: true, duplicate: true }]);
      await settle();
      expect(graph.calls.filter((c) => c === reauthorize)).toHaveLength(1);

      // Due for renewal within Graph's 10-minute reauthorize/PATCH window: a single PATCH does both.
      await h.db.providerConnection.update({ where: { id: ids.connectionId }, data: { channelExpiresAt: new Date(Date.now() + 25 * 60_000) } });
      graph.subscriptions.get(sub.id)!.expirationDateTime = new Date(Date.now() + 25 * 60_000).toISOString();
      expect((await graph.lifecycle(sub.id, 'reauthorizationRequired')).status).toBe(202);
      await eventually(() => expect(graph.calls).toContain(`PATCH /v1.0/subscriptions/${sub.id}`));
      await eventually(async () => expect((await row(ids.connectionId)).channelExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000));
      expect(graph.subscriptions.get(sub.id)!.reauthorizationRequired).toBe(false);
      expect(graph.calls.filter((c) => c === reauthorize)).toHaveLength(1);

      // Graph refuses the reauthorization (403): a new subscription replaces it.
      graph.refuseReauthorize = true;
      try {
        expect((await graph.lifecycle(sub.id, 'reauthorizationRequired')).status).toBe(202);
        // The id is cleared while Graph creates the new one (notifications may arrive first), then set.
        await eventually(async () => {
          const { channelId } = await row(ids.connectionId);
          expect(channelId).not.toBeNull();
          expect(channelId).not.toBe(sub.id);
        });
      } finally {
        graph.refuseReauthorize = false;
      }
      expect(graph.calls.filter((c) => c === reauthorize)).toHaveLength(2);
      const replaced = await row(ids.connectionId);
      await eventually(() => expect(graph.subscriptions.has(sub.id)).toBe(false)); // the old one is deleted
      const fresh = graph.subscriptions.get(replaced.channelId!)!;
      expect(fresh).toMatchObject({ userId: 'aad-life-2', lifecycleNotificationUrl: lifecycleUrl() });
      expect(replaced.channelTokenHash).toBe(sha256(fresh.clientState!));
    });

    it('subscriptionRemoved → a new subscription; a late notification about the old one changes nothing', async () => {
      const { ids, sub } = await subscribe('aad-life-3');
      const creates = count('POST /v1.0/subscriptions');
      expect((await graph.lifecycle(sub.id, 'subscriptionRemoved')).status).toBe(202);
      expect(graph.subscriptions.has(sub.id)).toBe(false);
      await eventually(async () => expect((await row(ids.connectionId)).channelId).not.toBeNull());
      await eventually(async () => expect((await row(ids.connectionId)).channelId).not.toBe(sub.id));
      const replaced = await row(ids.connectionId);
      const fresh = graph.subscriptions.get(replaced.channelId!)!;
      expect(fresh).toMatchObject({ userId: 'aad-life-3', resource: '/communications/presences/aad-life-3', lifecycleNotificationUrl: lifecycleUrl() });
      expect(replaced.channelTokenHash).toBe(sha256(fresh.clientState!));
      expect(count('POST /v1.0/subscriptions')).toBe(creates + 1);

      // The old subscription id is no longer ours: acknowledged, ignored with a log line.
      const late = await post({ value: [{ subscriptionId: sub.id, clientState: sub.clientState, lifecycleEvent: 'subscriptionRemoved', tenantId: 'tenant-1' }] });
      expect([late.status, await late.json()]).toEqual([202, { ok: true, ignored: 1 }]);
      await settle();
      expect(count('POST /v1.0/subscriptions')).toBe(creates + 1);
      expect((await row(ids.connectionId)).channelId).toBe(replaced.channelId);
      expect(h.logs.some((l) => JSON.stringify(l).includes('webhook ignored') && JSON.stringify(l).includes(sub.id))).toBe(true);
    });

    it('missed → the presence is read again and reconciled', async () => {
      const { ids, sub } = await subscribe('aad-life-4');
      // Presence changed while notifications were being dropped.
      graph.presence.get('aad-life-4')!.availability = 'Busy';
      graph.presence.get('aad-life-4')!.activity = 'InACall';
      const reads = graph.calls.filter((c) => c === 'GET /v1.0/users/aad-life-4/presence').length;
      expect((await graph.lifecycle(sub.id, 'missed')).status).toBe(202);
      await eventually(async () => expect(((await row(ids.connectionId)).providerState as { presence?: unknown }).presence).toMatchObject({ availability: 'Busy', activity: 'InACall' }));
      expect(graph.calls.filter((c) => c === 'GET /v1.0/users/aad-life-4/presence')).toHaveLength(reads + 1);
      expect((await row(ids.connectionId)).channelId).toBe(sub.id);
    });

    it('a wrong clientState is refused (401) and changes nothing; tokens and clientState are never logged', async () => {
      const { ids, sub } = await subscribe('aad-life-5');
      const before = await row(ids.connectionId);
      const calls = graph.calls.length;
      const forged = await graph.lifecycle(sub.id, 'reauthorizationRequired', { clientState: 'not-the-client-state' });
      expect(forged.status).toBe(401);
      graph.subscriptions.get(sub.id)!.reauthorizationRequired = false;
      for (const lifecycleEvent of ['subscriptionRemoved', 'missed']) {
        expect((await post({ value: [{ subscriptionId: sub.id, clientState: 'not-the-client-state', lifecycleEvent }] })).status).toBe(401);
        expect((await post({ value: [{ subscriptionId: sub.id, lifecycleEvent }] })).status).toBe(401);
      }
      // One forged item spoils the request even beside a genuine one.
      expect((await post({ value: [{ subscriptionId: sub.id, clientState: sub.clientState, lifecycleEvent: 'missed' }, { subscriptionId: sub.id, clientState: 'x', lifecycleEvent: 'subscriptionRemoved' }] })).status).toBe(401);
      await settle();
      expect(graph.calls.length).toBe(calls);
      expect(graph.subscriptions.has(sub.id)).toBe(true);
      const after = await row(ids.connectionId);
      expect([after.channelId, after.channelTokenHash, after.channelExpiresAt?.getTime(), after.providerState]).toEqual([before.channelId, before.channelTokenHash, before.channelExpiresAt?.getTime(), before.providerState]);
      const logs = JSON.stringify(h.logs);
      expect(logs).not.toContain(sub.clientState!);
      expect(logs).not.toContain(ids.accessToken);
    });

    it('a renewed subscription without a lifecycle URL (made before) is replaced by one with it', async () => {
      const { ids, sub } = await subscribe('aad-life-6');
      graph.subscriptions.get(sub.id)!.lifecycleNotificationUrl = null;
      await h.db.providerConnection.update({ where: { id: ids.connectionId }, data: { channelExpiresAt: new Date(Date.now() + 5 * 60_000) } });
      expect(await app.teamsPresence.ensureSubscription(ids.connectionId)).toBe('created');
      const replaced = await row(ids.connectionId);
      expect(replaced.channelId).not.toBe(sub.id);
      expect(graph.subscriptions.get(replaced.channelId!)!.lifecycleNotificationUrl).toBe(lifecycleUrl());
      expect(graph.subscriptions.has(sub.id)).toBe(false);
    });
  });
});
