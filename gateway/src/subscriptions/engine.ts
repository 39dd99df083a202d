import { buildOperationContext, executeQueryPlan, type ApolloGateway, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { GatewayContext } from '../server.js';

/**
 * Runs a subscription's selection set for one event through the gateway's own query planner and
 * executor. The planner plans subscriptions as `Subscription { Primary: Fetch(events), Rest }`,
 * which Apollo Gateway refuses to execute; we execute `Sequence [Primary, Rest]` once per event
 * instead, with the virtual `events` subgraph answering the primary fetch from the event itself.
 */

/** The fields of the event that the `events` subgraph hands to the planner (entities as `__typename` + key). */
export type EventPayload = Record<string, unknown>;

export interface SubscriptionContext extends GatewayContext {
  /** The root field's value for the event being executed. */
  eventPayload: EventPayload;
}

interface PlanNode { kind: string; [key: string]: unknown }
interface QueryPlan { kind: 'QueryPlan'; node?: PlanNode }

/** What we use of ApolloGateway's internals (stable across 2.x; checked at start). */
interface GatewayInternals {
  schema: GraphQLSchema;
  apiSchema: unknown;
  supergraphSchema: GraphQLSchema;
  queryPlanner: { buildQueryPlan(operation: unknown): QueryPlan };
  serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
}

// @apollo/federation-internals is @apollo/gateway's own dependency: reach it through the gateway
// so we use the very copy its planner was built with.
const requireFromGateway = createRequire(fileURLToPath(import.meta.resolve('@apollo/gateway')));
const federationInternals = requireFromGateway('@apollo/federation-internals') as {
  operationFromDocument(schema: unknown, document: DocumentNode, options?: { operationName?: string; validate?: boolean }): unknown;
};

export function gatewayInternals(gateway: ApolloGateway): GatewayInternals {
  const internals = gateway as unknown as Partial<GatewayInternals>;
  if (!internals.schema || !internals.apiSchema || !internals.supergraphSchema || !internals.queryPlanner || !internals.serviceMap) {
    throw new Error('Subscriptions need a loaded ApolloGateway (schema, apiSchema, queryPlanner, serviceMap): was @apollo/gateway upgraded?');
  }
  return internals as GatewayInternals;
}

/** A planned subscription operation (one per distinct document + operation name). */
export interface PreparedOperation {
  rootField: string;
  /** Response key of the root field (alias or name). */
  responseKey: string;
  plan: QueryPlan;
  operationContext: ReturnType<typeof buildOperationContext>;
  /** Alias of the injected authorization probe, removed from results. */
  probeAlias: string | null;
}

export const PROBE_ALIAS = '_flowforgeAuthorizationProbe';

/**
 * Adds `probe` (e.g. `state`) under an alias to the root field's selection set. A selection of
 * key fields only (`{ id }`) would otherwise never reach the owning subgraph, which is where
 * tenant and role are enforced; the probe makes every event go through that check.
 */
function withProbe(document: DocumentNode, operation: OperationDefinitionNode, probe: string | null): { document: DocumentNode; probeAlias: string | null } {
  const root = operation.selectionSet.selections[0] as FieldNode;
  if (!probe || !root.selectionSet) return { document, probeAlias: null };
  const probeSelections = (parse(`{ ${PROBE_ALIAS}: ${probe} }`).definitions[0] as OperationDefinitionNode).selectionSet.selections;
  const selectionSet: SelectionSetNode = { ...root.selectionSet, selections: [...root.selectionSet.selections, ...probeSelections] };
  const newRoot: FieldNode = { ...root, selectionSet };
  const newOperation: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections: [newRoot] } };
  return {
    document: { ...document, definitions: document.definitions.map((definition) => (definition === operation ? newOperation : definition)) },
    probeAlias: PROBE_ALIAS,
  };
}

export class SubscriptionEngine {
  private readonly internals: GatewayInternals;
  private serviceMapCache: ServiceMap | null = null;

