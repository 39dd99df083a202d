import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type IHeaders, type KafkaMessage, type LogEntry, type Producer, type RetryOptions } from 'kafkajs';
import { parseEnvelope } from './envelope.js';
import { defaultEventLog, errorMessage, type EventLog, type EventLogLevel } from './log.js';
import { handlerRetryPolicy, isPoisonEvent } from './retry.js';
import {
  deadLetterTopicOf, isDeadLetterTopic,
  type DeadLetterEnvelope, type EventBus, type EventEnvelope, type EventHandler, type EventSubscription, type SubscribeOptions,
} from './types.js';

export interface KafkaEventBusOptions {
  brokers: readonly string[];
  clientId?: string;
  env?: NodeJS.ProcessEnv;
  log?: EventLog;
  /** Handler attempts per message before it goes to the dead-letter topic (default: EVENT_HANDLER_MAX_ATTEMPTS or 8, see retry.ts). */
  maxAttempts?: number;
  /** Wait before attempt `attempt + 1` (default: 200 ms growing 4x per attempt, at most EVENT_HANDLER_RETRY_MAX_MS or 30 s). */
  retryDelayMs?: (attempt: number) => number;
  /** Partitions of topics this bus creates (default 3). */
  partitions?: number;
  /** Replication factor of topics this bus creates (default 1: the single-node CI broker). */
  replicationFactor?: number;
  /** kafkajs retry for connections, metadata and consumers. Default survives a broker restart of about a minute. */
  retry?: RetryOptions;
  /** kafkajs retry for one producer send; after it the publish fails (the outbox relay retries later). */
  producerRetry?: RetryOptions;
  /**
   * Prefix of every topic and consumer group on the broker (`<namespace>.flowforge.focus`), so several
   * deployments can share one cluster. Default: KAFKA_NAMESPACE, else none. Handlers see logical names.
   */
  namespace?: string;
}

const NAMESPACE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** The namespace from options or KAFKA_NAMESPACE; refuses names Kafka would not take as a topic prefix. */
export function kafkaNamespace(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const value = explicit ?? env.KAFKA_NAMESPACE ?? '';
  if (value !== '' && !NAMESPACE.test(value)) throw new Error(`KAFKA_NAMESPACE must be 1-100 of A-Z a-z 0-9 . _ - and not start with "." (got "${value}")`);
  return value;
}

/** Survives a broker restart: 300 ms doubling to 3 s, 25 retries (about a minute). */
export const KAFKA_CLIENT_RETRY: RetryOptions = { initialRetryTime: 300, maxRetryTime: 3000, retries: 25, factor: 0.2, multiplier: 2 };
/** A send (with its connection attempts) gives up after about 8 s so the relay can record the failure and back off itself. */
export const KAFKA_PRODUCER_RETRY: RetryOptions = { initialRetryTime: 300, maxRetryTime: 3000, retries: 5, factor: 0.2, multiplier: 2 };

const KAFKA_LEVEL: Record<string, logLevel> = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };
const OUR_LEVEL: Record<number, EventLogLevel> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };

/**
 * kafkajs's own log level: quiet by default (errors only, which still shows a broker going away).
 * KAFKA_LOG_LEVEL (nothing|error|warn|info|debug) overrides; LOG_LEVEL=debug turns on its info lines.
 */
export function kafkaLogLevel(env: NodeJS.ProcessEnv = process.env): logLevel {
  const explicit = env.KAFKA_LOG_LEVEL?.toLowerCase();
  if (explicit && explicit in KAFKA_LEVEL) return KAFKA_LEVEL[explicit]!;
  return env.LOG_LEVEL === 'debug' ? logLevel.INFO : logLevel.ERROR;
}

/** Routes kafkajs's entries into our JSON log lines. */
export function kafkaLogCreator(log: EventLog) {
  return () => ({ namespace, level, log: entry }: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry as { message: string; timestamp?: string; logger?: string; [key: string]: unknown };
    log({ level: OUR_LEVEL[level] ?? 'info', msg: `kafka: ${message}`, namespace, ...fields });
  };
}

