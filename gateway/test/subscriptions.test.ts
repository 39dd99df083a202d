import { createEvent, InProcessEventBus, type EventEnvelope } from '@flowforge/events';
import { addMember, createOrganization, gqlOk, signUp, type TestUser } from '@flowforge/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway, type RunningGateway } from '../src/server.js';

// A gateway in this process in front of the test stack's subgraphs, fed by an in-process bus of
// our own: the test publishes the events (as the focus outbox relay would) and checks what each
// subscriber receives. End-to-end delivery from real mutations is in subscriptions-stack.test.ts.
const PORT = Number(process.env.FLOWFORGE_TEST_PORT_BASE) + 210;
const WS_URL = `ws://127.0.0.1:${PORT}/graphql`;
let gateway: RunningGateway;
let bus: InProcessEventBus;

beforeAll(async () => {
  bus = new InProcessEventBus();
  gateway = await startGateway({
    env: { ...process.env, FLOWFORGE_PORT_BASE: process.env.FLOWFORGE_TEST_PORT_BASE, FLOWFORGE_DATA_DIR: process.env.FLOWFORGE_TEST_DATA_DIR, LOG_LEVEL: 'error' },
    port: PORT,
    events: bus,
    subscriptionLimits: { maxSubscriptionsPerConnection: 3 },
  });
});

afterAll(async () => {
  await gateway?.close();
  await bus?.close();
});

interface Subscription {
  results: Record<string, any>[];
  errors: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  next(count?: number, timeoutMs?: number): Promise<Record<string, any>[]>;
  dispose(): Promise<void>;
}

function connect(connectionParams: Record<string, unknown>): { client: Client; closed: Promise<{ code: number; reason: string }> } {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => { onClosed = resolve; });
  const client = createClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }) },
    onNonLazyError: () => undefined,
  });
  return { client, closed };
}

