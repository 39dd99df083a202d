import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  createEvent, deadLetterTopicOf, KafkaEventBus, parseBrokers, PoisonEventError, replayDeadLetters, replayDlqCommand, replayProgressGroup,
  type EventEnvelope,
} from '@flowforge/events';
import { describeWithService } from '@flowforge/testing';

const quiet = () => {};
const T = 90_000;
const NOTE = 'private note: do not print me';
const until = async (check: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

/** A consumer group that applies each event at most once (by id, like consumeOnce) and can be "broken" for some ids. */
class Consumer {
  deliveries = new Map<string, number>();
  applied = new Map<string, number>();
  broken = new Set<string>();
  handler = async (event: EventEnvelope) => {
    this.deliveries.set(event.id, (this.deliveries.get(event.id) ?? 0) + 1);
    if (this.broken.has(event.id)) throw new PoisonEventError(`cannot apply ${event.id}`);
    if (this.applied.has(event.id)) return; // processed_events says: already applied
    this.applied.set(event.id, 1);
  };
  count = (map: Map<string, number>, id: string) => map.get(id) ?? 0;
}

describe('events:replay-dlq without Kafka', () => {
  it('exits 2 and explains that embedded mode keeps dead letters only in memory', async () => {
    const lines: string[] = [];
    const code = await replayDlqCommand(['flowforge.focus'], { env: {}, out: (l) => lines.push(l) });
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/needs Kafka: set KAFKA_BROKERS/);
    expect(lines.join('\n')).toMatch(/embedded mode.*only in the memory/);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const lines: string[] = [];
    expect(await replayDlqCommand([], { env: {}, out: (l) => lines.push(l) })).toBe(2);
    expect(await replayDlqCommand(['t', '--bogus'], { env: {}, out: (l) => lines.push(l) })).toBe(2);
    expect(await replayDlqCommand(['t', '--group'], { env: {}, out: (l) => lines.push(l) })).toBe(2);
    expect(lines.join('\n')).toMatch(/unknown option --bogus/);
    expect(lines.join('\n')).toMatch(/--group needs a value/);
    expect(lines.filter((l) => l.startsWith('usage:'))).toHaveLength(3);
  });
});

