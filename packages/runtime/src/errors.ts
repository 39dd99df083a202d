import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger.js';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';

/** Codes whose messages are written for the caller and safe to pass through unchanged. */
const PUBLIC_CODES = new Set<string>(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CONFLICT', 'RATE_LIMITED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

function fail(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (message: string, field?: string) => fail('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string) => fail('NOT_FOUND', message);
export const forbidden = (message: string) => fail('FORBIDDEN', message);
export const unauthenticated = (message = 'You need to sign in: send an access token as "Authorization: Bearer <token>".') => fail('UNAUTHENTICATED', message);
export const conflict = (message: string) => fail('CONFLICT', message);

export function isPublicError(error: GraphQLFormattedError): boolean {
  const code = error.extensions?.code;
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}

/**
 * Errors we raised on purpose pass through; anything else (a bug, a database fault) is logged
 * with its stack and reaches the caller only as a generic message with a reference id.
 */
export function maskError(formatted: GraphQLFormattedError, original: unknown, log: Logger): GraphQLFormattedError {
  const cause = original instanceof GraphQLError && original.originalError ? original.originalError : original;
  // Pure domain code throws plain Errors carrying a public `code` (e.g. DomainError): pass those through too.
  const { code: domainCode, field: domainField } = (cause as { code?: unknown; field?: unknown } | null) ?? {};
  if (cause instanceof Error && !(cause instanceof GraphQLError) && typeof domainCode === 'string' && PUBLIC_CODES.has(domainCode)) {
    return { message: cause.message, locations: formatted.locations, path: formatted.path, extensions: typeof domainField === 'string' ? { code: domainCode, field: domainField } : { code: domainCode } };
  }
  if (isPublicError(formatted)) {
    const { code, field } = formatted.extensions ?? {};
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: field === undefined ? { code } : { code, field } };
  }
  const reference = Math.random().toString(36).slice(2, 10);
  log({ level: 'error', msg: 'unexpected error', reference, error: cause instanceof Error ? cause.stack ?? cause.message : String(cause), path: formatted.path });
  return { message: `Something went wrong on our side; it has been logged (reference ${reference}).`, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', reference } };
}
