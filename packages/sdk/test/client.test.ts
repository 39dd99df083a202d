import {
  CreateHabitDocument,
  CreateOrganizationDocument,
  EndFocusSessionDocument,
  FlowForgeError,
  FocusSessionChangedDocument,
  FocusSessionsDocument,
  HabitsDocument,
  MeDocument,
  MeWithFocusDocument,
  RefreshSessionDocument,
  SignUpDocument,
  StartFocusSessionDocument,
  createClient,
  isFlowForgeError,
  type FocusSessionChangedSubscription,
  type FocusSessionState,
  type MeWithFocusQuery,
  type Role,
} from '@flowforge/sdk';
import { gatewayUrl } from '@flowforge/testing';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

// The SDK against the running test stack (the jest global setup starts it), the way an SDK user runs it.
const today = () => new Date().toISOString().slice(0, 10);
const email = () => `sdk-${randomUUID()}@example.test`;
const PASSWORD = 'correct horse battery staple';

async function signedIn(timezone = 'UTC') {
  const client = createClient({ url: gatewayUrl() });
  const { signUp } = await client.request(SignUpDocument, { input: { email: email(), password: PASSWORD, name: 'Ada Lovelace', timezone } });
  client.setToken(signUp.accessToken);
  return { client, session: signUp };
}

