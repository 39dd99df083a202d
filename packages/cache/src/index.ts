export type { Clock, KeyValueCache, RateLimitResult, RateLimiter, TokenBucketOptions } from './types.js';
export { systemClock } from './types.js';
export { MemoryKeyValueCache, MemoryRateLimiter } from './memory.js';
export type { MemoryKeyValueCacheOptions, MemoryRateLimiterOptions } from './memory.js';
export { RedisKeyValueCache, RedisRateLimiter, TOKEN_BUCKET_LUA } from './redis.js';
export type { RedisClient, RedisKeyValueCacheOptions, RedisRateLimiterOptions } from './redis.js';
export { createCacheBackends } from './factory.js';
export type { CacheBackends, CreateCacheBackendsOptions, RateLimiterPolicy } from './factory.js';
