import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { INTERNAL_TOKEN_HEADER, loadSigningKey, loadVerificationKey, type Identity } from '@flowforge/auth';
import { createLogger, healthRoute, maskError, proxyRoute, sendJson, serveGraphQL, servicePort, subgraphUrl, type Logger, type RunningHttpServer, type SubgraphName } from '@flowforge/runtime';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCacheBackends } from '@flowforge/cache';
import { createEventBus, type EventBus } from '@flowforge/events';
import { createSubgraphFetcher } from './fetcher.js';
import { authenticate, InternalTokenIssuer } from './identity.js';
import { GatewayRateLimiter, rateLimitPolicies } from './rate-limit.js';
import { queryLimits, queryLimitsRule } from './query-limits.js';
import { checkSubgraphs } from './readiness.js';
import { MembershipRevocations } from './revocations.js';
import { EVENTS_SUBGRAPH } from './compose.js';
import { EventsDataSource, startSubscriptions, type RunningSubscriptions, type SubscriptionEventBus, type WebSocketLimits } from './subscriptions/index.js';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
}

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export interface GatewayOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
  log?: Logger;
  supergraphSdl?: string;
  /**
   * Event bus for subscriptions (the embedded stack passes its shared in-process bus). Default:
   * createEventBus(env), i.e. Kafka when KAFKA_BROKERS is set (closed with the gateway), else the
   * process's shared in-process bus.
   */
  events?: EventBus | SubscriptionEventBus;
  subscriptionLimits?: Partial<WebSocketLimits>;
}

export interface RunningGateway extends RunningHttpServer {
  subscriptions: RunningSubscriptions;
}

export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('gateway', env);
  const accessKey = await loadVerificationKey('access', env);
  const internalTokens = new InternalTokenIssuer(await loadSigningKey('internal', env));
  const fetcher = createSubgraphFetcher();
  const backends = createCacheBackends(env);
  const rateLimiter = new GatewayRateLimiter(backends, rateLimitPolicies(env), log);
  const ownBus = options.events ? null : createEventBus(env, { clientId: 'flowforge-gateway' });
  const bus: SubscriptionEventBus = (options.events ?? ownBus)!;
  const limitsRule = queryLimitsRule(queryLimits(env));
  const revocations = new MembershipRevocations();
  const revocationFeed = await revocations.follow(bus, log);

  class InternalTokenDataSource extends RemoteGraphQLDataSource<GatewayContext> {
    override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
      // Apollo also calls this for its own health checks, with an empty context.
      if (!context?.identity || !request.http) return;
      request.http.headers.set(INTERNAL_TOKEN_HEADER, await internalTokens.tokenFor(context.identity));
      request.http.headers.set('x-request-id', context.requestId);
    }
  }

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
    // Query plans reveal the subgraph topology: never expose them, whatever NODE_ENV says.
    __exposeQueryPlanExperimental: false,
    buildService: ({ name }) => (name === EVENTS_SUBGRAPH ? new EventsDataSource() : new InternalTokenDataSource({ url: subgraphUrl(name as SubgraphName, env), fetcher })),
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    validationRules: [limitsRule],
    formatError: (formatted, original) => maskError(formatted, original, log),
  });

  const jwks = { keys: [accessKey.publicJwk] };
  let subscriptions: RunningSubscriptions | undefined;
  const running = await serveGraphQL<GatewayContext>({
    apollo,
    port: options.port ?? servicePort('gateway', env),
    host: env.HOST ?? '127.0.0.1',
    log,
    routes: [
      healthRoute('/healthz'),
      healthRoute('/readyz', async () => {
        const subgraphs = await checkSubgraphs(env);
        const cache = backends.redis ? await backends.redis.ping().then(() => 'ok', (error: Error) => `unreachable (${error.message})`) : 'memory';
        return { ok: subgraphs.ok && !cache.startsWith('unreachable'), details: { ...subgraphs.details, cache, events: subscriptions?.busState() ?? 'none' } };
      }),
      // Secret ICS feeds (the URL token is the credential): served by the calendar subgraph.
      proxyRoute('/feeds/calendar/', new URL(subgraphUrl('calendar', env)).origin),
      // Provider-facing routes of the integrations subgraph (each authenticates itself): the OAuth
      // redirect (state + PKCE) and inbound webhooks, whose raw bodies and signature headers
      // (X-Hub-Signature-256, X-Slack-Signature, X-Goog-Channel-Token, ...) pass through unchanged.
      proxyRoute('/oauth/callback/', new URL(subgraphUrl('integrations', env)).origin, { methods: ['GET', 'HEAD'], timeoutMs: 30_000 }),
      proxyRoute('/webhooks/', new URL(subgraphUrl('integrations', env)).origin, { methods: ['POST'], maxBodyBytes: 1024 * 1024, timeoutMs: 15_000 }),
      (req, res) => {
        if (req.url !== '/.well-known/jwks.json') return false;
        sendJson(res, 200, jwks, { 'cache-control': 'public, max-age=300' });
        return true;
      },
    ],
    // graphql-ws on the same port and path; the gateway is loaded by now (serveGraphQL started Apollo).
    onListening: (server) => {
      subscriptions = startSubscriptions({ server, gateway, apollo, accessKey, revocations, log, bus, limits: options.subscriptionLimits, validationRules: [limitsRule] });
    },
    async context(req) {
      const requestId = randomUUID();
      const identity = await authenticate(req, accessKey, revocations);
      await rateLimiter.check(req, identity);
      return { identity, requestId };
    },
  });
  log({ msg: 'gateway listening', url: running.url });
  return {
    ...running,
    subscriptions: subscriptions!,
    async close() {
      await subscriptions?.close();
      await revocationFeed.close();
      await running.close();
      await fetcher.close();
      await backends.close();
      // The shared in-process bus belongs to the process; a Kafka bus we created is ours to close.
      if (ownBus?.kind === 'kafka') await ownBus.close();
    },
  };
}
