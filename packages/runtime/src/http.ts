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

export interface ProxyOptions {
  /** Methods forwarded (default GET and HEAD); anything else gets 405 with an Allow header. */
  methods?: readonly string[];
  /** Largest request body forwarded, in bytes (default 1 MiB): beyond it 413, nothing more is sent. */
  maxBodyBytes?: number;
  /** Until the upstream's response headers arrive, and then per idle gap while streaming (default 30 s): 504. */
  timeoutMs?: number;
}

/** Never forwarded: credentials (proxied routes authenticate by themselves) and hop-by-hop headers. */
const DROPPED_REQUEST_HEADERS = new Set(['authorization', 'cookie', 'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade']);

/**
 * Forwards requests under `prefix` to `origin` (e.g. the calendar subgraph's http://127.0.0.1:4004),
 * streaming the answer back unchanged. GET and HEAD by default; with `methods` also e.g. POST, whose
 * body is streamed byte for byte with its headers (content-type, content-length, signature headers
 * such as X-Hub-Signature-256, X-Slack-Signature, X-Slack-Request-Timestamp, X-Goog-Channel-Token),
 * up to `maxBodyBytes` (413 beyond). Credentials headers (authorization, cookie) are not forwarded:
 * proxied routes authenticate by themselves (a secret token in the URL, a signature over the body).
 * No answer within `timeoutMs`: 504; the service unreachable: 502.
 */
export function proxyRoute(prefix: string, origin: string, options: ProxyOptions = {}): Route {
  const methods = (options.methods ?? ['GET', 'HEAD']).map((m) => m.toUpperCase());
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return (req, res) => {
    if (!req.url?.startsWith(prefix)) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (!methods.includes(method)) {
      sendJson(res, 405, { error: `Use ${methods.join(' or ')} for ${prefix}*.` }, { allow: methods.join(', ') });
      return true;
    }
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    if (hasBody && declared !== null && (!Number.isFinite(declared) || declared > maxBodyBytes)) {
      sendJson(res, 413, { error: `The request body is larger than ${maxBodyBytes} bytes.` }, { connection: 'close' });
      req.resume();
      return true;
    }
    const target = new URL(req.url, origin);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    headers.host = target.host;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    if (!hasBody) {
      delete headers['content-length'];
      delete headers['transfer-encoding'];
    }
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(true);
      };
      const fail = (status: number, message: string) => {
        upstream.destroy();
        if (!res.headersSent) sendJson(res, status, { error: message }, status === 413 ? { connection: 'close' } : {});
        else res.destroy();
        finish();
      };
      const upstream = httpRequest(target, { method, headers }, (response) => {
        clearTimeout(deadline);
        const answer: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) answer[name] = value;
        res.writeHead(response.statusCode ?? 502, answer);
        response.pipe(res);
        response.setTimeout(timeoutMs, () => response.destroy(new Error('timeout')));
        response.on('end', finish);
        response.on('error', () => {
          res.destroy();
          finish();
        });
      });
      const deadline = setTimeout(() => fail(504, `The service behind ${prefix} did not answer within ${timeoutMs} ms.`), timeoutMs);
      upstream.on('error', () => {
        if (!settled) fail(502, `The service behind ${prefix} did not answer.`);
      });
      res.on('close', () => {
        // The client went away: stop the upstream request too.
        if (!settled) {
          upstream.destroy();
          finish();
        }
      });
      if (!hasBody) {
        upstream.end();
        return;
      }
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBodyBytes) {
          // The rest is read and dropped (the handler ignores it) so the client gets to read the 413.
          fail(413, `The request body is larger than ${maxBodyBytes} bytes.`);
          return;
        }
        if (!upstream.write(chunk)) {
          req.pause();
          upstream.once('drain', () => req.resume());
        }
      });
      req.on('end', () => {
        if (!settled) upstream.end();
      });
      req.on('error', () => fail(400, 'The request body could not be read.'));
    });
  };
}
