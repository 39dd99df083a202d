import { rejection } from '@flowforge/testing';
import { validateScopes } from '../src/domain/connection.js';

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
