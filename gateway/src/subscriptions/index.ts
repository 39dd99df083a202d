import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import type { VerificationKey } from '@flowforge/auth';
import type { Logger } from '@flowforge/runtime';
import type { ValidationRule } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { GatewayContext } from '../server.js';
import type { SubscriptionEventBus } from './bus.js';
import { SubscriptionEngine } from './engine.js';
import { SUBSCRIPTION_TOPICS, type QueryAsSubscriber } from './fields.js';
import { SubscriptionHub, type HubStats } from './hub.js';
import { attachWebSocketServer, type RevocationCheck, type WebSocketLimits } from './websocket.js';

export { EventsDataSource } from './engine.js';
export type { SubscriptionEventBus, BusEvent } from './bus.js';
export { CLOSE, DEFAULT_LIMITS, type RevocationCheck, type WebSocketLimits } from './websocket.js';

export interface SubscriptionsOptions {
  server: Server;
  gateway: ApolloGateway;
  apollo: ApolloServer<GatewayContext>;
  accessKey: VerificationKey;
  revocations?: RevocationCheck;
  log: Logger;
  /** Where events come from; none: subscriptions are accepted but nothing is delivered (logged). */
  bus?: SubscriptionEventBus;
  limits?: Partial<WebSocketLimits>;
  /** Validation rules beyond GraphQL's own (the gateway's query limits), as for HTTP requests. */
  validationRules?: readonly ValidationRule[];
}

export interface RunningSubscriptions {
  /** The consumer group of this gateway instance (unique: every instance receives every event). */
  consumerGroup: string;
  /** 'ok' once consuming, 'connecting' before, 'none' without a bus. */
  busState(): 'ok' | 'connecting' | 'none';
  stats(): HubStats & { connections: number };
  close(): Promise<void>;
}

/**
 * graphql-ws on the gateway's own port and path (/graphql). Events reach every gateway instance:
 * each instance consumes with a consumer group of its own (`gateway-<uuid>`, from the latest
 * offsets), so with Kafka N instances each read every event, and in embedded mode the shared
 * in-process bus does the same. Events are filtered by tenant and permission, then each group of
 * identical subscriptions executes its selection set once through the gateway's query planner.
 */
export function startSubscriptions(options: SubscriptionsOptions): RunningSubscriptions {
  const { gateway, apollo, log } = options;
  const engine = new SubscriptionEngine(gateway, {
    debug: () => undefined,
    info: (message: string) => log({ level: 'info', msg: message }),
    warn: (message: string) => log({ level: 'warn', msg: message }),
    error: (message: string) => log({ level: 'error', msg: message }),
  });
  const queryAs: QueryAsSubscriber = async (subscriber, query, variables) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue: { identity: subscriber, requestId: randomUUID() } });
    if (response.body.kind !== 'single') throw new Error('Unexpected incremental response');
    return response.body.singleResult as Awaited<ReturnType<QueryAsSubscriber>>;
  };
  const hub = new SubscriptionHub(engine, queryAs, log);
  const ws = attachWebSocketServer({ server: options.server, engine, hub, accessKey: options.accessKey, revocations: options.revocations, log, limits: options.limits, validationRules: options.validationRules });

  const consumerGroup = `gateway-${randomUUID()}`;
  let state: 'ok' | 'connecting' | 'none' = options.bus ? 'connecting' : 'none';
  let consumer: { close(): Promise<void> } | null = null;
  let closed = false;
  if (!options.bus) log({ level: 'warn', msg: 'subscriptions: no event bus configured, no events will be delivered' });
  const connect = async (attempt: number): Promise<void> => {
    if (closed || !options.bus) return;
    try {
      consumer = await options.bus.subscribe(consumerGroup, SUBSCRIPTION_TOPICS, async (event) => hub.handle(event), { fromBeginning: false, ephemeral: true });
      if (closed) return void (await consumer.close());
      state = 'ok';
      log({ level: 'info', msg: 'subscriptions: consuming events', bus: options.bus.kind, group: consumerGroup, topics: SUBSCRIPTION_TOPICS });
    } catch (error) {
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      log({ level: 'error', msg: 'subscriptions: could not consume events; retrying', retryInMs: delay, error: String(error) });
      setTimeout(() => void connect(attempt + 1), delay).unref();
    }
  };
  void connect(0);

  return {
    consumerGroup,
    busState: () => state,
    stats: () => ({ ...hub.stats(), connections: ws.connections() }),
    async close() {
      closed = true;
      await ws.close();
      await consumer?.close();
    },
  };
}