export function parseBrokers(value: string): string[] {
  return value.split(',').map((broker) => broker.trim()).filter(Boolean);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Longest wait between heartbeats while a handler's retry waits (well inside kafkajs's 30 s session timeout). */
const HEARTBEAT_SLICE_MS = 3000;

/**
 * Bytes of message values per producer send. A broker refuses a record batch over
 * `message.max.bytes` (default 1 MiB), and one send puts a partition's messages in one batch: a
 * publish of several large events (e.g. integrations' ~1 MB calendar_events.synced pages, same key)
 * goes out in several sends, in order.
 */
export const KAFKA_MAX_SEND_BYTES = 900_000;

/** Consecutive runs of `sizes` whose sum stays within `maxBytes` (an item larger than that goes alone), as [start, end) pairs. */
export function sendRuns(sizes: readonly number[], maxBytes = KAFKA_MAX_SEND_BYTES): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (i > start && bytes + sizes[i]! > maxBytes) {
      runs.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += sizes[i]!;
  }
  if (sizes.length > start) runs.push([start, sizes.length]);
  return runs;
}

function headersOf(event: EventEnvelope): IHeaders {
  return { ce_specversion: event.specversion, ce_id: event.id, ce_type: event.type, ce_source: event.source, ce_subject: event.subject, ce_tenant: event.tenant, ce_time: event.time };
}

/**
 * Services-mode bus on Apache Kafka (kafkajs). One idempotent producer (acks=all) per bus; message
 * key = envelope.subject (per-aggregate order), value = the JSON envelope, CloudEvents attributes
 * also as `ce_*` headers. Topics are created when first used. Each subscribe is one consumer in
 * its group that commits a message's offset only after the handler succeeded, or after the
 * message was written to `<topic>.dlq` once the handler kept failing.
 */
