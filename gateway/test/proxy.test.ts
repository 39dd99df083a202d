// proxyRoute (packages/runtime) as the gateway uses it for /feeds/calendar/, /oauth/callback/ and
// /webhooks/: a local upstream records what arrives; a front server runs only the route.
import { proxyRoute, type ProxyOptions } from '@flowforge/runtime';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
});

/** A raw HTTP request (fetch would add or refuse some headers): status, headers, body. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

describe('proxyRoute', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const seen: Seen[] = [];
  let hang = false;
  const fronts: Server[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        if (hang) return; // never answers
        if (req.url?.startsWith('/oauth/callback/redirect')) {
          res.writeHead(303, { location: 'https://app.example/settings?connected=x', 'cache-control': 'no-store' });
          res.end();
          return;
        }
        res.writeHead(req.url?.includes('missing') ? 404 : 200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(JSON.stringify({ ok: true, bytes: Buffer.concat(chunks).length }));
      });
    });
    upstreamUrl = await listen(upstream);
  });
  afterAll(async () => {
    for (const front of fronts) await close(front);
    await close(upstream);
  });
  beforeEach(() => {
    seen.length = 0;
    hang = false;
  });

  async function front(prefix: string, options?: ProxyOptions, origin = upstreamUrl): Promise<string> {
    const route = proxyRoute(prefix, origin, options);
    const server = createServer(async (req, res) => {
      if (!(await route(req, res))) {
        res.writeHead(404);
        res.end('not proxied');
      }
    });
    fronts.push(server);
    return listen(server);
  }

  it('GET/HEAD by default: forwards path, query and headers except credentials; other methods get 405', async () => {
    const url = await front('/feeds/calendar/');
    const answer = await send(`${url}/feeds/calendar/abc.ics?x=1`, { headers: { authorization: 'Bearer secret', cookie: 'session=secret', 'x-custom': 'kept', accept: 'text/calendar' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/feeds/calendar/abc.ics?x=1' });
    expect(seen[0]!.headers).toMatchObject({ 'x-custom': 'kept', accept: 'text/calendar', host: new URL(upstreamUrl).host });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers.cookie).toBeUndefined();
    expect((await send(`${url}/feeds/calendar/abc.ics`, { method: 'HEAD' })).status).toBe(200);
    const post = await send(`${url}/feeds/calendar/abc.ics`, { method: 'POST', body: Buffer.from('x') });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(seen).toHaveLength(2);
    expect((await send(`${url}/elsewhere`)).body).toBe('not proxied');
  });

  it('streams a POST body byte for byte with its signature headers (fixed length and chunked)', async () => {
    const url = await front('/webhooks/', { methods: ['POST'] });
    const body = Buffer.concat([Buffer.from('{"zen":"Keep it logically awesome.","bin":"'), randomBytes(4096), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]), Buffer.from('"}')]);
    const signature = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`;
    const signed = {
      'content-type': 'application/json; charset=utf-8', 'x-hub-signature-256': signature, 'x-github-delivery': 'd-1', 'x-github-event': 'push',
      'x-slack-signature': 'v0=abc', 'x-slack-request-timestamp': '1700000000', 'x-goog-channel-token': 'tok en/+=', 'x-goog-channel-id': 'ch-1',
      authorization: 'Bearer nope', cookie: 'a=b',
    };
    const answer = await send(`${url}/webhooks/github`, { method: 'POST', headers: { ...signed, 'content-length': String(body.length) }, body });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, bytes: body.length });
    expect(seen[0]!.body.equals(body)).toBe(true);
    const { authorization: _a, cookie: _c, ...forwarded } = signed;
    expect(seen[0]!.headers).toMatchObject({ ...forwarded, 'content-length': String(body.length) });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers.cookie).toBeUndefined();
    expect(createHmac('sha256', 'secret').update(seen[0]!.body).digest('hex')).toBe(signature.slice('sha256='.length));

    // Chunked (no Content-Length): the same bytes arrive.
    const chunked = await send(`${url}/webhooks/slack`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: [body.subarray(0, 100), body.subarray(100, 3000), body.subarray(3000)] });
    expect(chunked.status).toBe(200);
    expect(seen[1]!.body.equals(body)).toBe(true);
    // Only the configured methods.
    const get = await send(`${url}/webhooks/github`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('passes upstream answers through (redirects, 404s) unchanged', async () => {
    const url = await front('/oauth/callback/', { methods: ['GET', 'HEAD'] });
    const redirect = await send(`${url}/oauth/callback/redirect?code=c&state=s`);
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toBe('https://app.example/settings?connected=x');
    expect(seen[0]!.url).toBe('/oauth/callback/redirect?code=c&state=s');
    expect((await send(`${url}/oauth/callback/missing`)).status).toBe(404);
  });

  it('refuses bodies over the limit with 413 (declared or streamed) and forwards nothing', async () => {
    const url = await front('/webhooks/', { methods: ['POST'], maxBodyBytes: 1024 });
    const big = randomBytes(2048);
    const declared = await send(`${url}/webhooks/github`, { method: 'POST', headers: { 'content-length': String(big.length) }, body: big });
    expect(declared.status).toBe(413);
    const streamed = await send(`${url}/webhooks/github`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: [big.subarray(0, 600), big.subarray(600)] });
    expect(streamed.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(0);
    // The default limit is 1 MiB; the client still reads the 413 while it sends a larger body.
    const url1m = await front('/webhooks/', { methods: ['POST'] });
    expect((await send(`${url1m}/webhooks/github`, { method: 'POST', headers: { 'content-length': String(2 * 1024 * 1024) }, body: Buffer.alloc(2 * 1024 * 1024) })).status).toBe(413);
    expect((await send(`${url1m}/webhooks/github`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: [Buffer.alloc(800 * 1024), Buffer.alloc(800 * 1024)] })).status).toBe(413);
    expect((await send(`${url1m}/webhooks/github`, { method: 'POST', headers: { 'content-length': String(1024 * 1024) }, body: Buffer.alloc(1024 * 1024, 1) })).status).toBe(200);
    expect(seen.at(-1)!.body.length).toBe(1024 * 1024);
    seen.length = 0;
    // At the limit: fine.
    expect((await send(`${url}/webhooks/github`, { method: 'POST', headers: { 'content-length': '1024' }, body: big.subarray(0, 1024) })).status).toBe(200);
  });

  it('answers 504 when the upstream does not answer in time, 502 when it is unreachable', async () => {
    hang = true;
    const url = await front('/webhooks/', { methods: ['POST'], timeoutMs: 200 });
    const started = Date.now();
    const slow = await send(`${url}/webhooks/github`, { method: 'POST', headers: { 'content-length': '2' }, body: Buffer.from('{}') });
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5_000);
    const dead = createServer();
    const deadUrl = await listen(dead);
    await close(dead);
    const down = await front('/webhooks/', { methods: ['POST'] }, deadUrl);
    expect((await send(`${down}/webhooks/github`, { method: 'POST', headers: { 'content-length': '2' }, body: Buffer.from('{}') })).status).toBe(502);
  });
});
