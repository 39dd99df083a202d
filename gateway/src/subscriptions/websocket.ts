import { TokenError, verifyAccessToken, type AccessClaims, type VerificationKey } from '@flowforge/auth';
import type { Logger } from '@flowforge/runtime';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type ValidationRule } from 'graphql';
import { makeServer, type Context } from 'graphql-ws';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SubscriptionEngine } from './engine.js';
import { SubscribeError, type Subscriber } from './fields.js';
import type { Sink, SubscriptionHub } from './hub.js';

export interface WebSocketLimits {
  /** Bytes queued on one socket before it is closed as too slow (default 1 MiB). */
  maxBufferedBytes: number;
  /** Results waiting in one subscription before its socket is closed as too slow (default 100). */
  maxQueuedResults: number;
  /** Active subscriptions per connection (default 50). */
  maxSubscriptionsPerConnection: number;
  /** Ping interval; a socket that did not answer the previous ping is terminated (default 30 s). */
  heartbeatMs: number;
  /** How often open connections are checked for an expired access token (default 5 s). */
  expiryCheckMs: number;
}

export const DEFAULT_LIMITS: WebSocketLimits = {
  maxBufferedBytes: 1024 * 1024,
  maxQueuedResults: 100,
  maxSubscriptionsPerConnection: 50,
  heartbeatMs: 30_000,
  expiryCheckMs: 5_000,
};

/** Close codes, beside graphql-ws's own (4400 bad request, 4408 init timeout, 4409 duplicate id, ...). */
export const CLOSE = {
  unauthenticated: 4401,
  forbidden: 4403,
  tooSlow: 4008,
  internal: 4500,
} as const;

interface Connection {
  socket: WebSocket;
  alive: boolean;
  subscriber: Subscriber | null;
  expiresAt: number;
  /** When the connection's access token was issued (to notice membership changes after it). */
  issuedAt: number;
  subscriptions: number;
  /** Set before refusing in onConnect, so graphql-ws's generic 4403 becomes our precise code. */
  closeWith: [number, string] | null;
}

type WsContext = Context<Record<string, unknown> | undefined, Connection>;

/** A subscription's result queue, read by graphql-ws's `for await`. */
class ResultStream implements AsyncIterableIterator<ExecutionResult>, Sink {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | null = null;
  private done = false;
  leave: () => void = () => undefined;

  constructor(private readonly maxQueued: number, private readonly onOverflow: () => void) {}

  push(result: ExecutionResult): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: result, done: false });
    } else if (this.queue.length >= this.maxQueued) {
      this.onOverflow();
    } else {
      this.queue.push(result);
    }
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.leave();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function tokenFrom(params: Record<string, unknown> | undefined): string | null {
  if (!params) return null;
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? null;
  return typeof params.accessToken === 'string' && params.accessToken.length > 0 ? params.accessToken : null;
}

type Verified = { ok: true; claims: AccessClaims } | { ok: false; code: number; reason: string };

/** Refuses tokens that predate a change of the member's role or membership (gateway/src/revocations.ts). */
export interface RevocationCheck {
  isRevoked(identity: Subscriber, issuedAt: Date): boolean;
}

const MEMBERSHIP_CHANGED = 'Your membership in this organization changed: refresh your access token and reconnect';

async function verify(params: Record<string, unknown> | undefined, accessKey: VerificationKey, revocations?: RevocationCheck): Promise<Verified> {
  const token = tokenFrom(params);
  if (!token) return { ok: false, code: CLOSE.unauthenticated, reason: 'Unauthenticated: send connectionParams { authorization: "Bearer <access token>" }' };
  try {
    const claims = await verifyAccessToken(token, accessKey);
    if (revocations?.isRevoked(claims as Subscriber, claims.issuedAt)) return { ok: false, code: CLOSE.unauthenticated, reason: MEMBERSHIP_CHANGED };
    return { ok: true, claims };
  } catch (error) {
    const expired = error instanceof TokenError && error.reason === 'expired';
    return { ok: false, code: CLOSE.unauthenticated, reason: expired ? 'Access token expired: refresh it and reconnect' : 'Access token not valid: sign in again' };
  }
}

const graphqlError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

export interface SubscriptionServer {
  connections(): number;
  close(): Promise<void>;
}

