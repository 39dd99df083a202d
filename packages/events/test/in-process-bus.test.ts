import { createEvent, createEventBus, deadLetterTopicOf, InProcessEventBus, isDeadLetter, sharedInProcessBus, topicOf, type EventEnvelope } from '@flowforge/events';

const TOPIC = topicOf('focus');

function event(subject: string, n: number): EventEnvelope<{ n: number }> {
  return createEvent({ domain: 'focus', type: 'flowforge.focus.session.updated', subject, tenant: 'org-1', data: { n } });
}

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('createEvent', () => {
  it('builds a CloudEvents envelope with a time-ordered uuid, ISO time and the domain source', () => {
    const a = createEvent({ domain: 'focus', type: 'flowforge.focus.session.started', subject: 's1', tenant: 'o1', data: { x: 1 } });
    const b = createEvent({ domain: 'focus', type: 'flowforge.focus.session.started', subject: 's1', tenant: 'o1', data: { x: 2 } });
    expect(a).toMatchObject({ specversion: '1.0', source: '/flowforge/focus', subject: 's1', tenant: 'o1', schemaversion: 1, datacontenttype: 'application/json' });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(a.time).toISOString()).toBe(a.time);
    expect(a.id < b.id).toBe(true);
  });

  it('rejects a type outside the domain', () => {
    expect(() => createEvent({ domain: 'focus', type: 'flowforge.orgs.member.joined', subject: 's', tenant: 't', data: {} })).toThrow(/must start with "flowforge.focus."/);
  });
});

describe('InProcessEventBus', () => {
  let bus: InProcessEventBus;
  beforeEach(() => {
    bus = new InProcessEventBus({ maxAttempts: 3, retryDelayMs: () => 5, log: () => {} });
  });
  afterEach(() => bus.close());

  it('delivers asynchronously, never inside the publisher\'s call stack', async () => {
    const seen: number[] = [];
    await bus.subscribe('g', [TOPIC], async (e) => {
      seen.push((e.data as { n: number }).n);
    });
    const publishing = bus.publish(TOPIC, [event('a', 1)]);
    expect(seen).toEqual([]);
    await publishing;
    expect(seen).toEqual([]);
    await bus.idle();
    expect(seen).toEqual([1]);
  });

  it('gives every group every event once, and shares a group\'s events among its members', async () => {
    const got: Record<string, string[]> = { a1: [], a2: [], b: [] };
    await bus.subscribe('group-a', [TOPIC], async (e) => void got.a1!.push(e.id));
    await bus.subscribe('group-a', [TOPIC], async (e) => void got.a2!.push(e.id));
    await bus.subscribe('group-b', [TOPIC], async (e) => void got.b!.push(e.id));
    const events = Array.from({ length: 50 }, (_, i) => event(`key-${i % 10}`, i));
    await bus.publish(TOPIC, events);
    await bus.idle();
    const ids = events.map((e) => e.id).sort();
    expect([...got.a1!, ...got.a2!].sort()).toEqual(ids);
    expect(got.a1!.length).toBeGreaterThan(0);
    expect(got.a2!.length).toBeGreaterThan(0);
    expect([...got.b!].sort()).toEqual(ids);
  });

  it('keeps publish order per key even when handlers take different times', async () => {
    const order = new Map<string, number[]>();
    await bus.subscribe('g', [TOPIC], async (e) => {
      const { n } = e.data as { n: number };
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      order.set(e.subject, [...(order.get(e.subject) ?? []), n]);
    });
    const events = Array.from({ length: 60 }, (_, i) => event(`k${i % 3}`, i));
    for (const e of events) await bus.publish(TOPIC, [e]);
    await bus.idle();
    for (const key of ['k0', 'k1', 'k2']) {
      const expected = events.filter((e) => e.subject === key).map((e) => (e.data as { n: number }).n);
      expect(order.get(key)).toEqual(expected);
    }
  });

  it('retries a failing handler with backoff, then sends the event with the error to <topic>.dlq', async () => {
    const attempts: number[] = [];
    const afterPoison: number[] = [];
    await bus.subscribe('flaky', [TOPIC], async (e, meta) => {
      if ((e.data as { n: number }).n === 1) {
        attempts.push(meta.attempt);
        throw new Error('poison message');
      }
      afterPoison.push((e.data as { n: number }).n);
    });
    const dead: EventEnvelope[] = [];
    await bus.subscribe('dlq-watcher', [deadLetterTopicOf(TOPIC)], async (e) => void dead.push(e));
    const poison = event('same-key', 1);
    await bus.publish(TOPIC, [poison, event('same-key', 2)]);
    await until(() => dead.length === 1 && afterPoison.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(afterPoison).toEqual([2]); // the key moves on after dead-lettering
    const [letter] = dead;
    expect(letter!.id).toBe(poison.id);
    expect(isDeadLetter(letter!)).toBe(true);
    expect(letter).toMatchObject({ type: poison.type, data: poison.data, deadletter: { topic: TOPIC, group: 'flaky', error: 'poison message', attempts: 3 } });
  });

  it('a handler that succeeds on a retry is not dead-lettered', async () => {
    let calls = 0;
    const dead: EventEnvelope[] = [];
    await bus.subscribe('dlq', [deadLetterTopicOf(TOPIC)], async (e) => void dead.push(e));
    await bus.subscribe('g', [TOPIC], async () => {
      calls += 1;
      if (calls < 3) throw new Error('transient');
    });
    await bus.publish(TOPIC, [event('x', 1)]);
    await bus.idle();
    expect(calls).toBe(3);
    expect(dead).toEqual([]);
  });

  it('new groups start at the end unless fromBeginning; a group with no member keeps its events until one joins', async () => {
    await bus.publish(TOPIC, [event('a', 1), event('a', 2)]);
    const live: number[] = [];
    const durable: number[] = [];
    await bus.subscribe('live', [TOPIC], async (e) => void live.push((e.data as { n: number }).n));
    const sub = await bus.subscribe('durable', [TOPIC], async (e) => void durable.push((e.data as { n: number }).n), { fromBeginning: true });
    await bus.idle();
    expect(live).toEqual([]);
    expect(durable).toEqual([1, 2]);
    await sub.close();
    await bus.publish(TOPIC, [event('a', 3)]);
    await bus.idle();
    expect(durable).toEqual([1, 2]);
    await bus.subscribe('durable', [TOPIC], async (e) => void durable.push((e.data as { n: number }).n), { fromBeginning: true });
    await bus.idle();
    expect(durable).toEqual([1, 2, 3]);
    expect(live).toEqual([3]);
  });

  it('createEventBus without KAFKA_BROKERS is the one shared in-process bus', () => {
    expect(createEventBus({})).toBe(sharedInProcessBus());
    expect(createEventBus({}).kind).toBe('in-process');
  });

  it('measures publish-to-consume latency', async () => {
    const latencies: number[] = [];
    const sent = new Map<string, number>();
    await bus.subscribe('lat', [TOPIC], async (e) => void latencies.push(performance.now() - sent.get(e.id)!));
    for (let i = 0; i < 200; i += 1) {
      const e = event(`k${i}`, i);
      sent.set(e.id, performance.now());
      await bus.publish(TOPIC, [e]);
      await bus.idle();
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[100]!;
    const p99 = latencies[197]!;
    console.log(`in-process publish->consume latency: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
    expect(p99).toBeLessThan(50);
  });
});
