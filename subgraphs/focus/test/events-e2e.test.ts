// Through the gateway of the jest global stack: a mutation's event reaches a consumer of the bus.
// Services mode with KAFKA_BROKERS: this test process joins the same Kafka as the stack. Without
// Kafka the bus lives inside the stack's process; with DATABASE_URL the test checks the focus
// outbox was drained instead. Pure embedded mode is covered by the in-process bus and outbox tests (PGlite is locked by the stack's process).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { FocusEvents, KafkaEventBus, OrgsEvents, parseBrokers, topicOf, type EventEnvelope, type FocusSessionEventData } from '@flowforge/events';
import { createOrganization, describeWithService, gqlOk, signUp } from '@flowforge/testing';
import { openDatabase } from '../../../packages/db/src/index.js';

const kafka = process.env.KAFKA_BROKERS;
const databaseUrl = process.env.DATABASE_URL;
const T = 90_000;

async function until<V>(probe: () => V | undefined | Promise<V | undefined>, timeoutMs = 30_000): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function endOneSession() {
  const user = await signUp({ timezone: 'Europe/Berlin' });
  const organizationId = await createOrganization(user);
  const started = await gqlOk<{ startFocusSession: { id: string; focusBlockId: string | null } }>(
    'mutation($input: StartFocusSessionInput!) { startFocusSession(input: $input) { id focusBlockId } }',
    { input: { plannedMinutes: 25, category: 'Writing', focusBlockId: randomUUID() } }, user.accessToken);
  const endedAt = performance.now();
  await gqlOk('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 4 }) { id state } }', { id: started.startFocusSession.id }, user.accessToken);
  return { user, organizationId, sessionId: started.startFocusSession.id, focusBlockId: started.startFocusSession.focusBlockId, endedAt };
}

describeWithService('KAFKA_BROKERS', 'events through the gateway (Kafka)', () => {
  let bus: KafkaEventBus;
  const seen: EventEnvelope[] = [];
  const arrivedAt = new Map<string, number>();

  beforeAll(async () => {
    bus = new KafkaEventBus({ brokers: parseBrokers(kafka ?? ''), log: () => {}, clientId: 'e2e-test' });
    await bus.subscribe(`e2e-${randomUUID()}`, [topicOf('focus'), topicOf('orgs')], async (event) => {
      arrivedAt.set(event.id, performance.now());
      seen.push(event);
    });
  }, T);
  afterAll(() => bus?.close());

  it('ending a focus session through the gateway produces flowforge.focus.session.ended', async () => {
    const { user, organizationId, sessionId, focusBlockId, endedAt } = await endOneSession();
    const ended = await until(() => seen.find((e) => e.subject === sessionId && e.type === FocusEvents.ended));
    const started = seen.find((e) => e.subject === sessionId && e.type === FocusEvents.started);
    expect(started).toBeDefined();
    expect(seen.indexOf(started!)).toBeLessThan(seen.indexOf(ended));
    expect(ended).toMatchObject({ source: '/flowforge/focus', tenant: organizationId, schemaversion: 1 });
    expect(ended.data as FocusSessionEventData).toMatchObject({ sessionId, userId: user.id, organizationId, state: 'COMPLETED', plannedMinutes: 25, category: 'Writing', rating: 4, focusBlockId });
    console.log(`gateway mutation -> outbox -> relay -> Kafka -> consumer: ${(arrivedAt.get(ended.id)! - endedAt).toFixed(0)} ms`);
  }, T);

  it('sign-up and a new organization announce the profile and the membership', async () => {
    const user = await signUp({ timezone: 'Asia/Tokyo' });
    const organizationId = await createOrganization(user);
    const profileOwn = await until(() => seen.find((e) => e.type === OrgsEvents.userProfileChanged && e.subject === user.id && e.tenant === user.id));
    expect(profileOwn.data).toEqual({ userId: user.id, timezone: 'Asia/Tokyo', workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } });
    const joined = await until(() => seen.find((e) => e.type === OrgsEvents.memberJoined && e.tenant === organizationId));
    expect(joined.data).toMatchObject({ organizationId, userId: user.id, role: 'ADMIN' });
    await until(() => seen.find((e) => e.type === OrgsEvents.userProfileChanged && e.subject === user.id && e.tenant === organizationId));
    await gqlOk('mutation { updateProfile(input: { timezone: "America/New_York" }) { id } }', {}, user.accessToken);
    const changed = await until(() => seen.find((e) => e.type === OrgsEvents.userProfileChanged && e.tenant === organizationId && (e.data as { timezone: string }).timezone === 'America/New_York'));
    expect(changed.subject).toBe(user.id);
  }, T);
});

(!kafka && databaseUrl ? describe : describe.skip)(`events through the gateway (in-process bus, Postgres outbox)${!kafka && databaseUrl ? '' : ' (skipped: runs with DATABASE_URL and without KAFKA_BROKERS)'}`, () => {
  it('ending a focus session writes its event to the focus outbox, and the relay drains it', async () => {
    const { sessionId } = await endOneSession();
    const database = await openDatabase({ kind: 'postgres', url: databaseUrl!, schema: 'focus' }, { migrationsDir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)) });
    try {
      const row = await until(async () => {
        const rows = await database.query<{ published_at: Date | null }>(`select published_at from outbox_events where key = $1 and envelope->>'type' = $2`, [sessionId, FocusEvents.ended]);
        return rows[0]?.published_at ? rows[0] : undefined;
      });
      expect(row.published_at).toBeInstanceOf(Date);
    } finally {
      await database.close();
    }
  }, T);
});