describe('@flowforge/sdk against the running stack', () => {
  it('runs a typed flow: sign up, create an organization, a focus session, then me with stats', async () => {
    const { client, session } = await signedIn('Europe/Berlin');
    expect(session.user).toMatchObject({ name: 'Ada Lovelace', timezone: 'Europe/Berlin' });
    expect(session.refreshToken).toEqual(expect.any(String));
    expect(session.activeOrganization).toBeNull();

    const { createOrganization } = await client.request(CreateOrganizationDocument, { input: { name: 'Analytical Engines' } });
    const role: Role | null = createOrganization.role;
    expect(role).toBe('ADMIN');
    expect(createOrganization.activeOrganization?.name).toBe('Analytical Engines');
    client.setToken(createOrganization.accessToken);

    const { startFocusSession: started } = await client.request(StartFocusSessionDocument, { input: { plannedMinutes: 50, category: 'Writing' } });
    const state: FocusSessionState = started.state;
    expect(state).toBe('ACTIVE');
    expect(started).toMatchObject({ plannedMinutes: 50, category: 'Writing', rating: null, endedAt: null, pauses: [], interruptions: [] });

    const { endFocusSession: ended } = await client.request(EndFocusSessionDocument, { id: started.id, input: { rating: 4, notes: 'Good flow' } });
    expect(ended).toMatchObject({ id: started.id, state: 'COMPLETED', rating: 4, notes: 'Good flow' });
    expect(ended.actualMinutes).toBeGreaterThanOrEqual(0);
    expect(ended.endedAt).toEqual(expect.any(String));

    const from = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const data: MeWithFocusQuery = await client.request(MeWithFocusDocument, { from, to: today() });
    const me = data.me!;
    expect(me).toMatchObject({ id: session.user.id, name: 'Ada Lovelace', timezone: 'Europe/Berlin' });
    expect(me.memberships).toEqual([{ role: 'ADMIN', organization: { id: createOrganization.activeOrganization!.id, name: 'Analytical Engines' } }]);
    expect(me.focusSessions.edges.map((edge) => edge.node.id)).toEqual([started.id]);
    expect(me.focusSessions.pageInfo.hasNextPage).toBe(false);
    expect(me.focusStats.sessions).toBe(1);
    expect(me.focusStats.averageRating).toBe(4);
    expect(me.focusStats.totalMinutes).toBeCloseTo(ended.actualMinutes, 5);
    expect(me.focusStats.days).toHaveLength(7);
    // Compile-time checks (tsc runs over packages/*/test): results and variables are typed.
    const total: number = me.focusStats.totalMinutes;
    expect(typeof total).toBe('number');
    // @ts-expect-error not selected by MeWithFocus
    void me.email;
    // @ts-expect-error variables are required for MeWithFocus
    void (() => client.request(MeWithFocusDocument));
    // @ts-expect-error plannedMinutes is an Int
    void (() => client.request(StartFocusSessionDocument, { input: { plannedMinutes: '50' } }));
    // Operations without required variables take none.
    expect((await client.request(MeDocument)).me?.activeOrganization?.name).toBe('Analytical Engines');
  });

  it('pages through focus sessions with cursors', async () => {
    const { client } = await signedIn();
    client.setToken((await client.request(CreateOrganizationDocument, { input: { name: 'Pager' } })).createOrganization.accessToken);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { startFocusSession } = await client.request(StartFocusSessionDocument, { input: { plannedMinutes: 10 + i } });
      await client.request(EndFocusSessionDocument, { id: startFocusSession.id });
      ids.unshift(startFocusSession.id);
    }
    const first = (await client.request(FocusSessionsDocument, { first: 2 })).me!.focusSessions;
    expect(first.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await client.request(FocusSessionsDocument, { first: 2, after: first.pageInfo.endCursor })).me!.focusSessions;
    expect(rest.edges.map((edge) => edge.node.id)).toEqual(ids.slice(2));
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('surfaces bad input as a FlowForgeError with code BAD_USER_INPUT', async () => {
    const { client } = await signedIn();
    client.setToken((await client.request(CreateOrganizationDocument, { input: { name: 'Errors' } })).createOrganization.accessToken);
    const failure = await client.request(StartFocusSessionDocument, { input: { plannedMinutes: 0 } }).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(FlowForgeError);
    expect(isFlowForgeError(failure, 'BAD_USER_INPUT')).toBe(true);
    const error = failure as FlowForgeError;
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/plannedMinutes must be a whole number between 1 and 720/);
    expect(error.status).toBe(200);
    expect(error.errors).toHaveLength(1);
    expect(error.reference).toBeUndefined();

    // extensions.field, where the subgraph names the field.
    const page = await client.request(FocusSessionsDocument, { first: 0 }).catch((caught: unknown) => caught);
    expect(isFlowForgeError(page, 'BAD_USER_INPUT')).toBe(true);
    expect((page as FlowForgeError).field).toBe('first');

    const habit = await client.request(CreateHabitDocument, { input: { title: 'x', schedule: 'FREQ=HOURLY' } }).catch((caught: unknown) => caught);
    expect(isFlowForgeError(habit, 'BAD_USER_INPUT')).toBe(true);
    expect((await client.request(HabitsDocument)).me?.habits).toEqual([]);
  });

  it('reports UNAUTHENTICATED for a bad token and refreshes through the hook when given one', async () => {
    const { session } = await signedIn();
    const bad = createClient({ url: gatewayUrl(), token: 'not-a-token' });
    const failure = await bad.request(MeDocument).catch((caught: unknown) => caught);
    expect(isFlowForgeError(failure, 'UNAUTHENTICATED')).toBe(true);
    expect((failure as FlowForgeError).status).toBe(401);

    let refreshToken = session.refreshToken!;
    let refreshes = 0;
    const client = createClient({
      url: gatewayUrl(),
      token: 'expired-or-revoked',
      refreshToken: async () => {
        refreshes++;
        const { refreshSession } = await createClient({ url: gatewayUrl() }).request(RefreshSessionDocument, { refreshToken });
        refreshToken = refreshSession.refreshToken ?? refreshToken;
        return refreshSession.accessToken;
      },
    });
    expect((await client.request(MeDocument)).me?.id).toBe(session.user.id);
    expect(await client.request(MeDocument).then((data) => data.me?.id)).toBe(session.user.id);
    expect(refreshes).toBe(1);
    expect(refreshToken).not.toBe(session.refreshToken);
  });

  it('wraps an unreachable gateway as NETWORK_ERROR', async () => {
    const client = createClient({ url: 'http://127.0.0.1:9/graphql' });
    const failure = await client.request(MeDocument).catch((caught: unknown) => caught);
    expect(isFlowForgeError(failure, 'NETWORK_ERROR')).toBe(true);
    expect((failure as FlowForgeError).status).toBe(0);
  });

  it('subscribes with typed events over graphql-ws', async () => {
    const { client: http } = await signedIn();
    const { createOrganization } = await http.request(CreateOrganizationDocument, { input: { name: 'Live' } });
    http.setToken(createOrganization.accessToken);
    const client = createClient({ url: gatewayUrl(), token: createOrganization.accessToken, webSocketImpl: WebSocket });
    const events: FocusSessionChangedSubscription['focusSessionChanged'][] = [];
    const errors: FlowForgeError[] = [];
    const stop = client.subscribe(FocusSessionChangedDocument, {}, (data) => events.push(data.focusSessionChanged), { onError: (error) => errors.push(error) });
    try {
      // Subscribed means registered at the gateway: start sessions until one arrives, then end it.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { startFocusSession } = await http.request(StartFocusSessionDocument, { input: { plannedMinutes: 25 } });
      await http.request(EndFocusSessionDocument, { id: startFocusSession.id, input: { rating: 5 } });
      const deadline = Date.now() + 15_000;
      while (!events.some((event) => event.state === 'COMPLETED') && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toEqual([]);
      const completed = events.find((event) => event.state === 'COMPLETED');
      expect(completed).toMatchObject({ id: startFocusSession.id, rating: 5, user: { name: 'Ada Lovelace' } });
    } finally {
      stop();
      await client.dispose();
    }
  });
});
