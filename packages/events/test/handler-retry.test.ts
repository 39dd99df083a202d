import { createEvent, deadLetterTopicOf, handlerRetryPolicy, InProcessEventBus, PoisonEventError, topicOf, type EventEnvelope } from '@flowforge/events';

const TOPIC = topicOf('habits');
const event = (n: number) => createEvent({ domain: 'habits', type: 'flowforge.habits.habit.checked_in', subject: `h${n}`, tenant: 'org-1', data: { n } });

describe('handler retry policy', () => {
  it('defaults ride out a database restart: 8 attempts, 0.2 s growing 4x, capped at 30 s (about 1m45s in all)', () => {
    const policy = handlerRetryPolicy({});
    expect(policy.maxAttempts).toBe(8);
    const waits = Array.from({ length: policy.maxAttempts - 1 }, (_, i) => policy.delayMs(i + 1));
    expect(waits).toEqual([200, 800, 3200, 12800, 30000, 30000, 30000]);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(100_000);
  });

  it('reads EVENT_HANDLER_MAX_ATTEMPTS / _RETRY_BASE_MS / _RETRY_MAX_MS and refuses nonsense with the variable named', () => {
    const policy = handlerRetryPolicy({ EVENT_HANDLER_MAX_ATTEMPTS: '20', EVENT_HANDLER_RETRY_BASE_MS: '1000', EVENT_HANDLER_RETRY_MAX_MS: '60000' });
    expect(policy.maxAttempts).toBe(20);
    expect([1, 2, 3, 4].map(policy.delayMs)).toEqual([1000, 4000, 16000, 60000]);
    expect(() => handlerRetryPolicy({ EVENT_HANDLER_MAX_ATTEMPTS: '0' })).toThrow(/EVENT_HANDLER_MAX_ATTEMPTS must be an integer >= 1 \(got "0"\)/);
    expect(() => handlerRetryPolicy({ EVENT_HANDLER_RETRY_MAX_MS: 'soon' })).toThrow(/EVENT_HANDLER_RETRY_MAX_MS/);
    expect(handlerRetryPolicy({ EVENT_HANDLER_MAX_ATTEMPTS: '20' }, { maxAttempts: 2 }).maxAttempts).toBe(2);
  });
});

describe('InProcessEventBus with the retry policy', () => {
  it('a PoisonEventError goes to the dead-letter topic at once, without retries; a transient error is retried', async () => {
    const bus = new InProcessEventBus({ maxAttempts: 5, retryDelayMs: () => 5, log: () => {} });
    const attempts = new Map<number, number>();
    await bus.subscribe('g', [TOPIC], async (e, meta) => {
      const { n } = e.data as { n: number };
      attempts.set(n, meta.attempt);
      if (n === 1) throw new PoisonEventError('data.habitId is missing');
      if (n === 2 && meta.attempt < 4) throw new Error('connection refused');
    });
    const dead: EventEnvelope[] = [];
    await bus.subscribe('dlq', [deadLetterTopicOf(TOPIC)], async (e) => void dead.push(e));
    await bus.publish(TOPIC, [event(1), event(2)]);
    await bus.idle();
    expect(attempts.get(1)).toBe(1);
    expect(attempts.get(2)).toBe(4);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ data: { n: 1 }, deadletter: { error: 'data.habitId is missing', attempts: 1 } });
    await bus.close();
  });

  it('close() does not wait out a long retry: the retry is abandoned and nothing is dead-lettered', async () => {
    const bus = new InProcessEventBus({ maxAttempts: 8, retryDelayMs: () => 60_000, log: () => {} });
    let calls = 0;
    await bus.subscribe('g', [TOPIC], async () => {
      calls += 1;
      throw new Error('database is restarting');
    });
    const dead: EventEnvelope[] = [];
    await bus.subscribe('dlq', [deadLetterTopicOf(TOPIC)], async (e) => void dead.push(e));
    await bus.publish(TOPIC, [event(3)]);
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    expect(dead).toEqual([]);
  });
});
