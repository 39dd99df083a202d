import { Redis } from 'ioredis';
import { describeWithService } from '@flowforge/testing';
import { RedisKeyValueCache, RedisRateLimiter, createCacheBackends } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithService('REDIS_URL', 'Redis cache backends', (url) => {
  const prefix = `ff:test:${process.pid}:${Date.now().toString(36)}:`;
  let redis: Redis;
  const extra: Redis[] = [];

  beforeAll(async () => {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
    await redis.connect();
    await redis.ping();
  });

  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await Promise.all(extra.map((r) => r.quit()));
  });

  it('allows capacity, then refuses with retryAfter; keys are independent', async () => {
    const rl = new RedisRateLimiter({ redis, capacity: 3, refillPerSecond: 1, prefix: `${prefix}rl1:` });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await rl.consume('u1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0]);
    expect(results[0]).toMatchObject({ limit: 3, retryAfterSeconds: 0, resetSeconds: 1 });

    const refused = await rl.consume('u1');
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 1 });
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(2);
    expect(refused.resetSeconds).toBeLessThanOrEqual(3);

    expect(await rl.consume('u2')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('reports the retry time for a cost', async () => {
    const rl = new RedisRateLimiter({ redis, capacity: 10, refillPerSecond: 0.25, prefix: `${prefix}rl2:` });
    expect(await rl.consume('k', 9)).toMatchObject({ allowed: true, remaining: 1 });
    // about 1 token left, 3 needed: about 2 missing at 0.25/s = 8 s
    expect(await rl.consume('k', 3)).toMatchObject({ allowed: false, remaining: 1, retryAfterSeconds: 8 });
    await expect(rl.consume('k', 11)).rejects.toThrow(RangeError);
  });

  it('refills over real time', async () => {
    const rl = new RedisRateLimiter({ redis, capacity: 2, refillPerSecond: 10, prefix: `${prefix}rl3:` });
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);
    await sleep(150); // 10/s: at least one token back
    expect((await rl.consume('k')).allowed).toBe(true);
    await sleep(400); // capped at capacity 2
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);
  });

  it('sets a TTL on bucket keys and drops full buckets', async () => {
    const p = `${prefix}rl4:`;
    const rl = new RedisRateLimiter({ redis, capacity: 5, refillPerSecond: 1, prefix: p });
    await rl.consume('k', 2);
    const ttl = await redis.pttl(`${p}k`);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(3000);
    await rl.consume('fresh', 0);
    expect(await redis.exists(`${p}fresh`)).toBe(0);
  });

  it('allows exactly capacity out of 50 parallel consumes (atomic script)', async () => {
    for (let i = 0; i < 4; i++) {
      const r = new Redis(url, { maxRetriesPerRequest: 1 });
      extra.push(r);
    }
    const clients = [redis, ...extra];
    const limiters = clients.map(
      (r) => new RedisRateLimiter({ redis: r, capacity: 10, refillPerSecond: 0.001, prefix: `${prefix}rl5:` }),
    );
    // force the NOSCRIPT -> EVAL fallback path on a fresh script cache as well
    await redis.script('FLUSH');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => limiters[i % limiters.length]!.consume('hot')),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSeconds > 0)).toBe(true);
  });

  it('RedisKeyValueCache gets, sets with TTL and deletes', async () => {
    const cache = new RedisKeyValueCache({ redis, prefix: `${prefix}kv:` });
    expect(await cache.get('x')).toBeNull();
    await cache.set('x', 'hello');
    await cache.set('y', 'short', 0.2);
    expect(await cache.get('x')).toBe('hello');
    expect(await cache.get('y')).toBe('short');
    await sleep(300);
    expect(await cache.get('y')).toBeNull();
    await cache.del('x');
    expect(await cache.get('x')).toBeNull();
  });

  it('createCacheBackends uses Redis when REDIS_URL is set', async () => {
    const backends = createCacheBackends({ REDIS_URL: url }, { keyPrefix: `${prefix}f:` });
    try {
      expect(backends.kind).toBe('redis');
      const rl = backends.rateLimiter({ name: 'login', capacity: 1, refillPerSecond: 0.01 });
      expect((await rl.consume('ip')).allowed).toBe(true);
      expect((await rl.consume('ip')).allowed).toBe(false);
      expect(await redis.exists(`${prefix}f:rl:login:ip`)).toBe(1);
      await backends.cache.set('k', 'v', 10);
      expect(await redis.get(`${prefix}f:kv:k`)).toBe('v');
    } finally {
      await backends.close();
    }
  });
});
