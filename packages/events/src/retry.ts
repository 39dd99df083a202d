/**
 * How often, and how patiently, a consumer's handler is retried before its event goes to the
 * dead-letter topic. The default rides out a database restart (about 1m45s of retries: 0.2 s, 0.8 s,
 * 3.2 s, 12.8 s, then 30 s), so a transient outage does not dead-letter good events; an event the
 * handler declares poison (PoisonEventError) is dead-lettered at once.
 *
 * Env: EVENT_HANDLER_MAX_ATTEMPTS (default 8), EVENT_HANDLER_RETRY_BASE_MS (200; the delay grows
 * 4x per attempt), EVENT_HANDLER_RETRY_MAX_MS (30000).
 */
export interface HandlerRetryPolicy {
  /** Handler attempts per event, the first included. */
  maxAttempts: number;
  /** Wait before attempt `attempt + 1`. */
  delayMs: (attempt: number) => number;
}

/** Thrown by a handler for an event it can never apply (malformed data): no retries, straight to the DLQ. */
export class PoisonEventError extends Error {
  override readonly name: string = 'PoisonEventError';
}

export const isPoisonEvent = (error: unknown): boolean => error instanceof PoisonEventError;

export const DEFAULT_HANDLER_RETRY = { maxAttempts: 8, baseMs: 200, maxMs: 30_000 } as const;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return value;
}

export function exponentialDelay(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 4 ** (attempt - 1));
}

/** The policy from env, with explicit options (tests, embedded tools) taking precedence. */
export function handlerRetryPolicy(env: NodeJS.ProcessEnv, explicit: Partial<HandlerRetryPolicy> = {}): HandlerRetryPolicy {
  const maxAttempts = explicit.maxAttempts ?? positiveInt(env, 'EVENT_HANDLER_MAX_ATTEMPTS', DEFAULT_HANDLER_RETRY.maxAttempts, 1);
  const baseMs = positiveInt(env, 'EVENT_HANDLER_RETRY_BASE_MS', DEFAULT_HANDLER_RETRY.baseMs, 0);
  const maxMs = positiveInt(env, 'EVENT_HANDLER_RETRY_MAX_MS', DEFAULT_HANDLER_RETRY.maxMs, 0);
  return { maxAttempts: Math.max(1, maxAttempts), delayMs: explicit.delayMs ?? exponentialDelay(baseMs, Math.max(baseMs, maxMs)) };
}
