/**
 * Query depth and size limits: GraphQL validation rules the gateway applies to every operation
 * (HTTP and WebSocket) before planning it, so a deeply nested or alias-multiplied query is refused
 * up front instead of fanning out to the subgraphs. Fragments are expanded where they are spread
 * (a fragment used ten times counts ten times); introspection (`__schema`, `__type`) is not counted,
 * so tools and codegen keep working.
 *
 * Env: GRAPHQL_MAX_DEPTH (default 12), GRAPHQL_MAX_FIELDS (default 1500 field selections after
 * expanding fragments). A refused operation gets code GRAPHQL_VALIDATION_FAILED (HTTP 400) and a
 * message naming the limit; the rule's own error also carries `extensions.limit` ("depth" | "fields"),
 * `max` and `value` (the gateway's error masking passes on only the code).
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { positiveFromEnv } from './env.js';

export interface QueryLimits {
  maxDepth: number;
  maxFields: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxFields: 1500 };

export function queryLimits(env: NodeJS.ProcessEnv): QueryLimits {
  return {
    maxDepth: positiveFromEnv(env, 'GRAPHQL_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth, { integer: true }),
    maxFields: positiveFromEnv(env, 'GRAPHQL_MAX_FIELDS', DEFAULT_QUERY_LIMITS.maxFields, { integer: true }),
  };
}

interface Measure {
  depth: number;
  fields: number;
}

/** Depth and field count of a selection set, fragments expanded; stops early once past the limits. */
function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, limits: QueryLimits, visiting: Set<string>): Measure {
  let depth = 0;
  let fields = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure = { depth: 0, fields: 0 };
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__schema' || selection.name.value === '__type') continue;
      const below = selection.selectionSet ? measure(selection.selectionSet, fragments, limits, visiting) : { depth: 0, fields: 0 };
      inner = { depth: below.depth + 1, fields: below.fields + 1 };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, limits, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // unknown or cyclic: the standard rules report it
      visiting.add(name);
      inner = measure(fragment.selectionSet, fragments, limits, visiting);
      visiting.delete(name);
    }
    depth = Math.max(depth, inner.depth);
    fields += inner.fields;
    if (depth > limits.maxDepth || fields > limits.maxFields) break;
  }
  return { depth, fields };
}

function refuse(context: ValidationContext, operation: OperationDefinitionNode, limit: 'depth' | 'fields', max: number, value: number) {
  const what = limit === 'depth' ? `nests ${value > max ? `more than ${max}` : value} levels deep; the limit is ${max}` : `selects ${value > max ? `more than ${max}` : value} fields (fragments expanded); the limit is ${max}`;
  const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
  context.reportError(new GraphQLError(`${name} ${what}. Ask for less in one request, or page through it.`, { nodes: [operation], extensions: { limit, max, value } }));
}

/** One validation rule enforcing both limits per operation. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    return {
      OperationDefinition(operation) {
        const { depth, fields } = measure(operation.selectionSet, fragments, limits, new Set());
        if (depth > limits.maxDepth) refuse(context, operation, 'depth', limits.maxDepth, depth);
        else if (fields > limits.maxFields) refuse(context, operation, 'fields', limits.maxFields, fields);
        return false; // the rule looked at the whole operation; do not descend
      },
    };
  };
}
