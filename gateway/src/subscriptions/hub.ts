import type { Logger } from '@flowforge/runtime';
import { getArgumentValues, getVariableValues, GraphQLError, type DocumentNode, type ExecutionResult, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { createHash } from 'node:crypto';
import type { BusEvent } from './bus.js';
import type { SubscriptionEngine, PreparedOperation, EventPayload } from './engine.js';
import { SubscribeError, SUBSCRIPTION_FIELDS, type EventMatcher, type QueryAsSubscriber, type Subscriber } from './fields.js';

/** One subscription's outlet (the WebSocket side): results are pushed, never awaited. */
export interface Sink {
  push(result: ExecutionResult): void;
}

/** Events waiting for execution per group; past it the group drops events (and says so in the log). */
const MAX_PENDING_PER_GROUP = 256;
/** Execution errors that mean "not yours to see": the event is dropped for that group, never sent. */
const DROP_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

/**
 * Subscribers with the same document, variables and identity form a group: ONE execution per event
 * per group, whose result goes to every member.
 */
class Group {
  readonly sinks = new Set<Sink>();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly key: string,
    readonly eventTypes: readonly string[],
    readonly subscriber: Subscriber,
    readonly prepared: PreparedOperation,
    readonly variables: Record<string, unknown>,
    readonly matcher: EventMatcher,
  ) {}

  enqueue(run: () => Promise<void>, onOverflow: () => void): void {
    if (this.pending >= MAX_PENDING_PER_GROUP) return onOverflow();
    this.pending += 1;
    // One event after another per group, so a subscriber sees events in the order they came.
    this.tail = this.tail.then(run).catch(() => undefined).finally(() => { this.pending -= 1; });
  }
}

export interface HubStats {
  groups: number;
  subscriptions: number;
  eventsReceived: number;
  executions: number;
  delivered: number;
  droppedUnauthorized: number;
  droppedOverflow: number;
  failed: number;
}

export class SubscriptionHub {
  /** tenant -> event type -> groups: an event only ever looks at its own organization's subscriptions. */
  private readonly index = new Map<string, Map<string, Set<Group>>>();
  private readonly groups = new Map<string, Promise<Group>>();
  private readonly prepared = new Map<string, PreparedOperation>();
  private readonly counters = { eventsReceived: 0, executions: 0, delivered: 0, droppedUnauthorized: 0, droppedOverflow: 0, failed: 0 };
  private subscriptions = 0;

  constructor(private readonly engine: SubscriptionEngine, private readonly queryAs: QueryAsSubscriber, private readonly log: Logger) {}

  stats(): HubStats {
    return { groups: this.groups.size, subscriptions: this.subscriptions, ...this.counters };
  }

  private prepare(source: string, document: DocumentNode, operation: OperationDefinitionNode, probe: string | null): PreparedOperation {
    const key = `${operation.name?.value ?? ''}\n${source}`;
    let prepared = this.prepared.get(key);
    if (!prepared) {
      prepared = this.engine.prepare(document, operation, probe);
      if (this.prepared.size >= 2_000) this.prepared.clear();
      this.prepared.set(key, prepared);
    }
    return prepared;
  }