describeWithService('KAFKA_BROKERS', 'dead-letter replay against a real broker', (brokers) => {
  const buses: KafkaEventBus[] = [];
  const newBus = (env: NodeJS.ProcessEnv = {}) => {
    const bus = new KafkaEventBus({ brokers: parseBrokers(brokers), log: quiet, maxAttempts: 3, retryDelayMs: () => 20, clientId: 'flowforge-test', env });
    buses.push(bus);
    return bus;
  };
  const run = `test.dlq-replay.${randomUUID()}`;
  const event = (subject: string, n: number): EventEnvelope<{ n: number; note: string }> =>
    createEvent({ domain: 'focus', type: n % 2 ? 'flowforge.focus.session.ended' : 'flowforge.focus.session.updated', subject, tenant: 'org-1', data: { n, note: NOTE } });
  /** Watches `<topic>.dlq` so a test knows when its letters have arrived. */
  const watchDeadLetters = async (bus: KafkaEventBus, topic: string) => {
    const dead: string[] = [];
    await bus.subscribe(`watch-${topic}`, [deadLetterTopicOf(topic)], async (e) => void dead.push(e.id), { fromBeginning: true });
    return dead;
  };

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  }, T);

  it('replays a poison event once it is fixed: the failed group applies it once, others dedupe it, a second run replays nothing, a dry run publishes nothing', async () => {
    const topic = `${run}.main`;
    const bus = newBus();
    const [fixed, other] = [new Consumer(), new Consumer()];
    const [poison, good] = [event('a', 1), event('a', 2)];
    fixed.broken.add(poison.id);
    await newBus().subscribe(`fixed-${topic}`, [topic], fixed.handler);
    await newBus().subscribe(`other-${topic}`, [topic], other.handler);
    const dead = await watchDeadLetters(newBus(), topic);
    await bus.publish(topic, [poison, good]);
    await until(() => dead.length === 1 && fixed.applied.has(good.id) && other.applied.size === 2);
    expect(dead).toEqual([poison.id]);
    expect(fixed.count(fixed.deliveries, poison.id)).toBe(1); // PoisonEventError: no retries

    // Dry run: lists the letter, publishes and commits nothing.
    const lines: string[] = [];
    const dry = await replayDeadLetters({ bus, topic, dryRun: true, out: (l) => lines.push(l) });
    expect(dry).toMatchObject({ dryRun: true, due: 1, read: 1, replayed: 1, skippedByFilter: 0, unreadable: 0 });
    expect(dry.letters).toEqual([expect.objectContaining({ id: poison.id, type: poison.type, group: `fixed-${topic}`, topic, attempts: 1 })]);
    expect(lines.join('\n')).toContain(`would replay ${poison.id}`);
    expect(lines.join('\n')).not.toContain(NOTE);
    await settle();
    expect(fixed.count(fixed.deliveries, poison.id)).toBe(1);
    expect(other.count(other.deliveries, poison.id)).toBe(1);
    const admin = new Kafka({ brokers: parseBrokers(brokers), clientId: 'flowforge-test-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: replayProgressGroup(topic), topics: [deadLetterTopicOf(topic)] });
      expect(offsets!.partitions.every((p) => p.offset === '-1')).toBe(true);
    } finally {
      await admin.disconnect();
    }

    // The handler is fixed; replay.
    fixed.broken.clear();
    const replayed = await replayDeadLetters({ bus, topic });
    expect(replayed).toMatchObject({ dryRun: false, due: 1, read: 1, replayed: 1, skippedByFilter: 0, unreadable: 0 });
    await until(() => fixed.applied.has(poison.id) && other.count(other.deliveries, poison.id) === 2);
    await settle();
    expect(fixed.count(fixed.applied, poison.id)).toBe(1);
    expect(fixed.count(fixed.deliveries, poison.id)).toBe(2); // the failed delivery + the replay
    expect(other.count(other.deliveries, poison.id)).toBe(2); // redelivered...
    expect(other.count(other.applied, poison.id)).toBe(1); // ...but applied once
    expect(other.count(other.deliveries, good.id)).toBe(1); // only the letter was replayed
    expect(dead).toEqual([poison.id]); // nothing dead-lettered again

    // A second run has nothing left.
    const again = await replayDeadLetters({ bus, topic });
    expect(again).toMatchObject({ due: 0, read: 0, replayed: 0 });
    await settle(500);
    expect(fixed.count(fixed.deliveries, poison.id)).toBe(2);
  }, T);

  it('--group replays only that group\'s letters; the others stay due for their own run', async () => {
    const topic = `${run}.filter`;
    const bus = newBus();
    const [a, c] = [new Consumer(), new Consumer()];
    const [e1, e2, e3] = [event('x', 1), event('y', 2), event('z', 3)];
    a.broken.add(e1.id);
    c.broken.add(e2.id);
    c.broken.add(e3.id);
    await newBus().subscribe(`a-${topic}`, [topic], a.handler);
    await newBus().subscribe(`c-${topic}`, [topic], c.handler);
    const dead = await watchDeadLetters(newBus(), topic);
    await bus.publish(topic, [e1, e2, e3]);
    await until(() => dead.length === 3);

    a.broken.clear();
    const onlyA = await replayDeadLetters({ bus, topic, group: `a-${topic}` });
    expect(onlyA).toMatchObject({ due: 3, read: 3, replayed: 1, skippedByFilter: 2, progressGroup: `flowforge.dlq-replay.${topic}.by-group.a-${topic}` });
    expect(onlyA.letters.map((l) => l.id)).toEqual([e1.id]);
    await until(() => a.applied.has(e1.id) && c.count(c.deliveries, e1.id) === 2);
    await settle();
    expect(a.count(a.applied, e1.id)).toBe(1);
    expect(c.count(c.applied, e1.id)).toBe(1);
    expect(c.count(c.deliveries, e2.id)).toBe(1); // C's letters were not replayed
    expect(await replayDeadLetters({ bus, topic, group: `a-${topic}` })).toMatchObject({ due: 0, replayed: 0 });

    // C fixed only the ended events (e3 is n=3: "ended"): --group plus --type.
    c.broken.delete(e3.id);
    const onlyC = await replayDeadLetters({ bus, topic, group: `c-${topic}`, type: 'flowforge.focus.session.ended' });
    expect(onlyC).toMatchObject({ read: 3, replayed: 1, skippedByFilter: 2 });
    expect(onlyC.letters.map((l) => l.id)).toEqual([e3.id]);
    await until(() => c.applied.has(e3.id));
    await settle();
    expect(c.count(c.deliveries, e2.id)).toBe(1);
    expect(a.count(a.applied, e3.id)).toBe(1);
  }, T);

  it('the command: honours KAFKA_NAMESPACE, prints progress and a summary but no event data, and names unknown topics', async () => {
    const namespace = `ns${randomUUID().slice(0, 8)}`;
    const topic = `${run}.cmd`;
    const bus = newBus({ KAFKA_NAMESPACE: namespace });
    const broken = new Consumer();
    const events = [event('k', 1), event('k', 2), event('k', 3)];
    for (const e of events) broken.broken.add(e.id);
    await newBus({ KAFKA_NAMESPACE: namespace }).subscribe(`g-${topic}`, [topic], broken.handler);
    const dead = await watchDeadLetters(newBus({ KAFKA_NAMESPACE: namespace }), topic);
    await bus.publish(topic, events);
    await until(() => dead.length === 3);
    broken.broken.clear();

    const env = { KAFKA_BROKERS: brokers, KAFKA_NAMESPACE: namespace };
    const lines: string[] = [];
    const code = await replayDlqCommand([topic, '--every', '1'], { env, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toContain(`namespace ${namespace}`);
    expect(text).toMatch(/^\s+replayed\s+3$/m);
    expect(text).toMatch(/^\s+skipped by filter\s+0$/m);
    expect(text).not.toContain(NOTE);
    await until(() => broken.applied.size === 3);

    // Without the namespace the topic does not exist.
    const missing: string[] = [];
    expect(await replayDlqCommand([topic], { env: { KAFKA_BROKERS: brokers }, out: (l) => missing.push(l) })).toBe(2);
    expect(missing.join('\n')).toMatch(/Unknown topic ".*": neither .* nor .*\.dlq exists/);

    // A topic with no dead letters is not an error.
    await bus.publish(`${topic}.clean`, [event('c', 1)]);
    const clean: string[] = [];
    expect(await replayDlqCommand([`${topic}.clean`], { env, out: (l) => clean.push(l) })).toBe(0);
    expect(clean.join('\n')).toMatch(/has no dead letters/);
  }, T);
});
