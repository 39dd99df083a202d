/** Milliseconds since the epoch. Injectable so tests can move time by hand. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export interface RateLimitResult {
  /** Whether this call's cost was taken from the bucket. */
  allowed: boolean;
  /** Bucket capacity (the burst size). */
  limit: number;
  /** Whole tokens left after this call. */
  remaining: number;
  /** Seconds (rounded up) until the bucket is full again. */
  resetSeconds: number;
  /** Seconds (rounded up) until a call with the same cost would be allowed; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /**
   * Take `cost` tokens (default 1) from the bucket of `key`.
   * A cost of 0 only reports the state. A cost above the capacity throws a RangeError,
   * since such a call could never be allowed.
   */
  consume(key: string, cost?: number): Promise<RateLimitResult>;
}

export interface TokenBucketOptions {
  /** Maximum tokens in a bucket (burst). Positive. */
  capacity: number;
  /** Tokens added per second. Positive. */
  refillPerSecond: number;
}

export interface KeyValueCache {
  get(key: string): Promise<string | null>;
  /** Store `value`; with `ttlSeconds` (> 0) it expires after that many seconds. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
}
