import { randomUUID } from 'node:crypto';
import { createEvent, createEventBus, deadLetterTopicOf, isDeadLetter, KafkaEventBus, parseBrokers, type EventEnvelope } from '@flowforge/events';
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
    const bus = new KafkaEventBus({ brokers: parseBrokers(brokers), log: quiet, retryDelayMs: () => 20, clientId: 'flowforge-test' });
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
