import { GraphQLError } from 'graphql';
import { validateScopes } from '../src/domain/connection.js';

function rejection(fn: () => unknown): { message: string; code: unknown; field: unknown } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    const { message, extensions } = error as GraphQLError;
    return { message, code: extensions.code, field: extensions.field };
  }
  throw new Error('expected a BAD_USER_INPUT error');
}

describe('validateScopes', () => {
  it('trims, drops duplicates and keeps the order', () => {
    expect(validateScopes([' repo', 'read:user', 'repo '])).toEqual(['repo', 'read:user']);
    expect(validateScopes(['https://www.googleapis.com/auth/calendar.readonly'])).toEqual(['https://www.googleapis.com/auth/calendar.readonly']);
    expect(validateScopes([])).toEqual([]);
  });

  it('rejects empty scopes and scopes with spaces', () => {
    expect(rejection(() => validateScopes(['repo', '  ']))).toEqual({ message: 'scopes must not contain empty scopes.', code: 'BAD_USER_INPUT', field: 'scopes' });
    expect(rejection(() => validateScopes(['repo read:user']))).toEqual({
      message: 'scopes entries cannot contain spaces; pass "repo" and the others as separate list items.',
      code: 'BAD_USER_INPUT',
      field: 'scopes',
    });
  });

  it('allows 50 scopes of 200 characters and no more', () => {
    expect(validateScopes(Array.from({ length: 50 }, (_, i) => `scope-${i}`))).toHaveLength(50);
    expect(rejection(() => validateScopes(Array.from({ length: 51 }, (_, i) => `scope-${i}`))).message).toBe('scopes can list at most 50 scopes.');
    expect(validateScopes(['s'.repeat(200)])).toEqual(['s'.repeat(200)]);
    expect(rejection(() => validateScopes(['s'.repeat(201)])).message).toBe('Each of scopes can have at most 200 characters.');
  });
});
