/**
 * The event envelope: CloudEvents 1.0 attribute names, plus two extension attributes
 * (lowercase alphanumerics, as CloudEvents requires): `tenant` (organization id) and
 * `schemaversion` (version of `data`'s shape for this `type`).
 */
export interface EventEnvelope<TData = unknown> {
  specversion: '1.0';
  /** UUID, unique per event; consumers dedupe on it. */
  id: string;
  /** The producing subgraph, e.g. "/flowforge/focus". */
  source: string;
  /** Reverse-DNS event type, e.g. "flowforge.focus.session.ended". */
  type: string;
  /** ISO-8601 time the change happened. */
  time: string;
  /** The aggregate id (e.g. the focus session id); also the Kafka message key, so order holds per aggregate. */
  subject: string;
  datacontenttype: 'application/json';
  /** Organization id the event belongs to: every consumer and subscriber filters on it. */
  tenant: string;
  schemaversion: number;
  data: TData;
}

/** The six domains; each has one topic, `flowforge.<domain>`. */
export type Domain = 'orgs' | 'focus' | 'habits' | 'calendar' | 'insights' | 'integrations';

export const topicOf = (domain: Domain): string => `flowforge.${domain}`;
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

export type EventHandler = (event: EventEnvelope, meta: { topic: string; attempt: number }) => Promise<void>;

export interface SubscribeOptions {
  /**
   * Where a group that has never consumed a topic starts. `false` (default): only events published
   * after it subscribed (live consumers such as gateway subscriptions). `true`: everything the bus
   * still holds (Kafka: the topic's retention; in-process: the last `retainPerTopic` events), for
   * durable domain consumers that must see events published before their first start. A group that
   * already consumed resumes where it left off either way (Kafka).
   */
  fromBeginning?: boolean;
  /**
   * A group of one process's lifetime (e.g. `gateway-<uuid>`): closing the subscription deletes the
   * group and its committed offsets (Kafka), so they do not linger on the broker until they expire.
   */
  ephemeral?: boolean;
}

/**
 * What a dead-letter topic (`<topic>.dlq`) carries: the original envelope (same id) plus the
 * `deadletter` extension saying which group failed, how often, and why.
 */
export interface DeadLetterInfo {
  /** The topic the event failed on. */
  topic: string;
  /** The consumer group whose handler kept failing. */
  group: string;
  /** The last error's message. */
  error: string;
  attempts: number;
  /** ISO time of the last failure. */
  failedat: string;
}

export type DeadLetterEnvelope<TData = unknown> = EventEnvelope<TData> & { deadletter: DeadLetterInfo };

export const isDeadLetter = (event: EventEnvelope): event is DeadLetterEnvelope =>
  typeof (event as Partial<DeadLetterEnvelope>).deadletter === 'object' && (event as Partial<DeadLetterEnvelope>).deadletter !== null;

export const isDeadLetterTopic = (topic: string): boolean => topic.endsWith('.dlq');

export interface EventSubscription {
  close(): Promise<void>;
}

/**
 * Moves envelopes between processes. Embedded mode: one in-process bus shared by every subgraph
 * in the process. Services mode: Apache Kafka (kafkajs). Delivery is at-least-once: handlers must
 * be idempotent (see consumeOnce).
 */
export interface EventBus {
  readonly kind: 'in-process' | 'kafka';
  /** Publishes in order; resolves once the broker has acknowledged every event. */
  publish(topic: string, events: readonly EventEnvelope[]): Promise<void>;
  /**
   * Joins consumer group `group` on `topics`. Each event reaches one member of a group; each group
   * sees every event. A handler that keeps failing (after retries) sends the event to the topic's
   * dead-letter topic with the error, and consumption goes on.
   */
  subscribe(group: string, topics: readonly string[], handler: EventHandler, options?: SubscribeOptions): Promise<EventSubscription>;
  close(): Promise<void>;
}
