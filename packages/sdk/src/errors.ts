/** One GraphQL error as the gateway sends it. */
export interface GraphQLErrorPayload {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The codes FlowForge uses (README "Codes"); other strings may appear (e.g. GRAPHQL_VALIDATION_FAILED). */
export type FlowForgeErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK_ERROR'
  | (string & {});

/**
 * A failed FlowForge call: the first GraphQL error's code (extensions.code), message, field (for
 * BAD_USER_INPUT) and reference (for INTERNAL_SERVER_ERROR: the id in the server log), with every
 * error and any partial data kept. NETWORK_ERROR when no GraphQL answer arrived at all.
 */
export class FlowForgeError extends Error {
  override readonly name = 'FlowForgeError';
  readonly code: FlowForgeErrorCode;
  /** extensions.reference: quote it to an operator, it is in the server log. */
  readonly reference: string | undefined;
  /** extensions.field: the input field a BAD_USER_INPUT is about. */
  readonly field: string | undefined;
  readonly path: readonly (string | number)[] | undefined;
  /** HTTP status of the response (401 for a bad or expired token, 429 when rate limited); 0 without a response. */
  readonly status: number;
  /** Seconds to wait before retrying, from Retry-After (RATE_LIMITED). */
  readonly retryAfterSeconds: number | undefined;
  readonly errors: readonly GraphQLErrorPayload[];
  /** Whatever data came back alongside the errors (partial results), or null. */
  readonly data: unknown;

  constructor(options: { errors: readonly GraphQLErrorPayload[]; status: number; data?: unknown; retryAfterSeconds?: number; cause?: unknown }) {
    const first = options.errors[0];
    super(first?.message ?? `FlowForge request failed (HTTP ${options.status}).`, options.cause === undefined ? undefined : { cause: options.cause });
    const extensions = first?.extensions ?? {};
    this.code = typeof extensions.code === 'string' ? extensions.code : options.status === 0 ? 'NETWORK_ERROR' : 'INTERNAL_SERVER_ERROR';
    this.reference = typeof extensions.reference === 'string' ? extensions.reference : undefined;
    this.field = typeof extensions.field === 'string' ? extensions.field : undefined;
    this.path = first?.path;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
    this.data = options.data ?? null;
  }
}

export function isFlowForgeError(error: unknown, code?: FlowForgeErrorCode): error is FlowForgeError {
  return error instanceof FlowForgeError && (code === undefined || error.code === code);
}
