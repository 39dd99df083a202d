import { rejection } from '@flowforge/testing';
import { validateCreateHabit, validateSchedule, validateTargetCount } from '../src/domain/habit.js';

describe('validateSchedule', () => {
  it('accepts rules starting with FREQ= or RRULE:FREQ= and trims them', () => {
    expect(validateSchedule('FREQ=DAILY')).toBe('FREQ=DAILY');
    expect(validateSchedule('  RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR ')).toBe('RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR');
    expect(validateSchedule('freq=monthly')).toBe('freq=monthly');
  });

  it('rejects anything else, naming the field', () => {
    expect(rejection(() => validateSchedule('DAILY'))).toEqual({
      message: 'schedule must be an RRULE starting with "FREQ=" or "RRULE:FREQ=", e.g. "FREQ=WEEKLY;BYDAY=MO,WE,FR".',
      code: 'BAD_USER_INPUT',
      field: 'schedule',
    });
    expect(rejection(() => validateSchedule('RRULE:BYDAY=MO')).field).toBe('schedule');
    expect(rejection(() => validateSchedule('   ')).message).toBe('schedule must not be empty; use an RRULE such as "FREQ=DAILY".');
  });

  it('allows 500 characters and rejects 501', () => {
    const rule = (length: number) => `FREQ=DAILY;X-PAD=${'a'.repeat(length - 'FREQ=DAILY;X-PAD='.length)}`;
    expect(validateSchedule(rule(500))).toHaveLength(500);
    expect(rejection(() => validateSchedule(rule(501))).message).toBe('schedule can have at most 500 characters.');
  });
});

describe('validateTargetCount', () => {
  it('defaults to 1 and accepts whole numbers from 1', () => {
    expect(validateTargetCount(undefined)).toBe(1);
    expect(validateTargetCount(null)).toBe(1);
    expect(validateTargetCount(1)).toBe(1);
    expect(validateTargetCount(8)).toBe(8);
  });

  it('rejects 0, negatives and fractions', () => {
    for (const value of [0, -3, 1.5]) {
      expect(rejection(() => validateTargetCount(value))).toEqual({ message: 'targetCount must be a whole number of at least 1.', code: 'BAD_USER_INPUT', field: 'targetCount' });
    }
  });
});

describe('validateCreateHabit', () => {
  it('returns the trimmed habit with its target count', () => {
    expect(validateCreateHabit({ title: '  Read 20 pages ', schedule: 'FREQ=DAILY' })).toEqual({ title: 'Read 20 pages', schedule: 'FREQ=DAILY', targetCount: 1 });
  });

  it('bounds the title to 1..120 characters', () => {
    expect(validateCreateHabit({ title: 'x'.repeat(120), schedule: 'FREQ=DAILY', targetCount: 2 }).title).toHaveLength(120);
    expect(rejection(() => validateCreateHabit({ title: 'x'.repeat(121), schedule: 'FREQ=DAILY' }))).toEqual({ message: 'title can have at most 120 characters.', code: 'BAD_USER_INPUT', field: 'title' });
    expect(rejection(() => validateCreateHabit({ title: ' ', schedule: 'FREQ=DAILY' })).message).toBe('title must not be empty.');
  });
});
