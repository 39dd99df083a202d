import { msUntilFull, takeTokens, validateBucketOptions, validateCost } from './token-bucket.js';
import type { BucketState } from './token-bucket.js';
import { systemClock } from './types.js';
import type { Clock, KeyValueCache, RateLimitResult, RateLimiter, TokenBucketOptions } from './types.js';

export interface MemoryRateLimiterOptions extends TokenBucketOptions {
  /** Injectable clock (ms); defaults to Date.now. */
  now?: Clock;
  /** Most keys kept; beyond it the least recently used are dropped (default 100,000). */
  maxKeys?: number;
  /** How often idle keys are swept, ms of clock time (default 60,000). */
  sweepIntervalMs?: number;
}

/**
 * In-process token bucket per key. A key whose bucket has refilled completely is identical to a
 * key never seen, so such idle keys are evicted by a periodic sweep; `maxKeys` bounds memory.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly opts: TokenBucketOptions;
  private readonly now: Clock;
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private lastSweep: number;

  constructor(options: MemoryRateLimiterOptions) {
    validateBucketOptions(options);
    this.opts = { capacity: options.capacity, refillPerSecond: options.refillPerSecond };
    this.now = options.now ?? systemClock;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.lastSweep = this.now();
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  consume(key: string, cost = 1): Promise<RateLimitResult> {
    try {
      return Promise.resolve(this.consumeSync(key, cost));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  consumeSync(key: string, cost = 1): RateLimitResult {
    validateCost(cost, this.opts.capacity);
    const now = this.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);

    const prev = this.buckets.get(key);
    const { state, result } = takeTokens(prev, now, cost, this.opts);
    // delete + set keeps Map insertion order as least-recently-used first
    if (prev) this.buckets.delete(key);
    if (state.tokens < this.opts.capacity) {
      this.buckets.set(key, state);
      if (this.buckets.size > this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    }
    return result;
  }

  /** Drop every key whose bucket is full by now. */
  sweep(now: number = this.now()): void {
    this.lastSweep = now;
    for (const [key, state] of this.buckets) {
      if (now - state.updatedAt >= msUntilFull(state.tokens, this.opts)) this.buckets.delete(key);
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}

export interface MemoryKeyValueCacheOptions {
  now?: Clock;
  /** Most entries kept; beyond it the least recently written are dropped (default 10,000). */
  maxEntries?: number;
}

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export class MemoryKeyValueCache implements KeyValueCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: Clock;
  private readonly maxEntries: number;

  constructor(options: MemoryKeyValueCacheOptions = {}) {
    this.now = options.now ?? systemClock;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return Promise.resolve(null);
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return Promise.resolve(null);
    }
    return Promise.resolve(entry.value);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds !== undefined && !(ttlSeconds > 0 && Number.isFinite(ttlSeconds))) {
      return Promise.reject(new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`));
    }
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: ttlSeconds === undefined ? undefined : now + ttlSeconds * 1000 });
    if (this.entries.size > this.maxEntries) {
      for (const [k, e] of this.entries) {
        if (e.expiresAt !== undefined && e.expiresAt <= now) this.entries.delete(k);
      }
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done) break;
        this.entries.delete(oldest.value);
      }
    }
    return Promise.resolve();
  }

  del(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  clear(): void {
    this.entries.clear();
  }
}
