import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent, Headers, request } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

const SUBGRAPH_TIMEOUT_MS = 10_000;

function response(url: string, status: number, headers: Headers, body: string): FetcherResponse {
  let used = false;
  const read = async () => {
    used = true;
    return body;
  };
  return {
    url,
    status,
    ok: status >= 200 && status < 300,
    statusText: String(status),
    redirected: false,
    headers,
    get bodyUsed() {
      return used;
    },
    text: read,
    json: async () => JSON.parse(await read()),
    arrayBuffer: async () => {
      const bytes = Buffer.from(await read());
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
    clone: () => response(url, status, headers, body),
  };
}

/**
 * The gateway's subgraph HTTP client: undici `request()` over a keep-alive pool. Apollo's default
 * client builds an Error stack per request and was measured at less than half this throughput.
 */
export function createSubgraphFetcher(connectionsPerOrigin = 128): Fetcher & { close(): Promise<void> } {
  const agent = new Agent({ connections: connectionsPerOrigin, keepAliveTimeout: 30_000, pipelining: 1 });
  const fetcher = async (url: string, init: Parameters<Fetcher>[1] = {}) => {
    const result = await request(url, {
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      headers: init.headers,
      body: init.body,
      dispatcher: agent,
      headersTimeout: SUBGRAPH_TIMEOUT_MS,
      bodyTimeout: SUBGRAPH_TIMEOUT_MS,
      signal: init.signal,
    });
    const headers = new Headers();
    for (const [key, value] of Object.entries(result.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    return response(url, result.statusCode, headers, await result.body.text());
  };
  return Object.assign(fetcher as Fetcher, { close: () => agent.close() });
}
