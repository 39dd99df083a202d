import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** A refusal before GraphQL execution (bad auth, oversized body): sent as a GraphQL-shaped error. */
export class HttpProblem extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  port: number;
  host?: string;
  log: Logger;
  /** Builds the per-request context; throw HttpProblem to refuse the request. */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Extra routes tried before /graphql (health checks, JWKS, ...). Return true when handled. */
  routes?: Route[];
  /** Runs after the server listens, e.g. to attach a WebSocket server to it. */
  onListening?: (server: Server) => void;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function sendProblem(res: ServerResponse, problem: HttpProblem): void {
  sendJson(res, problem.status, { errors: [{ message: problem.message, extensions: { code: problem.code } }] }, problem.headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'BAD_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType?.includes('application/json')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

async function writeResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [key, value] of response.headers) headers[key] = value;
  res.writeHead(response.status ?? 200, headers);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Serves an ApolloServer (v5 has no framework integration) on plain node:http, beside a few extra routes. */
export async function serveGraphQL<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>): Promise<RunningHttpServer> {
  const { apollo, log } = options;
  await apollo.start();

  const server = createServer(async (req, res) => {
    try {
      for (const route of options.routes ?? []) if (await route(req, res)) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: `Nothing at ${url.pathname}; GraphQL is served at /graphql.` });
      if (req.method !== 'GET' && req.method !== 'POST') return sendJson(res, 405, { error: 'Use GET or POST for /graphql.' }, { allow: 'GET, POST' });

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      const body = req.method === 'POST' ? parseBody(await readBody(req), req.headers['content-type']) : undefined;
      const context = await options.context(req);
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: async () => context,
      });
      await writeResponse(res, response);
    } catch (error) {
      if (error instanceof HttpProblem) return sendProblem(res, error);
      log({ level: 'error', msg: 'request failed', error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Something went wrong on our side; it has been logged.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  options.onListening?.(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    port,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}

export function healthRoute(path: string, check: () => Promise<{ ok: boolean; details?: unknown }> = async () => ({ ok: true })): Route {
  return async (req, res) => {
    if (req.url !== path) return false;
    const result = await check().catch((error: unknown) => ({ ok: false, details: String(error) }));
    sendJson(res, result.ok ? 200 : 503, { status: result.ok ? 'ok' : 'unavailable', ...(result.details === undefined ? {} : { details: result.details }) });
    return true;
  };
}

/** Keeps a server running until SIGINT/SIGTERM, then closes it cleanly. */
export async function runUntilSignalled(running: { close(): Promise<void> }): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void running.close().then(() => process.exit(0), () => process.exit(1)));
  }
}

/**
 * Forwards GET/HEAD requests under `prefix` to `origin` (e.g. the calendar subgraph's
 * http://127.0.0.1:4004), streaming the answer back unchanged. Credentials headers are not
 * forwarded: proxied routes authenticate by themselves (e.g. a secret token in the URL).
 */
export function proxyRoute(prefix: string, origin: string, options: { timeoutMs?: number } = {}): Route {
  return (req, res) => {
    if (!req.url?.startsWith(prefix)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: `Use GET for ${prefix}*.` }, { allow: 'GET, HEAD' });
      return true;
    }
    const target = new URL(req.url, origin);
    const { authorization: _a, cookie: _c, host: _h, ...headers } = req.headers;
    return new Promise<boolean>((resolve) => {
      const upstream = httpRequest(target, { method: req.method, headers: { ...headers, host: target.host }, timeout: options.timeoutMs ?? 30_000 }, (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on('end', () => resolve(true));
        response.on('error', () => resolve(true));
      });
      const fail = () => {
        if (!res.headersSent) sendJson(res, 502, { error: `The service behind ${prefix} did not answer.` });
        else res.end();
        resolve(true);
      };
      upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
      upstream.on('error', fail);
      upstream.end();
    });
  };
}
