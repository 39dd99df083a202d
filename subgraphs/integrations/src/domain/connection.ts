/** Pure validation for provider connections: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput } from '@flowforge/runtime';

export const MAX_SCOPES = 50;
export const MAX_SCOPE_LENGTH = 200;

/**
 * OAuth scopes as the provider spells them ("repo", "https://www.googleapis.com/auth/calendar"):
 * trimmed, non-empty, no whitespace inside, at most 200 characters each and 50 in all; duplicates
 * are dropped, order is kept.
 */
export function validateScopes(scopes: readonly string[], field = 'scopes'): string[] {
  const unique = [...new Set(scopes.map((scope) => scope.trim()))];
  if (unique.length > MAX_SCOPES) throw badInput(`${field} can list at most ${MAX_SCOPES} scopes.`, field);
  for (const scope of unique) {
    if (scope.length === 0) throw badInput(`${field} must not contain empty scopes.`, field);
    if (scope.length > MAX_SCOPE_LENGTH) throw badInput(`Each of ${field} can have at most ${MAX_SCOPE_LENGTH} characters.`, field);
    if (/\s/.test(scope)) throw badInput(`${field} entries cannot contain spaces; pass "${scope.split(/\s+/)[0]}" and the others as separate list items.`, field);
  }
  return unique;
}