  /**
   * Adds a subscription (document already validated against the API schema). Throws SubscribeError
   * (sent to the client as a GraphQL error) when the subscriber may not subscribe with these arguments.
   * Returns the function that removes it.
   */
  async join(source: string, document: DocumentNode, operation: OperationDefinitionNode, rawVariables: Record<string, unknown>, subscriber: Subscriber, sink: Sink): Promise<() => void> {
    const root = operation.selectionSet.selections[0] as FieldNode;
    const definition = SUBSCRIPTION_FIELDS[root.name.value];
    if (!definition) throw new SubscribeError('BAD_USER_INPUT', `Subscription field ${root.name.value} is not served by this gateway.`);
    const coerced = getVariableValues(this.engine.schema, operation.variableDefinitions ?? [], rawVariables);
    if (coerced.errors) throw new SubscribeError('BAD_USER_INPUT', coerced.errors.map((e) => e.message).join(' '));
    const fieldDef = this.engine.schema.getSubscriptionType()!.getFields()[root.name.value]!;
    const args = getArgumentValues(fieldDef, root, coerced.coerced);

    const documentHash = createHash('sha256').update(source).digest('base64url');
    // Identity without the sign-in id: several tabs of one user (same role, same organization) share.
    const key = [documentHash, operation.name?.value ?? '', JSON.stringify(coerced.coerced), subscriber.userId, subscriber.organizationId, subscriber.workspaceId ?? '', subscriber.role].join('|');
    let groupPromise = this.groups.get(key);
    if (!groupPromise) {
      groupPromise = (async () => {
        const prepared = this.prepare(source, document, operation, definition.probe);
        const matcher = await definition.authorize(args, subscriber, this.queryAs);
        const group = new Group(key, definition.eventTypes, subscriber, prepared, coerced.coerced, matcher);
        const byType = this.index.get(subscriber.organizationId) ?? new Map<string, Set<Group>>();
        this.index.set(subscriber.organizationId, byType);
        for (const type of definition.eventTypes) {
          const set = byType.get(type) ?? new Set<Group>();
          byType.set(type, set);
          set.add(group);
        }
        return group;
      })();
      this.groups.set(key, groupPromise);
      groupPromise.catch(() => { if (this.groups.get(key) === groupPromise) this.groups.delete(key); });
    }
    const group = await groupPromise;
    group.sinks.add(sink);
    this.subscriptions += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.subscriptions -= 1;
      group.sinks.delete(sink);
      if (group.sinks.size === 0) this.remove(group);
    };
  }

  private remove(group: Group): void {
    if (this.groups.get(group.key) === undefined) return;
    this.groups.delete(group.key);
    const byType = this.index.get(group.subscriber.organizationId);
    if (!byType) return;
    for (const type of group.eventTypes) {
      const set = byType.get(type);
      set?.delete(group);
      if (set?.size === 0) byType.delete(type);
    }
    if (byType.size === 0) this.index.delete(group.subscriber.organizationId);
  }

  /** The bus handler: matches synchronously, executes asynchronously (never blocks the consumer). */
  handle(event: BusEvent): void {
    this.counters.eventsReceived += 1;
    const groups = this.index.get(event.tenant)?.get(event.type);
    if (!groups) return;
    for (const group of groups) {
      let payload: EventPayload | null;
      try {
        payload = group.matcher(event);
      } catch (error) {
        this.log({ level: 'error', msg: 'subscription matcher failed', type: event.type, eventId: event.id, error: String(error) });
        continue;
      }
      if (!payload) continue;
      group.enqueue(() => this.execute(group, event, payload), () => {
        this.counters.droppedOverflow += 1;
        this.log({ level: 'warn', msg: 'subscription group backlog full: event dropped', eventId: event.id, type: event.type, subscribers: group.sinks.size });
      });
    }
  }

  private async execute(group: Group, event: BusEvent, payload: EventPayload): Promise<void> {
    if (group.sinks.size === 0) return;
    this.counters.executions += 1;
    let result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
    try {
      result = await this.engine.execute(group.prepared, group.variables, { identity: group.subscriber, requestId: event.id, eventPayload: payload });
    } catch (error) {
      this.counters.failed += 1;
      this.log({ level: 'error', msg: 'subscription execution failed', eventId: event.id, type: event.type, error: error instanceof Error ? error.stack : String(error) });
      return;
    }
    const codes = (result.errors ?? []).map((error) => error.extensions?.code);
    const root = result.data?.[group.prepared.responseKey];
    if (codes.some((code) => typeof code === 'string' && DROP_CODES.has(code)) || root === null || root === undefined) {
      this.counters.droppedUnauthorized += 1;
      this.log({ level: 'debug', msg: 'subscription event not delivered: not visible to the subscriber', eventId: event.id, type: event.type, codes });
      return;
    }
    let delivered: ExecutionResult = { data: result.data };
    if (result.errors?.length) {
      this.counters.failed += 1;
      this.log({ level: 'error', msg: 'subscription execution had errors', eventId: event.id, type: event.type, errors: result.errors.map((e) => e.message) });
      delivered = { data: result.data, errors: [new GraphQLError('Part of this update could not be resolved; it has been logged.', { extensions: { code: 'INTERNAL_SERVER_ERROR', eventId: event.id } })] };
    }
    this.counters.delivered += group.sinks.size;
    for (const sink of group.sinks) sink.push(delivered);
  }
}
