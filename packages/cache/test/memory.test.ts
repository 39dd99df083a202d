import { MemoryKeyValueCache, MemoryRateLimiter, createCacheBackends } from '../src/index.js';

function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('MemoryRateLimiter', () => {
  it('allows `capacity` calls, then refuses with the time to the next token', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 3, refillPerSecond: 0.5, now: clock.now });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await rl.consume('u1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0]);
    expect(results[0]).toMatchObject({ limit: 3, retryAfterSeconds: 0, resetSeconds: 2 });
    expect(results[2]!.resetSeconds).toBe(6);

    const refused = await rl.consume('u1');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 6, retryAfterSeconds: 2 });

    clock.advance(1999);
    expect((await rl.consume('u1')).allowed).toBe(false);
    clock.advance(1);
    expect(await rl.consume('u1')).toMatchObject({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
  });

  it('refills over time up to the capacity, not beyond', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 5, refillPerSecond: 2, now: clock.now });
    for (let i = 0; i < 5; i++) expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);

    clock.advance(1000); // +2 tokens
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);

    clock.advance(60_000); // far more than needed: capped at capacity
    let allowed = 0;
    for (let i = 0; i < 10; i++) if ((await rl.consume('k')).allowed) allowed++;
    expect(allowed).toBe(5);
  });

  it('keeps keys independent', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 2, refillPerSecond: 1, now: clock.now });
    await rl.consume('a');
    await rl.consume('a');
    expect((await rl.consume('a')).allowed).toBe(false);
    expect(await rl.consume('b')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('charges a cost and reports the retry time for that cost', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 10, refillPerSecond: 0.25, now: clock.now });
    expect(await rl.consume('k', 9)).toMatchObject({ allowed: true, remaining: 1 });
    // 1 token left, 3 needed: 2 missing at 0.25/s = 8 s
    expect(await rl.consume('k', 3)).toMatchObject({ allowed: false, remaining: 1, retryAfterSeconds: 8 });
    expect(await rl.consume('k', 0)).toMatchObject({ allowed: true, remaining: 1 });
    await expect(rl.consume('k', 11)).rejects.toThrow(RangeError);
    await expect(rl.consume('k', -1)).rejects.toThrow(RangeError);
  });

  it('rejects invalid options', () => {
    expect(() => new MemoryRateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new MemoryRateLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });

  it('evicts keys whose bucket has refilled', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 2, refillPerSecond: 1, now: clock.now, sweepIntervalMs: 10_000 });
    for (let i = 0; i < 100; i++) await rl.consume(`user-${i}`);
    expect(rl.size).toBe(100);
    clock.advance(500);
    await rl.consume('fresh'); // sweep not due yet
    expect(rl.size).toBe(101);
    clock.advance(10_000);
    await rl.consume('late'); // sweep runs: every earlier bucket is full again
    expect(rl.size).toBe(1);
    // an evicted key behaves like a full bucket
    expect(await rl.consume('user-1')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('bounds the number of keys, dropping the least recently used', async () => {
    const clock = manualClock();
    const rl = new MemoryRateLimiter({ capacity: 1, refillPerSecond: 0.001, now: clock.now, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) await rl.consume(k);
    await rl.consume('a'); // touch a: b is now the oldest
    await rl.consume('d');
    expect(rl.size).toBe(3);
    expect((await rl.consume('b')).allowed).toBe(true); // b was dropped, so it is full again
    expect((await rl.consume('a')).allowed).toBe(false);
  });
});

describe('MemoryKeyValueCache', () => {
  it('gets, sets, deletes and expires', async () => {
    const clock = manualClock();
    const cache = new MemoryKeyValueCache({ now: clock.now });
    expect(await cache.get('x')).toBeNull();
    await cache.set('x', '1');
    await cache.set('y', '2', 5);
    expect(await cache.get('x')).toBe('1');
    expect(await cache.get('y')).toBe('2');
    clock.advance(4999);
    expect(await cache.get('y')).toBe('2');
    clock.advance(1);
    expect(await cache.get('y')).toBeNull();
    await cache.del('x');
    expect(await cache.get('x')).toBeNull();
    await expect(cache.set('z', 'v', 0)).rejects.toThrow(RangeError);
  });

  it('bounds its size', async () => {
    const cache = new MemoryKeyValueCache({ maxEntries: 2 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    expect(cache.size).toBe(2);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('c')).toBe('3');
  });
});

describe('createCacheBackends without REDIS_URL', () => {
  it('returns memory backends', async () => {
    const backends = createCacheBackends({});
    expect(backends.kind).toBe('memory');
    expect(backends.redis).toBeUndefined();
    const rl = backends.rateLimiter({ name: 'login', capacity: 1, refillPerSecond: 1 });
    expect(backends.rateLimiter({ name: 'login', capacity: 1, refillPerSecond: 1 })).toBe(rl);
    expect(() => backends.rateLimiter({ name: 'login', capacity: 2, refillPerSecond: 1 })).toThrow();
    expect((await rl.consume('ip')).allowed).toBe(true);
    expect((await rl.consume('ip')).allowed).toBe(false);
    await backends.cache.set('k', 'v');
    expect(await backends.cache.get('k')).toBe('v');
    await backends.close();
  });
});
