// Through the gateway of a dedicated stack started with the fake Google's URLs: connect Google via
// OAuth (authorization code + PKCE) against the fake, see its events in User.calendarEvents,
// schedule focus time and see the blocks written to the fake, change an event on both sides and
// see the recorded conflict resolution; edit and delete a Google event here and see it at Google (a
// PATCH racing an edit in Google gets 412 and goes through the merge: no lost update, no echo). The public URL of /oauth/callback/ and /webhooks/ is the
// gateway (INTEGRATIONS_PUBLIC_URL), which proxies them to the integrations subgraph: the OAuth
// redirect, Google's push notifications and a signed GitHub webhook all arrive through it.
import { createOrganization, errorCode, gql, gqlOk, signUp, startStackProcess, type StackProcess, type TestUser } from '@flowforge/testing';
import { request } from 'node:http';
import { githubSignature } from '../src/webhooks/signatures.js';
import { FakeGoogleCalendar } from './fakes/google-calendar.js';
import { eventually, newKek } from './harness.js';

const PORT_BASE = Number(process.env.FLOWFORGE_TEST_PORT_BASE ?? 14000) + 150;
/** The gateway: the public origin of the OAuth callback and the webhooks. */
const PUBLIC_ORIGIN = `http://127.0.0.1:${PORT_BASE}`;
const GITHUB_SECRET = 'e2e-github-webhook-secret';