function subscribe(token: string, query: string, variables: Record<string, unknown> = {}, existing?: ReturnType<typeof connect>): Subscription {
  const { client, closed } = existing ?? connect({ authorization: `Bearer ${token}` });
  const results: Record<string, any>[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  client.subscribe({ query, variables }, {
    next: (value) => {
      results.push(value as Record<string, any>);
      waiters.splice(0).forEach((wake) => wake());
    },
    error: (error) => {
      errors.push(error);
      waiters.splice(0).forEach((wake) => wake());
    },
    complete: () => undefined,
  });
  return {
    results,
    errors,
    closed,
    async next(count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count && errors.length === 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return results;
    },
    dispose: async () => { await client.dispose(); },
  };
}

/** Waits until the gateway has registered `count` subscriptions (subscribe is asynchronous). */
async function subscribed(count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (gateway.subscriptions.stats().subscriptions < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(gateway.subscriptions.stats().subscriptions).toBeGreaterThanOrEqual(count);
}

async function publishFocus(type: string, session: { id: string; userId: string; organizationId: string; state: string }): Promise<EventEnvelope> {
  const event = createEvent({
    domain: 'focus',
    type: `flowforge.focus.session.${type}`,
    subject: session.id,
    tenant: session.organizationId,
    data: { sessionId: session.id, userId: session.userId, organizationId: session.organizationId, state: session.state, plannedMinutes: 25 },
  });
  await bus.publish('flowforge.focus', [event]);
  return event;
}

async function startSession(user: TestUser): Promise<string> {
  const data = await gqlOk<{ startFocusSession: { id: string } }>('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken);
  return data.startFocusSession.id;
}

const FOCUS_QUERY = 'subscription($userId: ID) { focusSessionChanged(userId: $userId) { id state actualMinutes user { name } } }';

describe('subscriptions over graphql-ws at the gateway', () => {
  it('delivers focusSessionChanged with user { name } from orgs, resolved as the subscriber', async () => {
    const ada = await signUp({ name: 'Ada Lovelace' });
    const org = await createOrganization(ada);
    const before = gateway.subscriptions.stats().subscriptions;
    const sub = subscribe(ada.accessToken, FOCUS_QUERY);
    await subscribed(before + 1);

    const id = await startSession(ada);
    await publishFocus('started', { id, userId: ada.id, organizationId: org, state: 'ACTIVE' });
    await sub.next(1);
    expect(sub.errors).toEqual([]);
    expect(sub.results[0]).toEqual({ data: { focusSessionChanged: { id, state: 'ACTIVE', actualMinutes: expect.any(Number), user: { name: 'Ada Lovelace' } } } });

    await gqlOk('mutation($id: ID!) { endFocusSession(id: $id) { state } }', { id }, ada.accessToken);
    await publishFocus('ended', { id, userId: ada.id, organizationId: org, state: 'COMPLETED' });
    await sub.next(2);
    expect(sub.results[1]?.data.focusSessionChanged.state).toBe('COMPLETED');
    await sub.dispose();
  });

  it("never delivers another organization's events, even crafted ones", async () => {
    const alice = await signUp();
    const orgA = await createOrganization(alice, 'A');
    const bob = await signUp();
    const orgB = await createOrganization(bob, 'B');
    const before = gateway.subscriptions.stats().subscriptions;
    const sub = subscribe(bob.accessToken, 'subscription { focusSessionChanged { id state } }');
    await subscribed(before + 1);

    const aliceSession = await startSession(alice);
    // Tenant A, even though it claims Bob as the user: filtered by tenant before anything runs.
    await publishFocus('started', { id: aliceSession, userId: bob.id, organizationId: orgA, state: 'ACTIVE' });
    // Tenant B but A's session: executed as Bob, focus answers "not in your organization": dropped.
    await publishFocus('started', { id: aliceSession, userId: bob.id, organizationId: orgB, state: 'ACTIVE' });
    // Then Bob's own event, which must be the only one to arrive.
    const bobSession = await startSession(bob);
    await publishFocus('started', { id: bobSession, userId: bob.id, organizationId: orgB, state: 'ACTIVE' });
    await sub.next(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sub.results).toEqual([{ data: { focusSessionChanged: { id: bobSession, state: 'ACTIVE' } } }]);
    await sub.dispose();
  });

  it('closes with 4401 without a valid token and 4403 without an active organization', async () => {
    const none = connect({});
    expect((await none.closed).code).toBe(4401);
    const bad = connect({ authorization: 'Bearer not-a-token' });
    expect((await bad.closed).code).toBe(4401);
    const noOrg = await signUp();
    const forbidden = connect({ accessToken: noOrg.accessToken });
    expect((await forbidden.closed).code).toBe(4403);
  });

  it("lets a Viewer follow only their own sessions; a manager may follow a member's", async () => {
    const admin = await signUp();
    const org = await createOrganization(admin);
    const viewer = await addMember(admin, 'VIEWER');
    const manager = await addMember(admin, 'MANAGER');
    const viewerOthers = subscribe(viewer.accessToken, FOCUS_QUERY, { userId: admin.id });
    await viewerOthers.next(1, 2000);
    expect(JSON.stringify(viewerOthers.errors)).toContain('FORBIDDEN');
    await viewerOthers.dispose();

    const before = gateway.subscriptions.stats().subscriptions;
    const managerSub = subscribe(manager.accessToken, FOCUS_QUERY, { userId: admin.id });
    const viewerOwn = subscribe(viewer.accessToken, 'subscription { focusSessionChanged { id } }');
    await subscribed(before + 2);
    const id = await startSession(admin);
    await publishFocus('started', { id, userId: admin.id, organizationId: org, state: 'ACTIVE' });
    await managerSub.next(1);
    expect(managerSub.results[0]?.data.focusSessionChanged).toMatchObject({ id, state: 'ACTIVE' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(viewerOwn.results).toEqual([]);
    await Promise.all([managerSub.dispose(), viewerOwn.dispose()]);
  });

  it('runs one execution per event for identical subscriptions', async () => {
    const user = await signUp({ name: 'Many Tabs' });
    const org = await createOrganization(user);
    const before = gateway.subscriptions.stats().subscriptions;
    const subs = Array.from({ length: 20 }, () => subscribe(user.accessToken, FOCUS_QUERY));
    await subscribed(before + 20);
    const executions = gateway.subscriptions.stats().executions;
    const id = await startSession(user);
    await publishFocus('started', { id, userId: user.id, organizationId: org, state: 'ACTIVE' });
    await Promise.all(subs.map((sub) => sub.next(1)));
    for (const sub of subs) expect(sub.results[0]?.data.focusSessionChanged.user.name).toBe('Many Tabs');
    expect(gateway.subscriptions.stats().executions - executions).toBe(1);
    await Promise.all(subs.map((sub) => sub.dispose()));
  });

  it('reports team presence (teamFocusActivity) for team members only', async () => {
    const admin = await signUp({ name: 'Team Admin' });
    const org = await createOrganization(admin);
    const member = await addMember(admin, 'USER');
    const outsider = await addMember(admin, 'USER');
    const workspaces = await gqlOk<{ organization: { workspaces: { id: string }[] } }>('query($id: ID!) { organization(id: $id) { workspaces { id } } }', { id: org }, admin.accessToken);
    const team = await gqlOk<{ createTeam: { id: string } }>('mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }', { input: { name: 'Core', workspaceId: workspaces.organization.workspaces[0]!.id } }, admin.accessToken);
    await gqlOk('mutation($t: ID!, $m: ID!) { addTeamMember(teamId: $t, membershipId: $m) { id } }', { t: team.createTeam.id, m: member.membershipId }, admin.accessToken);

    const before = gateway.subscriptions.stats().subscriptions;
    const sub = subscribe(admin.accessToken, 'subscription($t: ID!) { teamFocusActivity(teamId: $t) { focusing user { id name } team { name } } }', { t: team.createTeam.id });
    await subscribed(before + 1);
    const outsiderSession = await startSession(outsider);
    await publishFocus('started', { id: outsiderSession, userId: outsider.id, organizationId: org, state: 'ACTIVE' });
    const memberSession = await startSession(member);
    await publishFocus('started', { id: memberSession, userId: member.id, organizationId: org, state: 'ACTIVE' });
    await sub.next(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sub.errors).toEqual([]);
    expect(sub.results).toEqual([{ data: { teamFocusActivity: { focusing: true, user: { id: member.id, name: 'Test User' }, team: { name: 'Core' } } } }]);
    await sub.dispose();
  });

  it('refuses subscriptions past the per-connection limit', async () => {
    const user = await signUp();
    await createOrganization(user);
    const connection = connect({ authorization: `Bearer ${user.accessToken}` });
    const subs = Array.from({ length: 4 }, () => subscribe(user.accessToken, 'subscription { focusSessionChanged { id } }', {}, connection));
    await subs[3]!.next(1, 2000);
    expect(JSON.stringify(subs[3]!.errors)).toContain('TOO_MANY_SUBSCRIPTIONS');
    expect(subs.slice(0, 3).every((sub) => sub.errors.length === 0)).toBe(true);
    await connection.client.dispose();
  });

  it('applies the gateway\'s query limits to subscriptions too', async () => {
    const ada = await signUp();
    await createOrganization(ada);
    let selection = 'id';
    for (let i = 0; i < 4; i += 1) selection = `user { focusSessions(first: 1) { edges { node { ${selection} } } } }`;
    const deep = subscribe(ada.accessToken, `subscription Deep { focusSessionChanged { ${selection} } }`);
    await deep.next(1, 3000);
    expect(JSON.stringify(deep.errors)).toContain('nests more than 12 levels deep');
    await deep.dispose();
  });
});
