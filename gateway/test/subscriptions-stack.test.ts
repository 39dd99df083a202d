import { createEvent, KafkaEventBus, parseBrokers } from '@flowforge/events';
import { createOrganization, describeWithService, gatewayUrl, gqlOk, signUp } from '@flowforge/testing';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

// Subscriptions through the real stack: events come from the subgraphs' outbox over the stack's
// bus (in-process when embedded, Kafka in services mode), and reach the stack's own gateway.
const GATEWAY_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SECOND_PORT = Number(process.env.FLOWFORGE_TEST_PORT_BASE) + 220;

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

function subscribe(url: string, token: string, query: string) {
  const results: Record<string, any>[] = [];
  const errors: unknown[] = [];
  const client = createClient({ url: wsUrl(url), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0, onNonLazyError: () => undefined });
  client.subscribe({ query }, { next: (value) => results.push(value as Record<string, any>), error: (error) => errors.push(error), complete: () => undefined });
  return {
    results,
    errors,
    async waitFor(predicate: (results: Record<string, any>[]) => boolean, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(results) && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      return results;
    },
    dispose: async () => { await client.dispose(); },
  };
}

async function eventsReady(httpUrl: string, timeoutMs = 60_000): Promise<void> {
  const readyz = new URL('/readyz', httpUrl);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const body = (await (await fetch(readyz)).json()) as { details?: { events?: string } };
      if (body.details?.events === 'ok') return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${httpUrl}: events consumer not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Subscribed means registered at the gateway: give graphql-ws's subscribe a moment, then check delivery works. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

describe('subscriptions through the running stack', () => {
  it('delivers focusSessionChanged with user { name } for a session started and ended over HTTP', async () => {
    const user = await signUp({ name: 'Grace Hopper' });
    await createOrganization(user);
    await eventsReady(gatewayUrl());
    const sub = subscribe(gatewayUrl(), user.accessToken, 'subscription { focusSessionChanged { id state user { name } } }');
    await settle();
    const started = await gqlOk<{ startFocusSession: { id: string } }>('mutation { startFocusSession(input: { plannedMinutes: 30 }) { id } }', {}, user.accessToken);
    const id = started.startFocusSession.id;
    await gqlOk('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 5 }) { state } }', { id }, user.accessToken);
    const results = await sub.waitFor((r) => r.some((x) => x.data?.focusSessionChanged?.state === 'COMPLETED'));
    await sub.dispose();
    expect(sub.errors).toEqual([]);
    // The started event may come before the gateway registered the subscription (graphql-ws does
    // not acknowledge a subscribe), so only the ended one is certain; every delivery is complete.
    expect(results.some((result) => result.data.focusSessionChanged.state === 'COMPLETED')).toBe(true);
    for (const result of results) expect(result.data.focusSessionChanged).toMatchObject({ id, user: { name: 'Grace Hopper' } });
  }, 90_000);

  it('delivers insightCreated: a break suggestion from insights when a session starts', async () => {
    const user = await signUp({ name: 'Ada Break' });
    await createOrganization(user);
    await eventsReady(gatewayUrl());
    const sub = subscribe(gatewayUrl(), user.accessToken, 'subscription { insightCreated { id kind title body sessionId } }');
    await settle();
    const started = await gqlOk<{ startFocusSession: { id: string } }>('mutation { startFocusSession(input: { plannedMinutes: 90 }) { id } }', {}, user.accessToken);
    const sessionId = started.startFocusSession.id;
    const arrived = (r: Record<string, any>[]) => r.some((x) => x.data?.insightCreated?.sessionId === sessionId);
    // A resumed session gets a new suggestion: retry that way in case the first one came before the
    // gateway registered the subscription (graphql-ws does not acknowledge a subscribe).
    for (let attempt = 0; attempt < 3 && !arrived(await sub.waitFor(arrived, 5_000)); attempt += 1) {
      await gqlOk('mutation($id: ID!) { pauseFocusSession(id: $id) { id } }', { id: sessionId }, user.accessToken);
      await gqlOk('mutation($id: ID!) { resumeFocusSession(id: $id) { id } }', { id: sessionId }, user.accessToken);
    }
    const results = await sub.waitFor(arrived);
    await sub.dispose();
    expect(sub.errors).toEqual([]);
    const insight = results.find((x) => x.data?.insightCreated?.sessionId === sessionId)!.data.insightCreated;
    expect(insight.kind).toBe('BREAK_SUGGESTION');
    expect(insight.body.length).toBeGreaterThan(20);
    // The same insight is listed on the user, resolved through the gateway.
    const listed = await gqlOk<{ me: { insights: { id: string }[] } }>('{ me { insights(first: 5) { id } } }', {}, user.accessToken);
    expect(listed.me.insights.map((row) => row.id)).toContain(insight.id);
  }, 90_000);
});

describeWithService('KAFKA_BROKERS', 'subscriptions on two gateway instances (Kafka)', (brokers) => {
  it('both instances deliver an event published once', async () => {
    const second = spawn(process.execPath, [GATEWAY_MAIN], {
      env: { ...process.env, FLOWFORGE_DATA_DIR: process.env.FLOWFORGE_TEST_DATA_DIR, FLOWFORGE_PORT_BASE: process.env.FLOWFORGE_TEST_PORT_BASE, FLOWFORGE_SERVICE: 'gateway', PORT: String(SECOND_PORT), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const bus = new KafkaEventBus({ brokers: parseBrokers(brokers), clientId: 'subscriptions-test' });
    const secondUrl = `http://127.0.0.1:${SECOND_PORT}/graphql`;
    try {
      await Promise.all([eventsReady(gatewayUrl()), eventsReady(secondUrl)]);
      const user = await signUp({ name: 'Two Gateways' });
      const org = await createOrganization(user);
      const session = await gqlOk<{ startFocusSession: { id: string } }>('mutation { startFocusSession(input: { plannedMinutes: 30 }) { id } }', {}, user.accessToken);
      const id = session.startFocusSession.id;
      const query = 'subscription { focusSessionChanged { id state user { name } } }';
      const first = subscribe(gatewayUrl(), user.accessToken, query);
      const other = subscribe(secondUrl, user.accessToken, query);
      await settle();
      // Published once, by hand (not through focus), with a type focus never emits for this session now.
      await bus.publish('flowforge.focus', [createEvent({
        domain: 'focus', type: 'flowforge.focus.session.updated', subject: id, tenant: org,
        data: { sessionId: id, userId: user.id, organizationId: org, state: 'ACTIVE', plannedMinutes: 30, actualMinutes: 0, category: null, rating: null, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null },
      })]);
      const expected = { data: { focusSessionChanged: { id, state: 'ACTIVE', user: { name: 'Two Gateways' } } } };
      const hasIt = (r: Record<string, any>[]) => r.some((x) => JSON.stringify(x) === JSON.stringify(expected));
      await Promise.all([first.waitFor(hasIt), other.waitFor(hasIt)]);
      await Promise.all([first.dispose(), other.dispose()]);
      expect(hasIt(first.results)).toBe(true);
      expect(hasIt(other.results)).toBe(true);
    } finally {
      await bus.close();
      await new Promise((resolve) => { second.once('exit', resolve); second.kill('SIGTERM'); });
    }
  }, 90_000);
});
