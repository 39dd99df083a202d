import type { Identity } from '@flowforge/auth';
import type { CacheBackends, RateLimiter } from '@flowforge/cache';
import { HttpProblem, type Logger } from '@flowforge/runtime';
import { positiveFromEnv } from './env.js';
import type { IncomingMessage } from 'node:http';

export interface RateLimitPolicies {
  /** Per signed-in user: burst and sustained requests per minute. */
  userBurst: number;
  userPerMinute: number;
  /** Per client address for anonymous requests (sign-up, log-in, public reads). */
  anonymousBurst: number;
  anonymousPerMinute: number;
}

export function rateLimitPolicies(env: NodeJS.ProcessEnv = process.env): RateLimitPolicies {
  const number = (name: string, fallback: number) => positiveFromEnv(env, name, fallback);
  return {
    userBurst: number('RATE_LIMIT_USER_BURST', 300),
    userPerMinute: number('RATE_LIMIT_USER_PER_MINUTE', 600),
    anonymousBurst: number('RATE_LIMIT_ANONYMOUS_BURST', 60),
    anonymousPerMinute: number('RATE_LIMIT_ANONYMOUS_PER_MINUTE', 60),
  };
}

/**
 * Token buckets per user (signed in) or per client address (anonymous), in Redis when REDIS_URL
 * is set so every gateway instance shares them. Over the limit: HTTP 429 with Retry-After and
 * RateLimit headers. If the limiter's store fails, requests go through and the failure is logged:
 * an outage of Redis must not take the API down with it.
 */
export class GatewayRateLimiter {
  private readonly users: RateLimiter;
  private readonly anonymous: RateLimiter;

  constructor(backends: CacheBackends, policies: RateLimitPolicies, private readonly log: Logger) {
    this.users = backends.rateLimiter({ name: 'gateway-user', capacity: policies.userBurst, refillPerSecond: policies.userPerMinute / 60 });
    this.anonymous = backends.rateLimiter({ name: 'gateway-anonymous', capacity: policies.anonymousBurst, refillPerSecond: policies.anonymousPerMinute / 60 });
  }

  async check(req: IncomingMessage, identity: Identity): Promise<void> {
    const [limiter, key] = identity.userId ? [this.users, `user:${identity.userId}`] : [this.anonymous, `ip:${req.socket.remoteAddress ?? 'unknown'}`];
    let result;
    try {
      result = await limiter.consume(key);
    } catch (error) {
      this.log({ level: 'warn', msg: 'rate limiter unavailable; request let through', error: (error as Error).message });
      return;
    }
    if (result.allowed) return;
    throw new HttpProblem(429, 'RATE_LIMITED', `Too many requests: the limit is ${result.limit} in a burst. Try again in ${result.retryAfterSeconds} s.`, {
      'retry-after': String(result.retryAfterSeconds),
      'ratelimit-limit': String(result.limit),
      'ratelimit-remaining': String(result.remaining),
      'ratelimit-reset': String(result.resetSeconds),
    });
  }
}