export function attachWebSocketServer(options: {
  server: Server;
  engine: SubscriptionEngine;
  hub: SubscriptionHub;
  accessKey: VerificationKey;
  revocations?: RevocationCheck;
  log: Logger;
  limits?: Partial<WebSocketLimits>;
  validationRules?: readonly ValidationRule[];
}): SubscriptionServer {
  const { engine, hub, accessKey, revocations, log } = options;
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const connections = new Set<Connection>();
  const parsed = new Map<string, DocumentNode>();

  const closeTooSlow = (connection: Connection) => {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    log({ level: 'warn', msg: 'closing a WebSocket: send buffer full', userId: connection.subscriber?.userId, bufferedBytes: connection.socket.bufferedAmount });
    connection.socket.close(CLOSE.tooSlow, 'send buffer full: client too slow');
  };

  const graphqlWs = makeServer<Record<string, unknown> | undefined, Connection>({
    connectionInitWaitTimeout: 10_000,
    async onConnect(ctx: WsContext) {
      const verified = await verify(ctx.connectionParams, accessKey, revocations);
      if (!verified.ok) {
        ctx.extra.closeWith = [verified.code, verified.reason];
        return false;
      }
      const { expiresAt, issuedAt, ...identity } = verified.claims;
      if (!identity.organizationId || !identity.role) {
        ctx.extra.closeWith = [CLOSE.forbidden, 'Forbidden: subscriptions need an active organization (createOrganization or switchOrganization)'];
        return false;
      }
      ctx.extra.subscriber = identity as Subscriber;
      ctx.extra.expiresAt = expiresAt.getTime();
      ctx.extra.issuedAt = issuedAt.getTime();
      return true;
    },
    // A client may renew its access token on an open connection: { type: 'ping', payload: { authorization } }.
    async onPing(ctx: WsContext, payload) {
      if (!payload || !tokenFrom(payload)) return;
      const verified = await verify(payload, accessKey, revocations);
      const current = ctx.extra.subscriber;
      if (!verified.ok) return void ctx.extra.socket.close(verified.code, verified.reason);
      const { claims } = verified;
      if (!current || claims.userId !== current.userId || claims.organizationId !== current.organizationId || claims.role !== current.role || claims.workspaceId !== current.workspaceId) {
        return void ctx.extra.socket.close(CLOSE.unauthenticated, 'The new token is for another identity: reconnect with it');
      }
      ctx.extra.expiresAt = claims.expiresAt.getTime();
      ctx.extra.issuedAt = claims.issuedAt.getTime();
    },
    async onSubscribe(ctx: WsContext, _id, payload) {
      const connection = ctx.extra;
      const subscriber = connection.subscriber!;
      if (connection.subscriptions >= limits.maxSubscriptionsPerConnection) {
        return [graphqlError('TOO_MANY_SUBSCRIPTIONS', `At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection: complete one first or open another connection.`)];
      }
      let document = parsed.get(payload.query);
      if (!document) {
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : graphqlError('GRAPHQL_PARSE_FAILED', String(error))];
        }
        const errors = validate(engine.schema, document, rules);
        if (errors.length > 0) return errors;
        if (parsed.size >= 1_000) parsed.clear();
        parsed.set(payload.query, document);
      }
      const operation = getOperationAST(document, payload.operationName ?? undefined);
      if (!operation) return [graphqlError('BAD_USER_INPUT', 'Name the operation to run (operationName).')];
      if (operation.operation !== 'subscription') {
        return [graphqlError('BAD_REQUEST', 'This WebSocket serves subscriptions only: send queries and mutations with HTTP POST /graphql.')];
      }
      const stream = new ResultStream(limits.maxQueuedResults, () => closeTooSlow(connection));
      // Reserve the slot before awaiting, so concurrent subscribes cannot all pass the limit check.
      connection.subscriptions += 1;
      try {
        stream.leave = await hub.join(payload.query, document, operation, payload.variables ?? {}, subscriber, stream);
      } catch (error) {
        connection.subscriptions -= 1;
        if (error instanceof SubscribeError) return [graphqlError(error.code, error.message)];
        log({ level: 'error', msg: 'subscribe failed', error: error instanceof Error ? error.stack : String(error) });
        return [graphqlError('INTERNAL_SERVER_ERROR', 'Something went wrong on our side; it has been logged.')];
      }
      const leave = stream.leave;
      stream.leave = () => {
        connection.subscriptions -= 1;
        leave();
      };
      // The socket may have closed while we authorized: graphql-ws then never starts iterating.
      if (connection.socket.readyState !== connection.socket.OPEN) void stream.return();
      return { schema: engine.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: stream };
    },
    subscribe: (args) => args.contextValue as ResultStream,
  });

  const wss = new WebSocketServer({ server: options.server, path: '/graphql', perMessageDeflate: false, maxPayload: 256 * 1024 });
  wss.on('error', (error) => log({ level: 'error', msg: 'WebSocket server error', error: String(error) }));
  wss.on('connection', (socket) => {
    const connection: Connection = { socket, alive: true, subscriber: null, expiresAt: Number.POSITIVE_INFINITY, issuedAt: 0, subscriptions: 0, closeWith: null };
    connections.add(connection);
    socket.on('pong', () => { connection.alive = true; });
    socket.on('error', (error) => log({ level: 'warn', msg: 'WebSocket error', error: String(error) }));
    const closed = graphqlWs.opened({
      protocol: socket.protocol,
      send(data) {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > limits.maxBufferedBytes) return closeTooSlow(connection);
        socket.send(data);
      },
      close(code, reason) {
        const [finalCode, finalReason] = connection.closeWith ?? [code, reason];
        socket.close(finalCode, finalReason);
      },
      onMessage(handle) {
        socket.on('message', (data) => {
          handle(String(data)).catch((error: unknown) => {
            log({ level: 'error', msg: 'WebSocket message failed', error: error instanceof Error ? error.stack : String(error) });
            socket.close(CLOSE.internal, 'Internal server error');
          });
        });
      },
    }, connection);
    socket.once('close', (code, reason) => {
      connections.delete(connection);
      void closed(code, reason.toString());
    });
  });

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();
  const expiry = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (connection.socket.readyState !== connection.socket.OPEN) continue;
      if (connection.expiresAt <= now) {
        connection.socket.close(CLOSE.unauthenticated, 'Access token expired: refresh it and reconnect');
      } else if (connection.subscriber && revocations?.isRevoked(connection.subscriber, new Date(connection.issuedAt))) {
        connection.socket.close(CLOSE.unauthenticated, MEMBERSHIP_CHANGED);
      }
    }
  }, limits.expiryCheckMs);
  expiry.unref();

  return {
    connections: () => connections.size,
    async close() {
      clearInterval(heartbeat);
      clearInterval(expiry);
      for (const connection of connections) connection.socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const connection of connections) connection.socket.terminate();
    },
  };
}