export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  readonly brokers: readonly string[];
  private readonly kafka: Kafka;
  /** The producer's own client: its connection retries are short so a send fails while the broker is down. */
  private readonly producerKafka: Kafka;
  private readonly log: EventLog;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly producerRetry: RetryOptions;
  private readonly retry: RetryOptions;
  /** '' or '<namespace>.': put before every topic and group name on the broker. */
  private readonly prefix: string;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly consumers = new Set<Consumer>();
  private closed = false;

  constructor(options: KafkaEventBusOptions) {
    if (options.brokers.length === 0) throw new Error('KafkaEventBus needs at least one broker (KAFKA_BROKERS=host:port,...)');
    const env = options.env ?? process.env;
    this.brokers = options.brokers;
    this.log = options.log ?? defaultEventLog('events', env);
    const retry = handlerRetryPolicy(env, { ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }), ...(options.retryDelayMs && { delayMs: options.retryDelayMs }) });
    this.maxAttempts = retry.maxAttempts;
    this.retryDelayMs = retry.delayMs;
    this.partitions = options.partitions ?? 3;
    this.replicationFactor = options.replicationFactor ?? 1;
    this.retry = options.retry ?? KAFKA_CLIENT_RETRY;
    this.producerRetry = options.producerRetry ?? KAFKA_PRODUCER_RETRY;
    const namespace = kafkaNamespace(options.namespace, env);
    this.prefix = namespace ? `${namespace}.` : '';
    const client = (retry: RetryOptions) => new Kafka({
      clientId: options.clientId ?? 'flowforge',
      brokers: [...options.brokers],
      connectionTimeout: 3000,
      requestTimeout: 30000,
      retry,
      logLevel: kafkaLogLevel(env),
      logCreator: kafkaLogCreator(this.log),
    });
    this.kafka = client(this.retry);
    this.producerKafka = client(this.producerRetry);
  }

  /** The broker's name of a logical topic or group. */
  private onBroker(name: string): string {
    return this.prefix + name;
  }

  /** The broker's name of a logical topic or consumer group (KAFKA_NAMESPACE prefix), for operator tools. */
  brokerName(name: string): string {
    return this.onBroker(name);
  }

  /** The logical name of a topic or group read from the broker (without the namespace prefix). */
  logicalName(name: string): string {
    return this.logical(name);
  }

  /**
   * The bus's kafkajs client (brokers, client id, retries, logging), for operator tools that need an
   * admin or a consumer of their own (see dlq-replay.ts); they connect and disconnect what they create.
   */
  get client(): Kafka {
    return this.kafka;
  }

  /** The logical name of a topic read from the broker. */
  private logical(topic: string): string {
    return this.prefix && topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
  }

  private getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: this.retry });
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }

  /** Creates missing topics (logical names; 3 partitions, replication 1 by default); remembered once it worked. */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.map((name) => this.onBroker(name)).map((topic) => {
      let ensured = this.topics.get(topic);
      if (!ensured) {
        ensured = (async () => {
          const admin = await this.getAdmin();
          // Ask first: creating an existing topic makes kafkajs log an error even though nothing is wrong.
          if ((await admin.listTopics()).includes(topic)) return;
          try {
            await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: this.partitions, replicationFactor: this.replicationFactor }] });
          } catch (error) {
            // Another process created it between our look and our create: that is the outcome we wanted.
            if (!(await admin.listTopics()).includes(topic)) throw error;
          }
        })();
        this.topics.set(topic, ensured);
        ensured.catch(() => this.topics.delete(topic));
      }
      return ensured;
    }));
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.producerKafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: this.producerRetry,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => (this.producer = undefined));
    }
    return this.producer;
  }

  /**
   * A failed send leaves the idempotent producer's sequence numbers in doubt: start a new producer
   * (new producer id) rather than risk the broker taking a new batch for a duplicate of the old one.
   */
  private async discardProducer(): Promise<void> {
    const current = this.producer;
    this.producer = undefined;
    if (current) await current.then((producer) => producer.disconnect(), () => {}).catch(() => {});
  }

  async publish(topic: string, events: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) throw new Error('The event bus is closed');
    if (events.length === 0) return;
    await this.ensureTopics([topic]);
    const producer = await this.getProducer();
    const messages = events.map((event) => ({ key: event.subject, value: JSON.stringify(event), headers: headersOf(event) }));
    try {
      for (const [start, end] of sendRuns(messages.map((m) => Buffer.byteLength(m.value)))) {
        await producer.send({ topic: this.onBroker(topic), acks: -1, messages: messages.slice(start, end) });
      }
    } catch (error) {
      await this.discardProducer();
      throw error;
    }
  }

  private async sendToDeadLetter(topic: string, group: string, message: KafkaMessage, event: EventEnvelope | undefined, error: unknown, attempts: number): Promise<void> {
    const dlq = deadLetterTopicOf(topic);
    const deadletter = { topic, group, error: errorMessage(error), attempts, failedat: new Date().toISOString() };
    await this.ensureTopics([dlq]);
    const producer = await this.getProducer();
    try {
      const value = event ? JSON.stringify({ ...event, deadletter } satisfies DeadLetterEnvelope) : message.value;
      await producer.send({
        topic: this.onBroker(dlq),
        acks: -1,
        messages: [{
          key: message.key,
          value,
          headers: { ...(event ? headersOf(event) : {}), dlq_topic: topic, dlq_group: group, dlq_error: deadletter.error.slice(0, 1000) },
        }],
      });
    } catch (sendError) {
      await this.discardProducer();
      throw sendError;
    }
  }

  /**
   * New groups that asked for live events only start at the current end of each topic: their
   * offsets are set before they join, so nothing published after subscribe() resolves is skipped.
   */
  private async startAtEndIfNew(group: string, topics: readonly string[]): Promise<void> {
    const admin = await this.getAdmin();
    const committed = await admin.fetchOffsets({ groupId: this.onBroker(group), topics: topics.map((topic) => this.onBroker(topic)) });
    for (const { topic, partitions } of committed) {
      if (partitions.some((partition) => partition.offset !== '-1')) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      try {
        await admin.setOffsets({ groupId: this.onBroker(group), topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
      } catch (error) {
        // The group already has live members (another instance): it consumes from their position.
        this.log({ level: 'debug', msg: 'could not preset offsets of a live group', group, topic, error: errorMessage(error) });
      }
    }
  }

  async subscribe(group: string, topics: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<EventSubscription> {
    if (this.closed) throw new Error('The event bus is closed');
    if (!group) throw new Error('subscribe needs a consumer group name');
    const unique = [...new Set(topics)];
    await this.ensureTopics(unique);
    if (!options.fromBeginning) await this.startAtEndIfNew(group, unique);

    const consumer = this.kafka.consumer({
      groupId: this.onBroker(group),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 250,
      retry: { ...this.retry, restartOnFailure: async () => !this.closed },
    });
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log({ level: 'warn', msg: 'kafka consumer crashed', group, error: errorMessage(payload.error), restart: payload.restart });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: unique.map((topic) => this.onBroker(topic)), fromBeginning: options.fromBeginning ?? false });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.partitions,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          await this.handleMessage(group, this.logical(topic), message, handler, heartbeat);
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        },
      });
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    // Offsets are committed (or preset), so waiting for the join only makes the first events
    // arrive sooner for the caller; do not hang forever on a slow rebalance.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([joined, new Promise<void>((resolve) => (timer = setTimeout(resolve, 30000)))]);
    clearTimeout(timer);

    let closing: Promise<void> | undefined;
    return {
      close: () => {
        closing ??= (async () => {
          this.consumers.delete(consumer);
          await consumer.disconnect().catch(() => {});
          if (options.ephemeral) await this.deleteGroup(group);
        })();
        return closing;
      },
    };
  }

  private async handleMessage(group: string, topic: string, message: KafkaMessage, handler: EventHandler, heartbeat: () => Promise<void>): Promise<void> {
    let event: EventEnvelope | undefined;
    let lastError: unknown;
    try {
      event = parseEnvelope(message.value?.toString('utf8') ?? '');
    } catch (error) {
      lastError = error;
    }
    let attempts = 0;
    if (event) {
      for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
        attempts = attempt;
        try {
          await handler(event, { topic, attempt });
          return;
        } catch (error) {
          lastError = error;
          const poison = isPoisonEvent(error);
          const last = poison || attempt === this.maxAttempts;
          this.log({ level: last ? 'error' : 'warn', msg: poison ? 'event handler rejected the event as poison' : 'event handler failed', topic, group, eventId: event.id, type: event.type, attempt, error: errorMessage(error) });
          if (last) break;
          await this.waitWithHeartbeats(this.retryDelayMs(attempt), heartbeat);
          // Closing mid-retry: leave the offset uncommitted so the event is redelivered, not dead-lettered.
          if (this.closed) throw new Error(`event ${event.id} not handled: the bus closed during its retries`);
        }
      }
    } else {
      this.log({ level: 'error', msg: 'unreadable event message', topic, group, offset: message.offset, error: errorMessage(lastError) });
    }
    if (isDeadLetterTopic(topic)) {
      this.log({ level: 'error', msg: 'dead-letter handler failed; message skipped', topic, group, offset: message.offset });
      return;
    }
    // If this throws, the offset is not committed and kafkajs redelivers the message.
    await this.sendToDeadLetter(topic, group, message, event, lastError, attempts);
  }

  /** Removes an ephemeral group and its offsets; a failure only means the broker expires them later. */
  private async deleteGroup(group: string): Promise<void> {
    try {
      await (await this.getAdmin()).deleteGroups([this.onBroker(group)]);
    } catch (error) {
      this.log({ level: 'debug', msg: 'could not delete an ephemeral consumer group; the broker expires its offsets', group, error: errorMessage(error) });
    }
  }

  /** Waits `ms` between retries, heartbeating so the group keeps this member; stops early when closed. */
  private async waitWithHeartbeats(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const end = Date.now() + ms;
    for (let left = ms; left > 0 && !this.closed; left = end - Date.now()) {
      await sleep(Math.min(left, HEARTBEAT_SLICE_MS));
      await heartbeat().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await this.discardProducer();
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((a) => a.disconnect(), () => {}).catch(() => {});
  }
}
