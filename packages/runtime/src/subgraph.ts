import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { INTERNAL_TOKEN_HEADER, loadVerificationKey, TokenError, verifyInternalToken, type Identity } from '@flowforge/auth';
import type { EventBus } from '@flowforge/events';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { maskError } from './errors.js';
import { healthRoute, HttpProblem, serveGraphQL, type Route, type RunningHttpServer } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { servicePort, type SubgraphName } from './ports.js';

export interface SubgraphContext extends BaseContext {
  identity: Identity;
  requestId: string;
}

export interface SubgraphDefinition<TContext extends SubgraphContext> {
  name: SubgraphName;
  /** Absolute path of the subgraph's schema.graphql. */
  schemaPath: string;
  resolvers: GraphQLResolverMap<TContext>;
  /** Adds the subgraph's own per-request state (data loaders, services) to the base context. */
  createContext(base: SubgraphContext): TContext;
  /** Readiness of the subgraph's own dependencies (its database). */
  ready?: () => Promise<boolean>;
  /** Releases the subgraph's own resources after the server stops. */
  onClose?: () => Promise<void>;
  /**
   * Extra HTTP routes beside /graphql (tried after the health checks, before GraphQL). They do NOT
   * get the internal-token check: each route authenticates its own requests (e.g. a secret URL token).
   */
  routes?: Route[];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
  log?: Logger;
  /**
   * The event bus to use (the embedded stack passes one shared by every subgraph and the gateway;
   * the caller closes it). Without it, a database subgraph creates its own with createEventBus(env).
   */
  events?: EventBus;
}

export function loadTypeDefs(schemaPath: string) {
  return parse(readFileSync(schemaPath, 'utf8'));
}

/**
 * Runs a federated subgraph. It accepts only requests carrying a valid internal token signed by
 * the gateway: the token is the sole source of identity, so a subgraph port reached directly
 * gives nothing away.
 */
export async function startSubgraph<TContext extends SubgraphContext>(definition: SubgraphDefinition<TContext>, options: StartOptions = {}): Promise<RunningHttpServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger(definition.name, env);
  const internalKey = await loadVerificationKey('internal', env);
  const schema = buildSubgraphSchema([{ typeDefs: loadTypeDefs(definition.schemaPath), resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]);
  const apollo = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    introspection: env.NODE_ENV !== 'production',
    formatError: (formatted, original) => maskError(formatted, original, log),
  });

  const running = await serveGraphQL<TContext>({
    apollo,
    port: options.port ?? servicePort(definition.name, env),
    host: env.HOST ?? '127.0.0.1',
    log,
    routes: [healthRoute('/healthz'), healthRoute('/readyz', async () => ({ ok: definition.ready ? await definition.ready() : true })), ...(definition.routes ?? [])],
    async context(req) {
      const token = req.headers[INTERNAL_TOKEN_HEADER];
      if (typeof token !== 'string' || token.length === 0) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', `The ${definition.name} subgraph only answers the FlowForge gateway; send requests to the gateway's /graphql.`);
      }
      let identity: Identity;
      try {
        identity = await verifyInternalToken(token, internalKey);
      } catch (error) {
        const reason = error instanceof TokenError ? error.message : 'The internal token is not valid.';
        throw new HttpProblem(401, 'UNAUTHENTICATED', `${reason} The ${definition.name} subgraph only answers the FlowForge gateway.`);
      }
      const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID();
      return definition.createContext({ identity, requestId });
    },
  });
  log({ msg: 'subgraph listening', url: running.url });
  return {
    ...running,
    async close() {
      await running.close();
      await definition.onClose?.();
    },
  };
}
