import type { Cluster, Redis } from 'ioredis';
import { validateBucketOptions, validateCost } from './token-bucket.js';
import type { KeyValueCache, RateLimitResult, RateLimiter, TokenBucketOptions } from './types.js';

export type RedisClient = Redis | Cluster;

/**
 * Token bucket in one Lua script, so read-refill-take-write is atomic across every process that
 * shares the Redis. Time comes from the Redis server (TIME), not from the callers, so instances
 * with skewed clocks agree. A missing key means a full bucket; the key expires when its bucket
 * would be full again, so idle keys cost nothing.
 *
 * KEYS[1] bucket key; ARGV: capacity, refill tokens per second, cost.
 * Returns integers: allowed (0/1), remaining (whole tokens), ms until full, ms until retry.
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then
  tokens = capacity
elseif now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
local missing = capacity - tokens
local full_ms = 0
if missing > 0 then
  full_ms = math.ceil(missing * 1000 / rate)
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', now))
  redis.call('PEXPIRE', KEYS[1], full_ms + 1000)
else
  redis.call('DEL', KEYS[1])
end
local retry_ms = 0
if allowed == 0 then
  retry_ms = math.ceil((cost - tokens) * 1000 / rate)
end
return { allowed, math.floor(tokens), full_ms, retry_ms }
`;

const COMMAND = 'flowforgeTokenBucketV1';

type TokenBucketCommand = {
  [COMMAND](key: string, capacity: string, rate: string, cost: string): Promise<[number, number, number, number]>;
};

function withCommand(redis: RedisClient): TokenBucketCommand {
  // defineCommand sends EVALSHA and falls back to EVAL (loading the script) on NOSCRIPT.
  if (typeof (redis as unknown as Partial<TokenBucketCommand>)[COMMAND] !== 'function') {
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  }
  return redis as unknown as TokenBucketCommand;
}

export interface RedisRateLimiterOptions extends TokenBucketOptions {
  redis: RedisClient;
  /**
   * Key prefix (default "ff:rl:"). Give each policy (capacity/refill pair) its own prefix:
   * buckets of one key under two policies would otherwise share state.
   */
  prefix?: string;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly cmd: TokenBucketCommand;
  private readonly opts: TokenBucketOptions;
  private readonly prefix: string;
  private readonly capacityArg: string;
  private readonly rateArg: string;

  constructor(options: RedisRateLimiterOptions) {
    validateBucketOptions(options);
    this.opts = { capacity: options.capacity, refillPerSecond: options.refillPerSecond };
    this.prefix = options.prefix ?? 'ff:rl:';
    this.cmd = withCommand(options.redis);
    this.capacityArg = String(options.capacity);
    this.rateArg = String(options.refillPerSecond);
  }

  async consume(key: string, cost = 1): Promise<RateLimitResult> {
    validateCost(cost, this.opts.capacity);
    const [allowed, remaining, fullMs, retryMs] = await this.cmd[COMMAND](
      this.prefix + key,
      this.capacityArg,
      this.rateArg,
      String(cost),
    );
    return {
      allowed: allowed === 1,
      limit: this.opts.capacity,
      remaining: Math.max(0, remaining),
      resetSeconds: Math.ceil(fullMs / 1000),
      retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)),
    };
  }
}

export interface RedisKeyValueCacheOptions {
  redis: RedisClient;
  /** Key prefix (default "ff:kv:"). */
  prefix?: string;
}

export class RedisKeyValueCache implements KeyValueCache {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(options: RedisKeyValueCacheOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'ff:kv:';
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) {
      await this.redis.set(this.prefix + key, value);
      return;
    }
    if (!(ttlSeconds > 0 && Number.isFinite(ttlSeconds))) {
      throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
    }
    await this.redis.set(this.prefix + key, value, 'PX', Math.ceil(ttlSeconds * 1000));
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
