import { randomUUID } from 'node:crypto';
import { consumeOnce, createEvent, InProcessEventBus, OutboxRelay, topicOf, writeEvents, type EventBus, type EventEnvelope } from '@flowforge/events';
import { describeWithService } from '@flowforge/testing';
import { applyEffect, endSessionChange, openEventDb, type EventDb } from './event-db.js';

const TOPIC = topicOf('focus');
const quiet = () => {};

function outboxSuite(label: string, databaseUrl: () => string | undefined) {
  describe(`outbox and consumeOnce (${label})`, () => {
    let env: EventDb;
    let bus: InProcessEventBus;
    const org = randomUUID();
    const user = randomUUID();
    const received: EventEnvelope[] = [];

    beforeAll(async () => {
      env = await openEventDb(databaseUrl());
    });
    afterAll(async () => {
      await env?.close();
    });
    beforeEach(async () => {
      bus = new InProcessEventBus({ log: quiet, retryDelayMs: () => 5 });
      received.length = 0;
      await bus.subscribe('recorder', [TOPIC], async (event) => void received.push(event));
      await env.database.query('delete from outbox_events');
    });
    afterEach(() => bus.close());

    const relay = (overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) =>
      new OutboxRelay({ db: env.db, bus, lockRows: env.schema !== null, log: quiet, ...overrides });

    it('a rolled-back transaction leaves neither the change nor its event', async () => {
      let written: EventEnvelope | undefined;
      await expect(env.db.$transaction(async (tx) => {
        written = await endSessionChange(tx, org, user);
        await writeEvents(tx, [written]);
        throw new Error('the change failed after writing its event');
      })).rejects.toThrow('the change failed');
      expect(await env.database.query('select 1 from outbox_events')).toHaveLength(0);
      expect(await env.database.query('select 1 from focus_sessions where id = $1', [written!.subject])).toHaveLength(0);
      expect(await relay().runOnce()).toEqual({ published: 0, failed: 0 });
      await bus.idle();
      expect(received).toHaveLength(0);
    });

    it('a committed event is published once, in write order, and marked published', async () => {
      const events = await env.db.$transaction(async (tx) => {
        const list = [await endSessionChange(tx, org, user), await endSessionChange(tx, org, user), await endSessionChange(tx, org, user)];
        await writeEvents(tx, list);
        return list;
      });
      const r = relay();
      expect(await r.runOnce()).toEqual({ published: 3, failed: 0 });
      expect(await r.runOnce()).toEqual({ published: 0, failed: 0 });
      await bus.idle();
      expect(received.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(received[0]).toEqual(events[0]);
      const rows = await env.database.query<{ published_at: Date | null; attempts: number; topic: string; key: string }>('select published_at, attempts, topic, key from outbox_events');
      expect(rows.every((row) => row.published_at !== null && row.attempts === 1 && row.topic === TOPIC)).toBe(true);
      expect(await r.pending()).toBe(0);
    });

    it('publish failure keeps the rows with attempts and last_error; they go out once the bus works', async () => {
      let down = true;
      const flaky: EventBus = {
        kind: 'in-process',
        publish: (topic, events) => (down ? Promise.reject(new Error('broker unreachable')) : bus.publish(topic, events)),
        subscribe: (...args) => bus.subscribe(...args),
        close: async () => {},
      };
      const event = await env.db.$transaction(async (tx) => {
        const e = await endSessionChange(tx, org, user);
        await writeEvents(tx, [e]);
        return e;
      });
      const r = relay({ bus: flaky });
      expect(await r.runOnce()).toMatchObject({ published: 0, failed: 1, error: 'broker unreachable' });
      expect(await r.runOnce()).toMatchObject({ failed: 1 });
      const [row] = await env.database.query<{ attempts: number; last_error: string; published_at: Date | null }>('select attempts, last_error, published_at from outbox_events');
      expect(row).toMatchObject({ attempts: 2, last_error: 'broker unreachable', published_at: null });
      down = false;
      expect(await r.runOnce()).toEqual({ published: 1, failed: 0 });
      await bus.idle();
      expect(received.map((e) => e.id)).toEqual([event.id]);
    });

    it('published-then-crashed before marking: the event goes out again, consumeOnce applies it once', async () => {
      const consumer = `effects-${randomUUID()}`;
      await bus.subscribe(consumer, [TOPIC], (event) => consumeOnce(env.db, consumer, event, applyEffect(consumer, event)).then(() => undefined));
      // The bus accepts the batch, then the relay "dies" before marking it (the mark never happens).
      const crashing: EventBus = {
        kind: 'in-process',
        publish: async (topic, events) => {
          await bus.publish(topic, events);
          throw new Error('relay process crashed after publishing');
        },
        subscribe: (...args) => bus.subscribe(...args),
        close: async () => {},
      };
      const event = await env.db.$transaction(async (tx) => {
        const e = await endSessionChange(tx, org, user);
        await writeEvents(tx, [e]);
        return e;
      });
      expect(await relay({ bus: crashing }).runOnce()).toMatchObject({ published: 0, failed: 1 });
      expect(await relay().runOnce()).toEqual({ published: 1, failed: 0 }); // the next relay sends it again
      await bus.idle();
      expect(received.filter((e) => e.id === event.id)).toHaveLength(2); // at-least-once on the bus
      expect((await env.effects()).get(event.id)).toBe(1); // exactly once in effect
    });

    it('in-process bus: events it had not delivered when the process stopped go out again when the relay starts; effects stay once', async () => {
      const consumer = `effects-${randomUUID()}`;
      const handled: string[] = [];
      const effect = (event: EventEnvelope) => consumeOnce(env.db, consumer, event, applyEffect(consumer, event)).then(() => void handled.push(event.id));
      // The first process: its bus takes the events, then the process dies before the consumer ran for the second one.
      const doomed = new InProcessEventBus({ log: quiet, retryDelayMs: () => 5 });
      await doomed.subscribe(consumer, [TOPIC], async (event) => {
        if (handled.length === 0) return effect(event);
        await new Promise(() => {}); // never finishes: the process is gone
      });
      const events = await env.db.$transaction(async (tx) => {
        const list = [await endSessionChange(tx, org, user), await endSessionChange(tx, org, user)];
        await writeEvents(tx, list);
        return list;
      });
      expect(await relay({ bus: doomed }).runOnce()).toEqual({ published: 2, failed: 0 });
      while (handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(handled).toEqual([events[0]!.id]);

      // The restarted process: a new bus and consumer; the relay's start publishes the recent rows again.
      await bus.subscribe(consumer, [TOPIC], effect);
      const restarted = relay({ pollIntervalMs: 20 }).start();
      try {
        const deadline = Date.now() + 5000;
        while (!handled.includes(events[1]!.id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      } finally {
        await restarted.stop();
      }
      await bus.idle();
      const effects = await env.effects();
      expect(effects.get(events[0]!.id)).toBe(1); // delivered again, applied once
      expect(effects.get(events[1]!.id)).toBe(1); // the one in flight at the crash is not lost
      // Old rows are not sent again: a relay with the window off leaves everything published.
      expect(await relay({ redeliverOnStartMs: 0 }).redeliverRecent()).toBe(0);
    });

    it('consumeOnce skips duplicates and retries after a failed effect', async () => {
      const event = createEvent({ domain: 'focus', type: 'flowforge.focus.session.updated', subject: randomUUID(), tenant: org, data: {} });
      const consumer = `c-${randomUUID()}`;
      await expect(consumeOnce(env.db, consumer, event, async () => {
        throw new Error('effect failed');
      })).rejects.toThrow('effect failed');
      expect(await consumeOnce(env.db, consumer, event, applyEffect(consumer, event))).toBe(true);
      expect(await consumeOnce(env.db, consumer, event, applyEffect(consumer, event))).toBe(false);
      expect(await consumeOnce(env.db, `${consumer}-other`, event, applyEffect(consumer, event))).toBe(true); // per consumer
      const concurrent = await Promise.all([1, 2, 3].map(() => consumeOnce(env.db, `${consumer}-race`, event, applyEffect(consumer, event))));
      expect(concurrent.filter(Boolean)).toHaveLength(1);
      expect((await env.effects()).get(event.id)).toBe(3);
    });

    it('the running relay wakes on notify() and publishes within milliseconds', async () => {
      const r = relay({ pollIntervalMs: 60_000 }).start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 50)); // let it go idle
        const started = performance.now();
        const event = await env.db.$transaction(async (tx) => {
          const e = await endSessionChange(tx, org, user);
          await writeEvents(tx, [e]);
          return e;
        });
        r.notify();
        const deadline = Date.now() + 5000;
        while (!received.some((e) => e.id === event.id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
        expect(received.some((e) => e.id === event.id)).toBe(true);
        console.log(`${label}: commit -> notify -> relay -> in-process consumer: ${(performance.now() - started).toFixed(1)} ms`);
      } finally {
        await r.stop();
      }
    });

    it('housekeeping deletes published rows past retention and keeps unpublished ones', async () => {
      await env.db.$transaction(async (tx) => {
        await writeEvents(tx, [await endSessionChange(tx, org, user), await endSessionChange(tx, org, user)]);
      });
      await env.database.query(`update outbox_events set published_at = now() - interval '8 days' where id = (select id from outbox_events order by id limit 1)`);
      expect(await relay({ retentionDays: 7 }).housekeeping(true)).toBe(1);
      expect(await env.database.query('select 1 from outbox_events where published_at is null')).toHaveLength(1);
    });
  });
}

outboxSuite('PGlite', () => undefined);
describeWithService('DATABASE_URL', 'outbox on Postgres', (url) => {
  outboxSuite('Postgres', () => url);

  it('two relays on one schema never send a row twice', async () => {
    const env = await openEventDb(url);
    const bus = new InProcessEventBus({ log: quiet });
    try {
      const seen: string[] = [];
      await bus.subscribe('count', [TOPIC], async (event) => void seen.push(event.id));
      const org = randomUUID();
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        ids.push(...await env.db.$transaction(async (tx) => {
          const list = [await endSessionChange(tx, org, org), await endSessionChange(tx, org, org)];
          await writeEvents(tx, list);
          return list.map((e) => e.id);
        }));
      }
      const relays = [1, 2, 3].map(() => new OutboxRelay({ db: env.db, bus, lockRows: true, batchSize: 5, log: quiet }));
      for (let round = 0; round < 20; round += 1) await Promise.all(relays.map((r) => r.runOnce()));
      await bus.idle();
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(seen).toEqual(ids); // one relay at a time per schema: write order kept
    } finally {
      await bus.close();
      await env.close();
    }
  });
});