/** A raw POST (exact bytes and headers), answering status and parsed JSON. */
function post(url: string, body: Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch { /* not JSON */ }
        resolve({ status: res.statusCode!, body: json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function mondayIn(weeks: number): string {
  const now = new Date();
  const day = (now.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day + 7 * weeks)).toISOString().slice(0, 10);
}

describe('Google Calendar through the gateway (dedicated stack + fake Google)', () => {
  let fake: FakeGoogleCalendar;
  let stack: StackProcess;
  let url: string;
  let user: TestUser;
  const email = 'e2e.user@example.com';

  beforeAll(async () => {
    fake = await new FakeGoogleCalendar({ redirectUris: [`${PUBLIC_ORIGIN}/oauth/callback/google-calendar`], approveAs: email }).start();
    // Info-level logs from the stack, so the no-token assertion below reads every line (startStackProcess takes LOG_LEVEL from process.env).
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      stack = await startStackProcess({ portBase: PORT_BASE, embedded: true, env: { ...fake.env(), INTEGRATIONS_PUBLIC_URL: PUBLIC_ORIGIN, INTEGRATIONS_KEK: newKek().base64, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET } });
    } finally {
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
    }
    url = stack.gatewayUrl;
    user = await signUp({ timezone: 'UTC', url });
    const org = await gqlOk<{ createOrganization: { accessToken: string } }>('mutation { createOrganization(input: { name: "E2E" }) { accessToken } }', {}, user.accessToken, url);
    user.accessToken = org.createOrganization.accessToken;
  }, 90_000);
  afterAll(async () => {
    if (process.env.E2E_DEBUG) console.log(stack?.output().slice(-6000));
    await stack?.stop();
    await fake?.stop();
  });

  const q = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) => gqlOk<T>(query, variables, user.accessToken, url);

  it('connects, imports events, writes focus blocks back, resolves conflicts, and never logs tokens', async () => {
    const monday = mondayIn(1);
    const ids = fake.seedEvents(email, 3, new Date(`${monday}T10:00:00Z`), 'Google meeting');

    const { connectProvider } = await q('mutation { connectProvider(provider: GOOGLE_CALENDAR) { authorizationUrl expiresAt connection { id status } } }');
    expect(connectProvider.connection.status).toBe('PENDING');
    const authorize = new URL(connectProvider.authorizationUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${PUBLIC_ORIGIN}/oauth/callback/google-calendar`);
    expect(authorize.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/calendar.events');

    // The browser: the fake auto-approves and redirects to our callback with code + state.
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get('location')!;
    expect(callback.startsWith(`${PUBLIC_ORIGIN}/oauth/callback/google-calendar?`)).toBe(true); // through the gateway
    const done = await fetch(callback);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('connected');
    // The state is single-use.
    expect((await fetch(callback)).status).toBe(400);

    const connectionId = connectProvider.connection.id;
    await eventually(async () => {
      const me = (await q('{ me { providerConnections { id status externalAccountId lastSyncAt syncLogs { status itemsSynced } } } }')).me;
      expect(me.providerConnections[0]).toMatchObject({ id: connectionId, status: 'CONNECTED', syncLogs: expect.arrayContaining([{ status: 'SUCCEEDED', itemsSynced: 3 }]) });
      expect(me.providerConnections[0].externalAccountId).toBe(email);
    }, 20_000, 250);
    const range = { from: `${monday}T00:00:00Z`, to: `${mondayIn(2)}T00:00:00Z` };
    const events = async () => (await q('query($from: DateTime!, $to: DateTime!) { me { calendarEvents(from: $from, to: $to) { title startsAt event { id etag source externalId } } } }', range)).me.calendarEvents as { title: string; startsAt: string; event: { id: string; etag: string; source: string; externalId: string } }[];
    await eventually(async () => expect((await events()).filter((e) => e.event.source === 'GOOGLE').map((e) => e.title).sort()).toEqual(['Google meeting 1', 'Google meeting 2', 'Google meeting 3']), 20_000);

    // Google's push channel points at the gateway, and a push delivered through it triggers a sync.
    await eventually(() => expect(fake.channels(email).map((c) => c.address)).toEqual([`${PUBLIC_ORIGIN}/webhooks/google-calendar`]), 20_000, 250);
    fake.seedEvents(email, 1, new Date(`${monday}T16:00:00Z`), 'Pushed meeting');
    await eventually(async () => expect((await events()).map((e) => e.title)).toContain('Pushed meeting 1'), 20_000, 250);

    // Focus time: blocks avoid the Google meetings and are written back to Google as busy events.
    const scheduled = (await q('mutation($input: ScheduleFocusTimeInput!) { scheduleFocusTime(input: $input) { placed { id startsAt endsAt } } }', { input: { from: monday, to: monday, weeklyTargetMinutes: 120 } })).scheduleFocusTime;
    expect(scheduled.placed.length).toBeGreaterThan(0);
    await eventually(() => {
      const written = fake.events(email).filter((e) => e.extendedProperties?.private?.flowforgeFocusBlockId);
      expect(written.map((e) => e.extendedProperties!.private!.flowforgeFocusBlockId).sort()).toEqual(scheduled.placed.map((b: { id: string }) => b.id).sort());
      expect(written.every((e) => e.transparency === 'opaque')).toBe(true);
    }, 20_000, 250);
    // Our own write-backs are not imported back as calendar events.
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });
    expect((await events()).filter((e) => e.event.source === 'GOOGLE')).toHaveLength(4);

    // Local edits of Google events go to Google (PATCH of the changed fields, If-Match) and come back as
    // calendar's synced version; the next sync does not deliver our own write back.
    const patches = () => fake.stats.byRoute.get('PATCH calendars/{id}/events/{id}') ?? 0;
    const third = (await events()).find((e) => e.title === 'Google meeting 3')!;
    const movedStart = `${monday}T18:00:00.000Z`;
    const movedEnd = `${monday}T18:45:00.000Z`;
    await q('mutation($id: ID!, $input: UpdateCalendarEventInput!) { updateCalendarEvent(id: $id, input: $input) { id } }', { id: third.event.id, input: { title: 'Renamed here', startsAt: movedStart, endsAt: movedEnd } });
    await eventually(async () => {
      const atGoogle = fake.events(email).find((e) => e.id === ids[2])!;
      expect(atGoogle).toMatchObject({ summary: 'Renamed here', start: { dateTime: movedStart }, end: { dateTime: movedEnd } });
      // Calendar adopted Google's etag for the edited event.
      expect((await events()).find((e) => e.event.id === third.event.id)!.event.etag).toBe(atGoogle.etag);
    }, 20_000, 250);
    const pushedEtag = fake.events(email).find((e) => e.id === ids[2])!.etag;
    const patchesAfterEdit = patches();
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const renamed = (await events()).filter((e) => e.event.id === third.event.id);
    expect(renamed.map((e) => [e.title, e.startsAt, e.event.etag])).toEqual([['Renamed here', movedStart, pushedEtag]]);
    expect(fake.events(email).find((e) => e.id === ids[2])!.etag).toBe(pushedEtag); // no echo, no loop
    expect(patches()).toBe(patchesAfterEdit);

    // A local deletion deletes it at Google.
    const pushed = (await events()).find((e) => e.title === 'Pushed meeting 1')!;
    await q('mutation($id: ID!) { deleteCalendarEvent(id: $id) { id } }', { id: pushed.event.id });
    await eventually(() => expect(fake.events(email).map((e) => e.summary)).not.toContain('Pushed meeting 1'), 20_000, 250);
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });
    expect((await events()).map((e) => e.title)).not.toContain('Pushed meeting 1');

    // Pushes held back (as when a notification is late) so both sides change before the next sync.
    fake.pushEnabled = false;
    // Conflict 1: edited here, then (later, while our PATCH is on its way) in Google → 412 → the provider's newer edit wins.
    const first = (await events()).find((e) => e.title === 'Google meeting 1')!;
    const release = fake.holdWrites();
    const held = fake.heldWrites;
    await q('mutation($id: ID!) { updateCalendarEventOccurrence: updateCalendarEvent(id: $id, input: { title: "Local edit" }) { id } }', { id: first.event.id });
    await eventually(() => expect(fake.heldWrites).toBeGreaterThan(held), 20_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.updateEvent(email, ids[0]!, { summary: 'Remote edit' });
    release();
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });
    // Conflict 2: edited in Google, then (later) here → the PATCH meets 412, the merge lets our newer edit win, and it is pushed to Google.
    const second = (await events()).find((e) => e.title === 'Google meeting 2')!;
    fake.updateEvent(email, ids[1]!, { summary: 'Remote edit 2' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await q('mutation($id: ID!) { updateCalendarEvent(id: $id, input: { title: "Local edit 2" }) { id } }', { id: second.event.id });
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });

    await eventually(async () => {
      const conflicts = (await q('{ me { integrationConflicts { externalId winner fields reason connection { id } } } }')).me.integrationConflicts;
      expect(conflicts).toEqual(expect.arrayContaining([
        expect.objectContaining({ externalId: ids[0], winner: 'REMOTE', fields: ['title'], connection: { id: connectionId } }),
        expect.objectContaining({ externalId: ids[1], winner: 'LOCAL', fields: ['title'] }),
      ]));
      const titles = (await events()).map((e) => e.title);
      expect(titles).toEqual(expect.arrayContaining(['Remote edit', 'Local edit 2']));
      expect(fake.events(email).find((e) => e.id === ids[1])!.summary).toBe('Local edit 2');
      expect(fake.events(email).find((e) => e.id === ids[0])!.summary).toBe('Remote edit'); // the older local edit did not overwrite it
    }, 20_000, 250);

    // Tokens never reach the log.
    const output = stack.output();
    expect(output).toContain('provider connected');
    expect(output).not.toMatch(/ya29\.[A-Za-z0-9_-]{10,}/);
    expect(output).not.toMatch(/1\/\/[A-Za-z0-9_-]{10,}/);
  }, 120_000);

  it('accepts a signed GitHub webhook delivered through the gateway and rejects a tampered or unsigned one', async () => {
    const endpoint = `${PUBLIC_ORIGIN}/webhooks/github`;
    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/app' }, sender: { login: 'octocat' }, commits: [{}], head_commit: { timestamp: new Date().toISOString(), message: 'caf\u00e9 \u2713' } }, null, 2));
    const headers = (delivery: string, signature = githubSignature(GITHUB_SECRET, body)) => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': signature });

    // Signed over the exact bytes: the gateway forwards them unchanged, so the signature holds.
    expect(await post(endpoint, body, headers('e2e-d-1'))).toEqual({ status: 200, body: { ok: true } });
    expect(await post(endpoint, body, headers('e2e-d-1'))).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    // Tampered: one byte changed after signing.
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('acme')] = 'x'.charCodeAt(0);
    expect((await post(endpoint, tampered, headers('e2e-d-2', githubSignature(GITHUB_SECRET, body)))).status).toBe(401);
    // Signed with another secret, or not signed at all.
    expect((await post(endpoint, body, headers('e2e-d-3', githubSignature('not-the-secret', body)))).status).toBe(401);
    const { 'x-hub-signature-256': _unsigned, ...unsigned } = headers('e2e-d-4');
    expect((await post(endpoint, body, unsigned)).status).toBe(401);
    // A user's credentials are not forwarded and do not help.
    expect((await post(endpoint, tampered, { ...headers('e2e-d-5', githubSignature(GITHUB_SECRET, body)), authorization: `Bearer ${user.accessToken}` })).status).toBe(401);
    // Only POST, and at most 1 MiB.
    expect((await fetch(endpoint)).status).toBe(405);
    expect((await post(endpoint, Buffer.alloc(1024 * 1024 + 1, 0x20), headers('e2e-d-6'))).status).toBe(413);
  }, 30_000);

  it('has no key-rotation mutation: re-wrapping every tenant\'s tokens is an operator command', async () => {
    // The organization's creator is its ADMIN: even so, the field does not exist.
    const result = await gql('mutation { rotateEncryptionKey { keyVersion rewrapped remaining } }', {}, user.accessToken, url);
    expect(result.data ?? null).toBeNull();
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors![0]!.message).toMatch(/rotateEncryptionKey/);
  });
});
