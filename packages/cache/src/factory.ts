import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { MemoryKeyValueCache, MemoryRateLimiter } from './memory.js';
import { RedisKeyValueCache, RedisRateLimiter } from './redis.js';
import type { KeyValueCache, RateLimiter, TokenBucketOptions } from './types.js';

export interface RateLimiterPolicy extends TokenBucketOptions {
  /** Policy name; becomes part of the Redis key prefix so policies never share buckets. */
  name: string;
}

export interface CacheBackends {
  kind: 'redis' | 'memory';
  /** The shared key/value cache. */
  cache: KeyValueCache;
  /** A token-bucket limiter for one policy. Same name twice returns the same limiter. */
  rateLimiter(policy: RateLimiterPolicy): RateLimiter;
  /** The Redis connection, when kind is 'redis'. */
  redis: Redis | undefined;
  /** Close the Redis connection (no-op for memory). */
  close(): Promise<void>;
}

export interface CreateCacheBackendsOptions {
  /** Prefix for every key this process writes to Redis (default "ff:"). */
  keyPrefix?: string;
  /** Extra ioredis options. */
  redisOptions?: RedisOptions;
  /** Called on Redis connection errors (default: a console warning at most every 30 s). */
  onRedisError?: (err: Error) => void;
}

function throttledWarning(): (err: Error) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < 30_000) return;
    last = now;
    console.warn(`[@flowforge/cache] redis error: ${err.message}`);
  };
}

/**
 * Redis-backed cache and rate limiters when REDIS_URL is set, in-memory ones otherwise
 * (in-memory limits are per process: fine for development and single-instance runs).
 */
export function createCacheBackends(
  env: Record<string, string | undefined> = process.env,
  options: CreateCacheBackendsOptions = {},
): CacheBackends {
  const url = env.REDIS_URL?.trim();
  const keyPrefix = options.keyPrefix ?? 'ff:';
  const limiters = new Map<string, { policy: RateLimiterPolicy; limiter: RateLimiter }>();

  const memo = (policy: RateLimiterPolicy, make: () => RateLimiter): RateLimiter => {
    const seen = limiters.get(policy.name);
    if (seen) {
      if (seen.policy.capacity !== policy.capacity || seen.policy.refillPerSecond !== policy.refillPerSecond) {
        throw new Error(`rate limiter policy "${policy.name}" already exists with different numbers`);
      }
      return seen.limiter;
    }
    const limiter = make();
    limiters.set(policy.name, { policy, limiter });
    return limiter;
  };

  if (!url) {
    return {
      kind: 'memory',
      cache: new MemoryKeyValueCache(),
      rateLimiter: (policy) => memo(policy, () => new MemoryRateLimiter(policy)),
      redis: undefined,
      close: () => Promise.resolve(),
    };
  }

  const redis = new Redis(url, { maxRetriesPerRequest: 3, ...options.redisOptions });
  // Without a listener ioredis reports connection errors as unhandled 'error' events.
  redis.on('error', options.onRedisError ?? throttledWarning());
  let closed = false;
  return {
    kind: 'redis',
    cache: new RedisKeyValueCache({ redis, prefix: `${keyPrefix}kv:` }),
    rateLimiter: (policy) =>
      memo(policy, () => new RedisRateLimiter({ ...policy, redis, prefix: `${keyPrefix}rl:${policy.name}:` })),
    redis,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