  constructor(gateway: ApolloGateway, private readonly logger: Console | { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void }) {
    this.internals = gatewayInternals(gateway);
  }

  get schema(): GraphQLSchema {
    return this.internals.schema;
  }

  /** Plans a validated subscription document; `probe` is a selection on the root field's type. */
  prepare(document: DocumentNode, operation: OperationDefinitionNode, probe: string | null): PreparedOperation {
    const root = operation.selectionSet.selections[0] as FieldNode;
    const probed = withProbe(document, operation, probe);
    const operationName = operation.name?.value;
    const planned = this.internals.queryPlanner.buildQueryPlan(federationInternals.operationFromDocument(this.internals.apiSchema, probed.document, { operationName }));
    const node = planned.node;
    if (!node || node.kind !== 'Subscription') throw new Error(`Expected a subscription plan, got ${node?.kind ?? 'none'}`);
    const primary = node.primary as PlanNode;
    const rest = node.rest as PlanNode | undefined;
    return {
      rootField: root.name.value,
      responseKey: root.alias?.value ?? root.name.value,
      plan: { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary },
      operationContext: buildOperationContext({ schema: this.internals.schema, operationDocument: probed.document, operationName }),
      probeAlias: probed.probeAlias,
    };
  }

  private serviceMap(): ServiceMap {
    this.serviceMapCache ??= Object.fromEntries(Object.entries(this.internals.serviceMap).map(([name, { dataSource }]) => [name, dataSource]));
    return this.serviceMapCache;
  }

  /** Executes a prepared operation for one event, as `context.identity`. */
  async execute(prepared: PreparedOperation, variables: Record<string, unknown>, context: SubscriptionContext): Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] }> {
    const requestContext = {
      logger: this.logger,
      request: { variables },
      context,
      metrics: {},
      cache: undefined,
      operation: prepared.operationContext.operation,
    } as unknown as Parameters<typeof executeQueryPlan>[2];
    const result = await executeQueryPlan(
      prepared.plan as never,
      this.serviceMap(),
      requestContext,
      prepared.operationContext,
      this.internals.supergraphSchema,
      this.internals.apiSchema as never,
    );
    const data = result.data as Record<string, unknown> | null | undefined;
    if (prepared.probeAlias && data) {
      const root = data[prepared.responseKey];
      if (root && typeof root === 'object') delete (root as Record<string, unknown>)[prepared.probeAlias];
    }
    return { data, errors: result.errors };
  }
}

// ---- the virtual `events` subgraph ----

const parsedFetches = new Map<string, DocumentNode>();

function project(value: unknown, selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selectionSet, fragments));
  if (!selectionSet || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        out[key] = project(source[selection.name.value], selection.selectionSet, fragments);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || selection.typeCondition.name.value === source.__typename) visit(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && fragment.typeCondition.name.value === source.__typename) visit(fragment.selectionSet);
      }
    }
  };
  visit(selectionSet);
  return out;
}

/**
 * Answers the planner's fetches to `events`: the root field's value is the event payload on the
 * context. Arguments were already applied when the event was matched to the subscription.
 */
export class EventsDataSource implements GraphQLDataSource<Record<string, unknown>> {
  async process(options: Parameters<GraphQLDataSource<Record<string, unknown>>['process']>[0]) {
    const payload = (options.context as Partial<SubscriptionContext> | undefined)?.eventPayload;
    const query = options.request.query;
    if (!payload || !query) {
      return { errors: [{ message: 'The events subgraph only answers subscriptions over WebSocket.', extensions: { code: 'BAD_REQUEST' } }] } as never;
    }
    let document = parsedFetches.get(query);
    if (!document) {
      document = parse(query);
      if (parsedFetches.size > 5_000) parsedFetches.clear();
      parsedFetches.set(query, document);
    }
    const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const data: Record<string, unknown> = {};
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      data[selection.alias?.value ?? selection.name.value] = selection.name.value === '__typename' ? 'Subscription' : project(payload, selection.selectionSet, fragments);
    }
    return { data };
  }
}
