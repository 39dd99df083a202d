/**
 * The one HTTP helper every connector uses (n8n's "one request helper per provider" pattern): adds
 * the bearer token, times out each attempt, retries what the connector maps to RETRY with exponential
 * backoff and full jitter (at most 7 attempts), honours Retry-After, and pages through cursors.
 * Errors carry the provider's status and reason but never the request's headers (tokens).
 */

/** What to do about a failed provider call (Twenty's taxonomy). */
export type ErrorAction = 'RETRY' | 'REAUTH' | 'FULL_RESYNC' | 'NOT_FOUND' | 'GIVE_UP';

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly action: ErrorAction,
    readonly status: number | null,
    readonly reason: string | null = null,
    readonly retryAfterMs: number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface RetryPolicy {
  /** Total attempts including the first (at most 7). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 7, baseDelayMs: 250, maxDelayMs: 30_000, timeoutMs: 15_000 };
export const MAX_ATTEMPTS = 7;

/** Retry-After as seconds or an HTTP date, in ms (null when absent or unparsable). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Full jitter: a random delay in [0, min(max, base * 2^attempt)), but never less than Retry-After. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, retryAfterMs: number | null, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === null ? jittered : Math.max(retryAfterMs, Math.min(jittered, policy.maxDelayMs));
}

export interface RequestOptions {
  method?: string;
  url: string | URL;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  /** JSON body (serialized), or a form body (URLSearchParams). */
  body?: unknown;
  accessToken?: string;
}

export interface ClientOptions {
  /** Maps a non-2xx response (its JSON body parsed when possible) to a ProviderError. */
  mapError: (status: number, body: unknown, headers: Headers) => ProviderError;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Called before every attempt (rate limits/quotas); may wait or throw. */
  beforeAttempt?: () => Promise<void>;
  /** Counts attempts (benchmarks and tests). */
  onAttempt?: (info: { url: string; attempt: number; status: number | 'timeout' | 'network' }) => void;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ProviderHttpClient {
  readonly policy: RetryPolicy;

  constructor(private readonly options: ClientOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    if (this.policy.maxAttempts > MAX_ATTEMPTS || this.policy.maxAttempts < 1) throw new Error(`maxAttempts must be 1..${MAX_ATTEMPTS}`);
  }

  /** One logical call: JSON in, JSON out (null for 204), retried per the policy. */
  async request<T>(options: RequestOptions): Promise<T> {
    const url = new URL(options.url);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    let body: string | undefined;
    if (options.body instanceof URLSearchParams) {
      body = options.body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    const doFetch = this.options.fetch ?? fetch;
    const wait = this.options.sleep ?? sleep;
    let last: ProviderError | undefined;
    for (let attempt = 0; attempt < this.policy.maxAttempts; attempt++) {
      if (attempt > 0) await wait(backoffDelay(attempt - 1, this.policy, last?.retryAfterMs ?? null));
      await this.options.beforeAttempt?.();
      let response: Response;
      try {
        response = await doFetch(url, { method: options.method ?? 'GET', headers, body, signal: AbortSignal.timeout(this.policy.timeoutMs) });
      } catch (error) {
        const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        this.options.onAttempt?.({ url: url.pathname, attempt, status: timeout ? 'timeout' : 'network' });
        last = new ProviderError(`${options.method ?? 'GET'} ${url.pathname}: ${timeout ? `no answer within ${this.policy.timeoutMs} ms` : `network error (${(error as Error).message})`}`, 'RETRY', null);
        continue;
      }
      this.options.onAttempt?.({ url: url.pathname, attempt, status: response.status });
      if (response.ok) {
        if (response.status === 204) return null as T;
        const text = await response.text();
        return (text ? JSON.parse(text) : null) as T;
      }
      const text = await response.text().catch(() => '');
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      const mapped = this.options.mapError(response.status, parsed, response.headers);
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      last = new ProviderError(`${options.method ?? 'GET'} ${url.pathname}: ${mapped.message}`, mapped.action, mapped.status, mapped.reason, retryAfterMs ?? mapped.retryAfterMs, parsed);
      if (last.action !== 'RETRY') throw last;
    }
    throw new ProviderError(`${last?.message ?? 'request failed'} (gave up after ${this.policy.maxAttempts} attempts)`, 'RETRY', last?.status ?? null, last?.reason ?? null, last?.retryAfterMs ?? null);
  }

  /** Pages through a cursor-paginated list: `next` reads the following cursor from each page (undefined: last page). */
  async *paginate<TPage>(first: RequestOptions, next: (page: TPage) => string | undefined, cursorParam: string): AsyncGenerator<TPage> {
    let cursor: string | undefined;
    do {
      const page: TPage = await this.request<TPage>({ ...first, query: { ...first.query, [cursorParam]: cursor } });
      yield page;
      cursor = next(page);
    } while (cursor);
  }
}
