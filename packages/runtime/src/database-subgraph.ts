import { openDatabase, resolveDatabaseTarget, type Database } from '@flowforge/db';
import {
  consumeOnce, createEventBus, OutboxRelay, writeEvents,
  type EventBus, type EventEnvelope, type EventSubscription, type OutboxStore, type SqlExecutor, type SubscribeOptions,
} from '@flowforge/events';
import { fileURLToPath } from 'node:url';
import type { RunningHttpServer } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { startSubgraph, type StartOptions, type SubgraphContext, type SubgraphDefinition } from './subgraph.js';

/** What the bootstrap needs from a subgraph's generated Prisma client. */
export type DatabaseClient = { $disconnect(): Promise<void> } & OutboxStore;

/** The interactive-transaction client of a Prisma client type. */
export type TransactionClientOf<TClient extends DatabaseClient> = Parameters<Parameters<TClient['$transaction']>[0]>[0];

export type SubgraphEventHandler<TTx> = (event: EventEnvelope, tx: TTx, meta: { topic: string; attempt: number }) => Promise<void>;

export interface SubgraphSubscribeOptions extends SubscribeOptions {
  /** Only these event types reach the handler (default: all). */
  types?: readonly string[];
}

/** The event tools every database subgraph gets in setup(client, { events }). */
export interface SubgraphEvents<TTx> {
  /** The bus (Kafka in services mode, the shared in-process bus in embedded mode). */
  readonly bus: EventBus;
  /** This subgraph's outbox relay. */
  readonly relay: OutboxRelay;
  /**
   * Writes events to this subgraph's outbox with the caller's transaction client: they commit
   * with the change. Call afterCommit() once the transaction committed (or use transaction()).
   */
  publish(tx: SqlExecutor, events: readonly EventEnvelope[]): Promise<void>;
  /** Wakes the relay: call after a transaction that published events committed. */
  afterCommit(): void;
  /** `client.$transaction(fn)`, then afterCommit(). */
  transaction<T>(fn: (tx: TTx) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>;
  /**
   * Durable, idempotent consumer: joins consumer group `flowforge.<subgraph>.<consumer>` on the bus
   * and runs `handler` inside consumeOnce on this subgraph's database, so its writes and the
   * processed_events row (consumer = `consumer`) commit together and a redelivery is skipped.
   * Starts from the oldest event the bus still holds unless options.fromBeginning is false.
   * With options.types, only events of those types run the handler (and get a processed_events
   * row); the others are acknowledged without touching the database. Closed with the subgraph.
   */
  subscribe(consumer: string, topics: readonly string[], handler: SubgraphEventHandler<TTx>, options?: SubgraphSubscribeOptions): Promise<EventSubscription>;
}

export interface DatabaseSubgraphTools<TClient extends DatabaseClient> {
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: SubgraphEvents<TransactionClientOf<TClient>>;
  /** Registers work to stop when the subgraph closes (background loops), before the database closes. */
  onClose(stop: () => Promise<void>): void;
}

export interface DatabaseSubgraphDefinition<TContext extends SubgraphContext, TClient extends DatabaseClient>
  extends Pick<SubgraphDefinition<TContext>, 'name' | 'resolvers' | 'routes'> {
  /** The subgraph's package folder: it holds schema.graphql and prisma/migrations. */
  root: URL;
  /** Wraps the driver adapter in the subgraph's own generated Prisma client. */
  createClient(adapter: Database['adapter']): TClient;
  /** Builds the long-lived services once and returns how to extend each request's context. */
  setup(client: TClient, tools: DatabaseSubgraphTools<TClient>): Promise<(base: SubgraphContext) => TContext> | ((base: SubgraphContext) => TContext);
}

/**
 * The bootstrap every subgraph shares: open its database (PGlite or its Postgres schema) with
 * migrations applied, build its Prisma client and services, start its outbox relay on the event
 * bus, serve it, and close all of it on stop (relay and subscriptions first, then the database).
 */
export async function startDatabaseSubgraph<TContext extends SubgraphContext, TClient extends DatabaseClient>(
  definition: DatabaseSubgraphDefinition<TContext, TClient>,
  options: StartOptions = {},
): Promise<RunningHttpServer> {
  type Tx = TransactionClientOf<TClient>;
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger(definition.name, env);
  const path = (relative: string) => fileURLToPath(new URL(relative, definition.root));
  const database = await openDatabase(resolveDatabaseTarget(definition.name, env), { migrationsDir: path('prisma/migrations'), log: (msg) => log({ msg }) });
  const client = definition.createClient(database.adapter);
  const ownBus = options.events === undefined;
  const bus = options.events ?? createEventBus(env, { clientId: `flowforge-${definition.name}`, log });
  const relay = new OutboxRelay({ db: client, bus, name: definition.name, lockRows: database.target.kind === 'postgres', log });
  const subscriptions = new Set<EventSubscription>();
  const transactionOf = client.$transaction.bind(client) as unknown as <T>(fn: (tx: Tx) => Promise<T>, options?: { maxWait?: number; timeout?: number }) => Promise<T>;

  const events: SubgraphEvents<Tx> = {
    bus,
    relay,
    publish: (tx, list) => writeEvents(tx, list),
    afterCommit: () => relay.notify(),
    async transaction(fn, transactionOptions) {
      const result = await transactionOf(fn, transactionOptions);
      relay.notify();
      return result;
    },
    async subscribe(consumer, topics, handler, { types, ...subscribeOptions } = {}) {
      const wanted = types ? new Set(types) : null;
      const subscription = await bus.subscribe(`flowforge.${definition.name}.${consumer}`, topics, async (event, meta) => {
        if (wanted && !wanted.has(event.type)) return;
        await consumeOnce<Tx>({ $transaction: transactionOf }, consumer, event, (tx) => handler(event, tx, meta));
      }, { fromBeginning: true, ...subscribeOptions });
      subscriptions.add(subscription);
      return {
        async close() {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },
  };

  const stoppers: (() => Promise<void>)[] = [];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await Promise.allSettled(stoppers.map((stop) => stop()));
      await relay.stop();
      await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()));
      subscriptions.clear();
      if (ownBus && bus.kind === 'kafka') await bus.close().catch((error: Error) => log({ level: 'warn', msg: 'closing the event bus failed', error: error.message }));
      await client.$disconnect();
      await database.close();
    })();
    return closed;
  };
  try {
    const createContext = await definition.setup(client, { env, log, events, onClose: (stop) => stoppers.push(stop) });
    relay.start();
    return await startSubgraph<TContext>({
      name: definition.name,
      schemaPath: path('schema.graphql'),
      resolvers: definition.resolvers,
      routes: definition.routes,
      createContext,
      ready: async () => (await database.query('select 1 as ok')).length === 1,
      onClose: close,
    }, { ...options, env, log });
  } catch (error) {
    await close();
    throw error;
  }
}
