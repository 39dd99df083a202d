import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createEvent, createEventBus, deadLetterTopicOf, isDeadLetter, KafkaEventBus, parseBrokers, PoisonEventError, type EventEnvelope } from '@flowforge/events';
import { describeWithService } from '@flowforge/testing';

const quiet = () => {};
const T = 90_000;
const until = async (check: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describeWithService('KAFKA_BROKERS', 'KafkaEventBus against a real broker', (brokers) => {
  const buses: KafkaEventBus[] = [];
  const newBus = () => {
    const bus = new KafkaEventBus({ brokers: parseBrokers(brokers), log: quiet, maxAttempts: 3, retryDelayMs: () => 20, clientId: 'flowforge-test' });
    buses.push(bus);
    return bus;
  };
  const topic = `test.events.${randomUUID()}`;
  const event = (subject: string, n: number): EventEnvelope<{ n: number }> =>
    createEvent({ domain: 'focus', type: 'flowforge.focus.session.updated', subject, tenant: 'org-1', data: { n } });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  }, T);

  it('createEventBus picks Kafka when KAFKA_BROKERS is set', async () => {
    const bus = createEventBus({ KAFKA_BROKERS: brokers });
    expect(bus.kind).toBe('kafka');
    await bus.close();
  }, T);

  it('groups: each group gets every event; members of one group share; order holds per key', async () => {
    const producer = newBus();
    const got = { a1: [] as EventEnvelope[], a2: [] as EventEnvelope[], b: [] as EventEnvelope[] };
    await newBus().subscribe(`a-${topic}`, [topic], async (e) => void got.a1.push(e));
    await newBus().subscribe(`a-${topic}`, [topic], async (e) => void got.a2.push(e));
    await newBus().subscribe(`b-${topic}`, [topic], async (e) => void got.b.push(e));
    const events = Array.from({ length: 60 }, (_, i) => event(`key-${i % 6}`, i));
    for (let i = 0; i < events.length; i += 10) await producer.publish(topic, events.slice(i, i + 10));
    await until(() => got.a1.length + got.a2.length >= 60 && got.b.length >= 60);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing extra arrives
    const ids = events.map((e) => e.id).sort();
    expect([...got.a1, ...got.a2].map((e) => e.id).sort()).toEqual(ids);
    expect(got.b.map((e) => e.id).sort()).toEqual(ids);
    for (const key of ['key-0', 'key-3', 'key-5']) {
      const expected = events.filter((e) => e.subject === key).map((e) => e.id);
      expect(got.b.filter((e) => e.subject === key).map((e) => e.id)).toEqual(expected);
      const inA = [...got.a1, ...got.a2].filter((e) => e.subject === key);
      expect(got.a1.filter((e) => e.subject === key).length === 0 || got.a2.filter((e) => e.subject === key).length === 0).toBe(true); // one member per key
      expect(inA.map((e) => e.id)).toEqual(expected);
    }
  }, T);

  it('retries a failing handler, then writes the event with the error to <topic>.dlq and moves on', async () => {
    const producer = newBus();
    const attempts: number[] = [];
    const processed: number[] = [];
    const poisonTopic = `${topic}.poison`;
    await newBus().subscribe(`flaky-${topic}`, [poisonTopic], async (e, meta) => {
      const { n } = e.data as { n: number };
      if (n === 1) {
        attempts.push(meta.attempt);
        throw new Error('cannot apply event 1');
      }
      processed.push(n);
    });
    const dead: EventEnvelope[] = [];
    await newBus().subscribe(`dlq-${topic}`, [deadLetterTopicOf(poisonTopic)], async (e) => void dead.push(e));
    const poison = event('k', 1);
    await producer.publish(poisonTopic, [poison, event('k', 2)]);
    await until(() => dead.length === 1 && processed.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(processed).toEqual([2]);
    expect(isDeadLetter(dead[0]!)).toBe(true);
    expect(dead[0]).toMatchObject({ id: poison.id, deadletter: { topic: poisonTopic, group: `flaky-${topic}`, error: 'cannot apply event 1', attempts: 3 } });
  }, T);

  it('a PoisonEventError is dead-lettered on its first attempt; a retry heartbeats through a wait longer than the session timeout', async () => {
    const producer = newBus();
    const poisonTopic = `${topic}.poison-now`;
    const attempts: number[] = [];
    await newBus().subscribe(`poison-${topic}`, [poisonTopic], async (e, meta) => {
      attempts.push(meta.attempt);
      throw new PoisonEventError(`cannot apply ${e.id}`);
    });
    const dead: EventEnvelope[] = [];
    await newBus().subscribe(`dlq-poison-${topic}`, [deadLetterTopicOf(poisonTopic)], async (e) => void dead.push(e));
    const poison = event('p', 1);
    await producer.publish(poisonTopic, [poison]);
    await until(() => dead.length === 1);
    expect(attempts).toEqual([1]);
    expect(dead[0]).toMatchObject({ id: poison.id, deadletter: { attempts: 1, error: `cannot apply ${poison.id}` } });

    // One retry after 35 s (kafkajs's session timeout is 30 s): the member heartbeats while it waits,
    // so the group does not rebalance and the event is handled once, on attempt 2.
    const slowTopic = `${topic}.slow-retry`;
    const slow = new KafkaEventBus({ brokers: parseBrokers(brokers), log: quiet, maxAttempts: 2, retryDelayMs: () => 35_000, clientId: 'flowforge-test' });
    buses.push(slow);
    const seen: number[] = [];
    await slow.subscribe(`slow-${topic}`, [slowTopic], async (_e, meta) => {
      seen.push(meta.attempt);
      if (meta.attempt === 1) throw new Error('database restarting');
    });
    await producer.publish(slowTopic, [event('s', 1)]);
    await until(() => seen.length === 2, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(seen).toEqual([1, 2]);
  }, T);

  it('KAFKA_NAMESPACE keeps two deployments on one cluster apart: prefixed topics and groups, logical names in handlers', async () => {
    const ns = (name: string) => {
      const bus = new KafkaEventBus({ brokers: parseBrokers(brokers), log: quiet, maxAttempts: 1, clientId: 'flowforge-test', env: { KAFKA_NAMESPACE: name } });
      buses.push(bus);
      return bus;
    };
    const [a, b] = [`a${randomUUID().slice(0, 8)}`, `b${randomUUID().slice(0, 8)}`];
    const shared = `${topic}.shared`;
    const got = { a: [] as string[], b: [] as string[] };
    const seenTopics: string[] = [];
    await ns(a).subscribe('insights.focus-facts', [shared], async (e, meta) => { got.a.push(e.id); seenTopics.push(meta.topic); });
    await ns(b).subscribe('insights.focus-facts', [shared], async (e) => void got.b.push(e.id));
    const [ea, eb] = [event('n', 1), event('n', 2)];
    await ns(a).publish(shared, [ea]);
    await ns(b).publish(shared, [eb]);
    await until(() => got.a.length === 1 && got.b.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got).toEqual({ a: [ea.id], b: [eb.id] });
    expect(seenTopics).toEqual([shared]);
    // On the broker the topic carries the namespace.
    const raw: string[] = [];
    await newBus().subscribe(`raw-${topic}`, [`${a}.${shared}`], async (e) => void raw.push(e.id), { fromBeginning: true });
    await until(() => raw.length === 1);
    expect(raw).toEqual([ea.id]);
    expect(() => new KafkaEventBus({ brokers: parseBrokers(brokers), env: { KAFKA_NAMESPACE: 'has space' } })).toThrow(/KAFKA_NAMESPACE must be/);
  }, T);

  it('an ephemeral group (a gateway instance\'s) is deleted with its offsets when the subscription closes', async () => {
    const admin = new Kafka({ brokers: parseBrokers(brokers), clientId: 'flowforge-test-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [ephemeral, durable] = [`gateway-${randomUUID()}`, `durable-${randomUUID()}`];
      const got: string[] = [];
      const a = await newBus().subscribe(ephemeral, [`${topic}.eph`], async (e) => void got.push(e.id), { ephemeral: true });
      const b = await newBus().subscribe(durable, [`${topic}.eph`], async () => {});
      await newBus().publish(`${topic}.eph`, [event('e', 1)]);
      await until(() => got.length === 1);
      await Promise.all([a.close(), b.close()]);
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groups).not.toContain(ephemeral);
      expect(groups).toContain(durable);
    } finally {
      await admin.disconnect();
    }
  }, T);

  it('commits only handled offsets: a restarted member of the group resumes after the last handled event', async () => {
    const producer = newBus();
    const resumeTopic = `${topic}.resume`;
    const group = `resume-${topic}`;
    const first: number[] = [];
    const consumerBus = newBus();
    const sub = await consumerBus.subscribe(group, [resumeTopic], async (e) => void first.push((e.data as { n: number }).n), { fromBeginning: true });
    await producer.publish(resumeTopic, [event('r', 1), event('r', 2)]);
    await until(() => first.length === 2);
    await sub.close();
    await producer.publish(resumeTopic, [event('r', 3)]);
    const second: number[] = [];
    await newBus().subscribe(group, [resumeTopic], async (e) => void second.push((e.data as { n: number }).n), { fromBeginning: true });
    await until(() => second.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(second).toEqual([3]);
  }, T);

  it('measures publish-to-consume latency', async () => {
    const producer = newBus();
    const latTopic = `${topic}.latency`;
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    await newBus().subscribe(`lat-${topic}`, [latTopic], async (e) => void latencies.push(performance.now() - sent.get(e.id)!));
    await producer.publish(latTopic, [event('warm', 0)]);
    await until(() => latencies.length === 1);
    latencies.length = 0;
    for (let i = 0; i < 50; i += 1) {
      const e = event(`k${i}`, i);
      sent.set(e.id, performance.now());
      await producer.publish(latTopic, [e]);
      await until(() => latencies.length === i + 1);
    }
    latencies.sort((a, b) => a - b);
    console.log(`kafka publish->consume latency over 50 events: p50 ${latencies[25]!.toFixed(1)} ms, p99 ${latencies[49]!.toFixed(1)} ms`);
    expect(latencies[25]).toBeLessThan(1000);
  }, T);
});
