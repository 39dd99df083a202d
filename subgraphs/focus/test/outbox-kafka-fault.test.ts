// The fault test: focus-session changes go through the outbox on REAL Postgres while a REAL
// Kafka broker is stopped and restarted; every event's effect must happen exactly once.
// The broker is this test's own (started with .ci/kafka/start.sh on ports of its own, in a temp
// dir), so stopping it disturbs no other test.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { consumeOnce, KafkaEventBus, OutboxRelay, topicOf, writeEvents, type EventEnvelope } from '@flowforge/events';
import { describeWithService } from '@flowforge/testing';
import { applyEffect, endSessionChange, openEventDb, type EventDb } from './event-db.js';

const run = promisify(execFile);
const CI_KAFKA = fileURLToPath(new URL('../../../.ci/kafka/', import.meta.url));
const PORT = Number(process.env.FLOWFORGE_TEST_PORT_BASE ?? 14000) + 901;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithService('DATABASE_URL', 'outbox fault test on real Postgres', (databaseUrl) => {
  describeWithService('KAFKA_BROKERS', 'with a real Kafka broker that is stopped and restarted', () => {
    const home = mkdtempSync(join(tmpdir(), 'flowforge-kafka-fault-'));
    const kafkaEnv = { ...process.env, KAFKA_HOME_DIR: home, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_START_TIMEOUT: '120' };
    const startBroker = () => run('bash', [join(CI_KAFKA, 'start.sh')], { env: kafkaEnv, timeout: 150_000 });
    const stopBroker = () => run('bash', [join(CI_KAFKA, 'stop.sh')], { env: kafkaEnv, timeout: 90_000 });
    let env: EventDb;
    let producerBus: KafkaEventBus;
    let consumerBus: KafkaEventBus;
    const kafkaLog: string[] = [];
    const log = (entry: { level?: string; msg: string }) => void kafkaLog.push(`${entry.level ?? 'info'} ${entry.msg}`);

    beforeAll(async () => {
      await startBroker();
      env = await openEventDb(databaseUrl);
      const brokers = [`127.0.0.1:${PORT}`];
      producerBus = new KafkaEventBus({ brokers, log, clientId: 'fault-relay' });
      consumerBus = new KafkaEventBus({ brokers, log, clientId: 'fault-consumer' });
    }, 180_000);

    afterAll(async () => {
      await producerBus?.close();
      await consumerBus?.close();
      await env?.close();
      await stopBroker().catch(() => {});
      rmSync(home, { recursive: true, force: true });
    }, 120_000);

    it('every event committed while the broker is down and back is applied exactly once', async () => {
      const consumer = 'fault-effects';
      const delivered: string[] = [];
      await consumerBus.subscribe(`fault-${randomUUID()}`, [topicOf('focus')], async (event) => {
        delivered.push(event.id);
        await consumeOnce(env.db, consumer, event, applyEffect(consumer, event));
      }, { fromBeginning: true });
      const relay = new OutboxRelay({ db: env.db, bus: producerBus, name: 'focus-fault', lockRows: true, pollIntervalMs: 100, maxBackoffMs: 1000, log }).start();

      const org = randomUUID();
      const users = [randomUUID(), randomUUID(), randomUUID()];
      const events: EventEnvelope[] = [];
      const change = async (i: number) => {
        const event = await env.db.$transaction(async (tx) => {
          const e = await endSessionChange(tx, org, users[i % users.length]!);
          await writeEvents(tx, [e]);
          return e;
        });
        events.push(event);
        relay.notify();
      };

      const t0 = Date.now();
      let i = 0;
      for (; i < 20; i += 1) { await change(i); await sleep(50); } // broker up
      const stopping = stopBroker();
      for (; i < 40; i += 1) { await change(i); await sleep(100); } // broker going down and down
      await stopping;
      const downAt = Date.now();
      for (; i < 60; i += 1) { await change(i); await sleep(100); } // broker down
      await sleep(Math.max(0, 10_000 - (Date.now() - downAt))); // ~10 s without a broker
      const unpublishedWhileDown = await relay.pending();
      const restarting = startBroker();
      for (; i < 80; i += 1) { await change(i); await sleep(100); } // broker restarting
      await restarting;
      const upAgainAt = Date.now();
      for (; i < 100; i += 1) { await change(i); await sleep(50); } // broker up again

      const deadline = Date.now() + 120_000;
      let effects = await env.effects();
      while ((effects.size < events.length || (await relay.pending()) > 0) && Date.now() < deadline) {
        await sleep(250);
        effects = await env.effects();
      }
      await relay.stop();
      const rows = await env.database.query<{ attempts: number; last_error: string | null; published_at: Date | null }>('select attempts, last_error, published_at from outbox_events');
      console.log(`fault test: ${events.length} events, ${unpublishedWhileDown} waiting in the outbox while the broker was down; ` +
        `${rows.filter((r) => r.attempts > 1).length} rows needed retries; all effects applied ${Date.now() - upAgainAt} ms after the broker was back ` +
        `(${delivered.length} deliveries, ${delivered.length - new Set(delivered).size} redelivered); total ${Date.now() - t0} ms`);

      expect(unpublishedWhileDown).toBeGreaterThan(0); // the outage was real
      expect(rows.some((r) => r.last_error !== null)).toBe(true); // the relay saw publish failures
      expect(rows.every((r) => r.published_at !== null)).toBe(true); // nothing left behind
      expect(effects.size).toBe(events.length); // no loss
      for (const event of events) expect(effects.get(event.id)).toBe(1); // no double effect
    }, 300_000);
  });
});
