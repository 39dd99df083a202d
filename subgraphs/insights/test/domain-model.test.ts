import { rejection } from '@flowforge/testing';
import { validateMetrics, validateRegisterModel } from '../src/domain/model.js';

describe('validateMetrics', () => {
  it('defaults to an empty object and passes objects through', () => {
    expect(validateMetrics(undefined)).toEqual({});
    expect(validateMetrics(null)).toEqual({});
    expect(validateMetrics({ accuracy: 0.93, confusion: [[1, 0], [0, 1]] })).toEqual({ accuracy: 0.93, confusion: [[1, 0], [0, 1]] });
  });

  it('rejects arrays and scalars', () => {
    for (const value of [[1, 2], 0.93, 'good', true]) {
      expect(rejection(() => validateMetrics(value))).toEqual({ message: 'performanceMetrics must be a JSON object such as {"accuracy": 0.93}.', code: 'BAD_USER_INPUT', field: 'performanceMetrics' });
    }
  });

  it('allows 16 KB of JSON and rejects more', () => {
    // {"notes":"..."} is 12 bytes around the string.
    expect(validateMetrics({ notes: 'a'.repeat(16 * 1024 - 12) })).toBeDefined();
    expect(rejection(() => validateMetrics({ notes: 'a'.repeat(16 * 1024 - 11) })).message).toBe('performanceMetrics can be at most 16 KB of JSON.');
  });
});

describe('validateRegisterModel', () => {
  it('trims the text fields', () => {
    expect(validateRegisterModel({ name: ' focus-forecast ', version: '1.0 ', modelType: ' forecast', performanceMetrics: { mae: 4.2 } })).toEqual({
      name: 'focus-forecast',
      version: '1.0',
      modelType: 'forecast',
      performanceMetrics: { mae: 4.2 },
    });
  });

  it('names the offending field', () => {
    expect(rejection(() => validateRegisterModel({ name: '', version: '1', modelType: 't' }))).toEqual({ message: 'name must not be empty.', code: 'BAD_USER_INPUT', field: 'name' });
    expect(rejection(() => validateRegisterModel({ name: 'm', version: 'v'.repeat(51), modelType: 't' }))).toEqual({ message: 'version can have at most 50 characters.', code: 'BAD_USER_INPUT', field: 'version' });
    expect(rejection(() => validateRegisterModel({ name: 'm', version: '1', modelType: ' ' })).field).toBe('modelType');
  });
});
