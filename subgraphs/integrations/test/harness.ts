// Test helper (not a test): the integrations machinery on its own in-memory PGlite database with
// the migrations applied, an in-process event bus with this subgraph's outbox relay, and a log
// that keeps every line (to assert no token is ever logged).
import { InProcessEventBus, OutboxRelay, topicOf, writeEvents, consumeOnce, type EventEnvelope } from '@flowforge/events';
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MEMORY_DATA_DIR, openDatabase, type Database } from '../../../packages/db/src/index.js';
import { loadConfig, type IntegrationsConfig } from '../src/config.js';
import { TokenCipher, kekVersion } from '../src/crypto/token-cipher.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { IntegrationsApp } from '../src/services/app.js';
import type { Tx } from '../src/services/tokens.js';

const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export const newKek = () => {
  const key = randomBytes(32);
  return { version: kekVersion(key), key, base64: key.toString('base64') };
};

export interface Harness {
  database: Database;
  db: PrismaClient;
  bus: InProcessEventBus;
  relay: OutboxRelay;
  events: SubgraphEvents<Tx>;
  logs: Record<string, unknown>[];
  log: Logger;
  published: EventEnvelope[];
  app(options?: { env?: Record<string, string>; cipher?: TokenCipher; config?: Partial<IntegrationsConfig>; pageSize?: number; retry?: Parameters<typeof makeApp>[1]['retry'] }): IntegrationsApp;
  close(): Promise<void>;
}

function makeApp(h: Omit<Harness, 'app' | 'close'>, options: { env?: Record<string, string>; cipher?: TokenCipher; config?: Partial<IntegrationsConfig>; pageSize?: number; retry?: ConstructorParameters<typeof IntegrationsApp>[1]['retry'] }) {
  const env = { FLOWFORGE_DATA_DIR: 'memory', INTEGRATIONS_PUBLIC_URL: 'http://127.0.0.1:1', ...options.env };
  const base = loadConfig(env);
  return new IntegrationsApp(h.db, { env, log: h.log, events: h.events, cipher: options.cipher, config: { ...base, ...options.config }, pageSize: options.pageSize, retry: options.retry ?? { baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 2_000 } });
}

export async function openHarness(): Promise<Harness> {
  const database = await openDatabase({ kind: 'pglite', dataDir: MEMORY_DATA_DIR }, { migrationsDir: MIGRATIONS });
  const db = new PrismaClient({ adapter: database.adapter });
  const logs: Record<string, unknown>[] = [];
  const log: Logger = (entry) => void logs.push(entry);
  const bus = new InProcessEventBus({ log: () => {}, retryDelayMs: () => 5 });
  const relay = new OutboxRelay({ db, bus, name: 'integrations', lockRows: false, log: () => {}, pollIntervalMs: 20 });
  const published: EventEnvelope[] = [];
  await bus.subscribe('test.recorder', [topicOf('integrations')], async (event) => void published.push(event), { fromBeginning: true });
  const transaction = db.$transaction.bind(db) as unknown as <T>(fn: (tx: Tx) => Promise<T>, o?: { maxWait?: number; timeout?: number }) => Promise<T>;
  const events: SubgraphEvents<Tx> = {
    bus,
    relay,
    publish: (tx, list) => writeEvents(tx, list),
    afterCommit: () => relay.notify(),
    async transaction(fn, options) {
      const result = await transaction(fn, options);
      relay.notify();
      return result;
    },
    async subscribe(consumer, topics, handler, { types, ...options } = {}) {
      return bus.subscribe(`flowforge.integrations.${consumer}`, topics, async (event, meta) => {
        if (types && !types.includes(event.type)) return;
        await consumeOnce<Tx>({ $transaction: transaction }, consumer, event, (tx) => handler(event, tx, meta));
      }, { fromBeginning: true, ...options });
    },
  };
  relay.start();
  const partial = { database, db, bus, relay, events, logs, log, published };
  const apps: IntegrationsApp[] = [];
  return {
    ...partial,
    app(options = {}) {
      const app = makeApp(partial, options);
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps) await app.close();
      await relay.stop();
      await bus.close();
      await db.$disconnect();
      await database.close();
    },
  };
}

/** Waits until `check` passes (or fails the test after `ms`). */
export async function eventually<T>(check: () => Promise<T> | T, ms = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
