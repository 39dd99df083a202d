import type { RateLimitResult, TokenBucketOptions } from './types.js';

export function validateBucketOptions(opts: TokenBucketOptions): void {
  const { capacity, refillPerSecond } = opts;
  if (!Number.isFinite(capacity) || capacity <= 0) {
    throw new RangeError(`token bucket capacity must be a positive number, got ${capacity}`);
  }
  if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
    throw new RangeError(`token bucket refillPerSecond must be a positive number, got ${refillPerSecond}`);
  }
}

export function validateCost(cost: number, capacity: number): void {
  if (!Number.isFinite(cost) || cost < 0) {
    throw new RangeError(`rate limit cost must be a non-negative number, got ${cost}`);
  }
  if (cost > capacity) {
    throw new RangeError(`rate limit cost ${cost} exceeds the bucket capacity ${capacity}`);
  }
}

export interface BucketState {
  tokens: number;
  /** Time of the last update, ms. */
  updatedAt: number;
}

/**
 * Pure token-bucket step shared by the memory implementation (and mirrored by the Lua script).
 * Returns the new state and the result; `state` undefined means a full bucket.
 */
export function takeTokens(
  state: BucketState | undefined,
  now: number,
  cost: number,
  opts: TokenBucketOptions,
): { state: BucketState; result: RateLimitResult } {
  const { capacity, refillPerSecond } = opts;
  let tokens = capacity;
  if (state) {
    const elapsedMs = Math.max(0, now - state.updatedAt);
    tokens = Math.min(capacity, state.tokens + (elapsedMs * refillPerSecond) / 1000);
  }
  const allowed = tokens >= cost;
  if (allowed) tokens -= cost;
  const missing = capacity - tokens;
  const result: RateLimitResult = {
    allowed,
    limit: capacity,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: missing > 0 ? Math.ceil(missing / refillPerSecond) : 0,
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / refillPerSecond)),
  };
  return { state: { tokens, updatedAt: now }, result };
}

/** Milliseconds until a bucket holding `tokens` is full again. */
export function msUntilFull(tokens: number, opts: TokenBucketOptions): number {
  const missing = opts.capacity - tokens;
  return missing > 0 ? Math.ceil((missing * 1000) / opts.refillPerSecond) : 0;
}
