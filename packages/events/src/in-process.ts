import { defaultEventLog, errorMessage, type EventLog } from './log.js';
import { handlerRetryPolicy, isPoisonEvent } from './retry.js';
import {
  deadLetterTopicOf, isDeadLetterTopic,
  type DeadLetterEnvelope, type EventBus, type EventEnvelope, type EventHandler, type EventSubscription, type SubscribeOptions,
} from './types.js';

export interface InProcessEventBusOptions {
  /** Handler attempts per event and group before it goes to the dead-letter topic (default: EVENT_HANDLER_MAX_ATTEMPTS or 8, see retry.ts). */
  maxAttempts?: number;
  /** Wait before attempt `attempt + 1` (default: 200 ms growing 4x per attempt, at most EVENT_HANDLER_RETRY_MAX_MS or 30 s). */
  retryDelayMs?: (attempt: number) => number;
  env?: NodeJS.ProcessEnv;
  /** Events kept per topic for groups that subscribe with `fromBeginning` (default 10,000). */
  retainPerTopic?: number;
  log?: EventLog;
}

interface Member {
  handler: EventHandler;
  active: boolean;
}

interface GroupState {
  members: Member[];
  /** Tail of the delivery chain per key: events with one key are handled one after another. */
  chains: Map<string, Promise<void>>;
  /** Events that found no member (every member had left): delivered when one joins. */
  parked: EventEnvelope[];
}

interface TopicState {
  retained: EventEnvelope[];
  groups: Map<string, GroupState>;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * The embedded-mode bus: the same contract as Kafka inside one process. Delivery is asynchronous
 * (never inside the publisher's call stack); every consumer group gets every event, members of
 * one group share them (by key, like partitions); events with one key reach a group in publish
 * order; a failing handler is retried with backoff and then sent to `<topic>.dlq`.
 * Not durable: what is in flight when the process stops is gone (the outbox still has it
 * unpublished only until the relay marked it, so embedded mode is at-most-once past the relay).
 */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly topics = new Map<string, TopicState>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly retainPerTopic: number;
  private readonly log: EventLog;
  private closed = false;
  /** Set when close() starts: retries waiting for their next attempt give up instead of holding close() up. */
  private closing = false;

  constructor(options: InProcessEventBusOptions = {}) {
    const retry = handlerRetryPolicy(options.env ?? process.env, { ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }), ...(options.retryDelayMs && { delayMs: options.retryDelayMs }) });
    this.maxAttempts = retry.maxAttempts;
    this.retryDelayMs = retry.delayMs;
    this.retainPerTopic = Math.max(0, options.retainPerTopic ?? 10_000);
    this.log = options.log ?? defaultEventLog('events');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private topic(name: string): TopicState {
    let state = this.topics.get(name);
    if (!state) {
      state = { retained: [], groups: new Map() };
      this.topics.set(name, state);
    }
    return state;
  }

  async publish(topic: string, events: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) throw new Error('The event bus is closed');
    const state = this.topic(topic);
    for (const event of events) {
      if (this.retainPerTopic > 0) {
        state.retained.push(event);
        if (state.retained.length > this.retainPerTopic) state.retained.splice(0, state.retained.length - this.retainPerTopic);
      }
      for (const [group, groupState] of state.groups) this.enqueue(topic, group, groupState, event);
    }
  }

  private enqueue(topic: string, group: string, state: GroupState, event: EventEnvelope): void {
    const key = event.subject;
    const previous = state.chains.get(key) ?? nextTick();
    const next = previous.then(() => this.deliver(topic, group, state, event));
    state.chains.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (state.chains.get(key) === next) state.chains.delete(key);
    });
  }

  private async deliver(topic: string, group: string, state: GroupState, event: EventEnvelope): Promise<void> {
    let lastError: unknown;
    let attempts = 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const members = state.members.filter((member) => member.active);
      if (members.length === 0) {
        state.parked.push(event);
        return;
      }
      const member = members[hashKey(event.subject) % members.length]!;
      attempts = attempt;
      try {
        await member.handler(event, { topic, attempt });
        return;
      } catch (error) {
        lastError = error;
        const poison = isPoisonEvent(error);
        const last = poison || attempt === this.maxAttempts;
        this.log({ level: last ? 'error' : 'warn', msg: poison ? 'event handler rejected the event as poison' : 'event handler failed', topic, group, eventId: event.id, type: event.type, attempt, error: errorMessage(error) });
        if (last) break;
        if (!(await this.waitUnlessClosing(this.retryDelayMs(attempt)))) {
          this.log({ level: 'warn', msg: 'event handler retries abandoned: the bus is closing', topic, group, eventId: event.id, type: event.type, attempt });
          return;
        }
      }
    }
    if (isDeadLetterTopic(topic)) {
      this.log({ level: 'error', msg: 'dead-letter handler failed; event dropped', topic, group, eventId: event.id });
      return;
    }
    const dead: DeadLetterEnvelope = {
      ...event,
      deadletter: { topic, group, error: errorMessage(lastError), attempts, failedat: new Date().toISOString() },
    };
    if (!this.closed) await this.publish(deadLetterTopicOf(topic), [dead]);
  }

  /** Waits `ms`, in slices so close() is not held up; false when the bus started closing meanwhile. */
  private async waitUnlessClosing(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.closing) {
      const left = end - Date.now();
      if (left <= 0) return true;
      await sleep(Math.min(left, 100));
    }
    return false;
  }

  async subscribe(group: string, topics: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<EventSubscription> {
    if (this.closed) throw new Error('The event bus is closed');
    if (!group) throw new Error('subscribe needs a consumer group name');
    const member: Member = { handler, active: true };
    const joined: GroupState[] = [];
    for (const topic of new Set(topics)) {
      const state = this.topic(topic);
      let groupState = state.groups.get(group);
      const isNew = !groupState;
      if (!groupState) {
        groupState = { members: [], chains: new Map(), parked: [] };
        state.groups.set(group, groupState);
      }
      groupState.members.push(member);
      joined.push(groupState);
      const backlog = isNew && options.fromBeginning ? [...state.retained] : groupState.parked.splice(0);
      for (const event of backlog) this.enqueue(topic, group, groupState, event);
    }
    return {
      close: async () => {
        if (!member.active) return;
        member.active = false;
        for (const state of joined) state.members = state.members.filter((m) => m !== member);
        await Promise.allSettled(joined.flatMap((state) => [...state.chains.values()]));
      },
    };
  }

  /** Resolves once every delivery in flight (including retries and dead-lettering) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.idle();
    this.closed = true;
    this.topics.clear();
  }
}

const SHARED = Symbol.for('flowforge.events.sharedInProcessBus');
type Holder = { [SHARED]?: InProcessEventBus };

/** The process-wide in-process bus: every subgraph of the embedded stack (and the gateway) uses this one. */
export function sharedInProcessBus(options?: InProcessEventBusOptions): InProcessEventBus {
  const holder = globalThis as Holder;
  let bus = holder[SHARED];
  if (!bus || bus.isClosed) {
    bus = new InProcessEventBus(options);
    holder[SHARED] = bus;
  }
  return bus;
}
