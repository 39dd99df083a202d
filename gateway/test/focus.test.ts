import { addMember, createOrganization, errorCode, gql, gqlOk, signUp, type TestUser } from '@flowforge/testing';

const SESSION = 'id state plannedMinutes actualMinutes category notes rating startedAt endedAt pauses { startedAt endedAt } interruptions { reason }';

async function focusUser(timezone = 'UTC'): Promise<TestUser> {
  const user = await signUp({ timezone });
  await createOrganization(user);
  return user;
}

describe('focus sessions through the gateway', () => {
  it('runs a session through start, pause, interruption, resume and end', async () => {
    const user = await focusUser();
    const started = (await gqlOk(`mutation { startFocusSession(input: { plannedMinutes: 50, category: " Writing ", notes: "chapter 3" }) { ${SESSION} } }`, {}, user.accessToken)).startFocusSession;
    expect(started).toMatchObject({ state: 'ACTIVE', plannedMinutes: 50, category: 'Writing', notes: 'chapter 3', endedAt: null });
    const id = started.id;

    const paused = (await gqlOk(`mutation($id: ID!) { pauseFocusSession(id: $id) { ${SESSION} } }`, { id }, user.accessToken)).pauseFocusSession;
    expect(paused.state).toBe('PAUSED');
    expect(paused.pauses).toHaveLength(1);
    expect(paused.pauses[0].endedAt).toBeNull();

    const again = await gql('mutation($id: ID!) { pauseFocusSession(id: $id) { id } }', { id }, user.accessToken);
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toMatch(/already paused/);

    await gqlOk('mutation($id: ID!) { recordInterruption(id: $id, reason: "Phone call") { id } }', { id }, user.accessToken);
    const resumed = (await gqlOk(`mutation($id: ID!) { resumeFocusSession(id: $id) { ${SESSION} } }`, { id }, user.accessToken)).resumeFocusSession;
    expect(resumed.state).toBe('ACTIVE');
    expect(resumed.pauses[0].endedAt).not.toBeNull();

    const ended = (await gqlOk(`mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 4 }) { ${SESSION} } }`, { id }, user.accessToken)).endFocusSession;
    expect(ended).toMatchObject({ state: 'COMPLETED', rating: 4, interruptions: [{ reason: 'Phone call' }] });
    expect(ended.actualMinutes).toBeGreaterThanOrEqual(0);
    expect(ended.actualMinutes).toBeLessThan(1);
    expect(errorCode(await gql('mutation($id: ID!) { endFocusSession(id: $id) { id } }', { id }, user.accessToken))).toBe('CONFLICT');
  });

  it('allows only one running session per user, even under concurrent starts', async () => {
    const user = await focusUser();
    const attempts = await Promise.all(Array.from({ length: 5 }, () => gql('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken)));
    const won = attempts.filter((attempt) => !attempt.errors);
    expect(won).toHaveLength(1);
    for (const lost of attempts.filter((attempt) => attempt.errors)) expect(errorCode(lost)).toBe('CONFLICT');
    const active = await gqlOk('{ activeFocusSession { id } }', {}, user.accessToken);
    expect(active.activeFocusSession.id).toBe(won[0]!.data!.startFocusSession.id);
  });

  it('rejects bad input with BAD_USER_INPUT and writes nothing', async () => {
    const user = await focusUser();
    for (const [input, field] of [['{ plannedMinutes: 0 }', 'plannedMinutes'], ['{ plannedMinutes: 721 }', 'plannedMinutes'], ['{ plannedMinutes: 25, category: "" }', 'category']]) {
      const result = await gql(`mutation { startFocusSession(input: ${input}) { id } }`, {}, user.accessToken);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
      expect(result.errors?.[0]?.message).not.toMatch(/at \w+ \(|\.ts:\d+/);
    }
    expect((await gqlOk('{ activeFocusSession { id } }', {}, user.accessToken)).activeFocusSession).toBeNull();
    const { id } = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken)).startFocusSession;
    const badRating = await gql('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 6 }) { id } }', { id }, user.accessToken);
    expect(errorCode(badRating)).toBe('BAD_USER_INPUT');
    expect(badRating.errors?.[0]?.extensions?.field).toBe('rating');
    expect((await gqlOk('{ activeFocusSession { state } }', {}, user.accessToken)).activeFocusSession.state).toBe('ACTIVE');
    expect(errorCode(await gql('mutation { pauseFocusSession(id: "not-an-id") { id } }', {}, user.accessToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql('mutation { pauseFocusSession(id: "00000000-0000-4000-8000-000000000000") { id } }', {}, user.accessToken))).toBe('NOT_FOUND');
  });

  it('pages through my sessions newest first with a cursor, filtered by date', async () => {
    const user = await focusUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { id } = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 10 }) { id } }', {}, user.accessToken)).startFocusSession;
      await gqlOk('mutation($id: ID!) { endFocusSession(id: $id) { id } }', { id }, user.accessToken);
      ids.unshift(id);
    }
    const PAGE = 'query($after: String) { me { focusSessions(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const connection: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = (await gqlOk(PAGE, { after }, user.accessToken)).me.focusSessions;
      seen.push(...connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.hasNextPage).toBe(page < 2);
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const future = await gqlOk('{ me { focusSessions(from: "2999-01-01T00:00:00Z") { edges { node { id } } } } }', {}, user.accessToken);
    expect(future.me.focusSessions.edges).toEqual([]);
    expect(errorCode(await gql('{ me { focusSessions(first: 1000) { edges { cursor } } } }', {}, user.accessToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql('{ me { focusSessions(after: "garbage") { edges { cursor } } } }', {}, user.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('computes stats in the user\'s time zone, fetching it from the orgs subgraph', async () => {
    const user = await focusUser('Pacific/Tongatapu');
    const { id } = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 10 }) { id } }', {}, user.accessToken)).startFocusSession;
    await gqlOk('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 5 }) { id } }', { id }, user.accessToken);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Tongatapu', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const stats = (await gqlOk('query($d: String!) { me { focusStats(from: $d, to: $d) { timezone sessions averageRating currentStreak days { date sessions } } } }', { d: today }, user.accessToken)).me.focusStats;
    expect(stats).toMatchObject({ timezone: 'Pacific/Tongatapu', sessions: 1, averageRating: 5, currentStreak: 1, days: [{ date: today, sessions: 1 }] });
    const bad = await gql('{ me { focusStats(from: "2026-02-30", to: "2026-03-01") { sessions } } }', {}, user.accessToken);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('lets ADMIN and MANAGER read a member\'s sessions, but not USER or VIEWER', async () => {
    const admin = await focusUser();
    const worker = await addMember(admin, 'USER');
    await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 15 }) { id } }', {}, worker.accessToken);
    const manager = await addMember(admin, 'MANAGER');
    const peer = await addMember(admin, 'USER');
    const viewer = await addMember(admin, 'VIEWER');
    const QUERY = '{ organization: me { activeOrganization { members { user { id focusSessions { edges { node { plannedMinutes } } } } } } } }';
    for (const reader of [admin, manager]) {
      const members = (await gqlOk(QUERY, {}, reader.accessToken)).organization.activeOrganization.members;
      const workersView = members.find((m: { user: { id: string } }) => m.user.id === worker.id);
      expect(workersView.user.focusSessions.edges).toEqual([{ node: { plannedMinutes: 15 } }]);
    }
    for (const reader of [peer, viewer]) expect(errorCode(await gql(QUERY, {}, reader.accessToken))).toBe('FORBIDDEN');
  });
});
