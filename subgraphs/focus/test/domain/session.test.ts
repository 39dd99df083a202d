import { thrown } from '@flowforge/testing';
import {
  DomainError,
  actualFocusMinutes,
  assertCanEnd,
  assertCanPause,
  assertCanResume,
  validateInterruption,
  validateRating,
  validateStartInput,
  type PauseInterval,
  type SessionState,
} from '../../src/domain/session.js';

const at = (hhmmss: string): Date => new Date(`2026-03-10T${hhmmss}Z`);

const catchError = (fn: () => unknown): DomainError => thrown(fn, DomainError);

describe('actualFocusMinutes', () => {
  it('is the elapsed time when there were no pauses', () => {
    expect(actualFocusMinutes(at('09:00:00'), at('09:50:00'), [])).toBe(50);
  });

  it('subtracts closed pauses', () => {
    const pauses: PauseInterval[] = [
      { startedAt: at('09:10:00'), endedAt: at('09:15:00') },
      { startedAt: at('09:30:00'), endedAt: at('09:32:30') },
    ];
    // 50 - 5 - 2.5
    expect(actualFocusMinutes(at('09:00:00'), at('09:50:00'), pauses)).toBe(42.5);
  });

  it('counts an open pause until the session end', () => {
    const pauses: PauseInterval[] = [
      { startedAt: at('09:10:00'), endedAt: at('09:15:00') },
      { startedAt: at('09:40:00'), endedAt: null },
    ];
    // 50 - 5 - 10 (open pause 09:40 → 09:50)
    expect(actualFocusMinutes(at('09:00:00'), at('09:50:00'), pauses)).toBe(35);
  });

  it('rounds to 0.1 minute', () => {
    // 25 min 20 s = 25.333… min
    expect(actualFocusMinutes(at('09:00:00'), at('09:25:20'), [])).toBe(25.3);
    // 25 min 45 s = 25.75 min → 25.8
    expect(actualFocusMinutes(at('09:00:00'), at('09:25:45'), [])).toBe(25.8);
    // 10 min 2 s = 10.033… min → 10
    expect(actualFocusMinutes(at('09:00:00'), at('09:10:02'), [])).toBe(10);
  });

  it('clips pauses to the session and counts overlapping pauses once', () => {
    const pauses: PauseInterval[] = [
      { startedAt: at('08:00:00'), endedAt: at('08:30:00') }, // entirely before the session
      { startedAt: at('09:10:00'), endedAt: at('09:20:00') },
      { startedAt: at('09:15:00'), endedAt: at('09:25:00') }, // overlaps the previous one by 5 min
      { startedAt: at('09:45:00'), endedAt: at('10:30:00') }, // runs past the end: only 5 min count
    ];
    // paused: 09:10–09:25 (15) + 09:45–09:50 (5) = 20 → 50 - 20
    expect(actualFocusMinutes(at('09:00:00'), at('09:50:00'), pauses)).toBe(30);
  });

  it('is never negative', () => {
    expect(actualFocusMinutes(at('09:50:00'), at('09:00:00'), [])).toBe(0);
    expect(
      actualFocusMinutes(at('09:00:00'), at('09:50:00'), [{ startedAt: at('08:00:00'), endedAt: null }]),
    ).toBe(0);
  });

  it('rejects invalid dates', () => {
    const err = catchError(() => actualFocusMinutes(new Date('nope'), at('09:00:00'), []));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('startedAt must be a valid date.');
  });
});

describe('state transitions', () => {
  it('allows pause only from ACTIVE', () => {
    expect(() => assertCanPause('ACTIVE')).not.toThrow();

    const paused = catchError(() => assertCanPause('PAUSED'));
    expect(paused.code).toBe('CONFLICT');
    expect(paused.message).toBe('This session is already paused; resume it before pausing again.');

    const done = catchError(() => assertCanPause('COMPLETED'));
    expect(done.code).toBe('CONFLICT');
    expect(done.message).toBe('This session has already ended; start a new session to keep focusing.');
  });

  it('allows resume only from PAUSED', () => {
    expect(() => assertCanResume('PAUSED')).not.toThrow();

    const active = catchError(() => assertCanResume('ACTIVE'));
    expect(active.code).toBe('CONFLICT');
    expect(active.message).toBe('This session is not paused, so there is nothing to resume; pause it first.');

    const done = catchError(() => assertCanResume('COMPLETED'));
    expect(done.code).toBe('CONFLICT');
    expect(done.message).toBe('This session has already ended; start a new session to keep focusing.');
  });

  it('allows end from ACTIVE and PAUSED but not twice', () => {
    expect(() => assertCanEnd('ACTIVE')).not.toThrow();
    expect(() => assertCanEnd('PAUSED')).not.toThrow();

    const done = catchError(() => assertCanEnd('COMPLETED'));
    expect(done.code).toBe('CONFLICT');
    expect(done.message).toBe('This session has already ended; it cannot be ended twice.');
  });

  it('rejects unknown states', () => {
    const err = catchError(() => assertCanPause('RUNNING' as SessionState));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('Unknown session state "RUNNING"; expected ACTIVE, PAUSED or COMPLETED.');
  });

  it('DomainError is a real Error', () => {
    const err = new DomainError('CONFLICT', 'x');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DomainError');
    expect(err.code).toBe('CONFLICT');
  });
});

describe('validateStartInput', () => {
  it('accepts the boundaries and normalizes optional fields', () => {
    expect(validateStartInput({ plannedMinutes: 1 })).toEqual({ plannedMinutes: 1, category: null, notes: null });
    expect(validateStartInput({ plannedMinutes: 720, category: '  Deep work ', notes: 'n' })).toEqual({
      plannedMinutes: 720,
      category: 'Deep work',
      notes: 'n',
    });
    expect(validateStartInput({ plannedMinutes: 25, category: 'x'.repeat(40), notes: 'y'.repeat(5000) })).toEqual({
      plannedMinutes: 25,
      category: 'x'.repeat(40),
      notes: 'y'.repeat(5000),
    });
  });

  it.each([0, 721, 25.5, -5, Number.NaN])('rejects plannedMinutes = %p', (plannedMinutes) => {
    const err = catchError(() => validateStartInput({ plannedMinutes }));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe(
      `plannedMinutes must be a whole number between 1 and 720 (12 hours); got ${String(plannedMinutes)}.`,
    );
  });

  it('rejects a blank or too long category', () => {
    const blank = catchError(() => validateStartInput({ plannedMinutes: 25, category: '   ' }));
    expect(blank.code).toBe('BAD_USER_INPUT');
    expect(blank.message).toBe(
      "category must be between 1 and 40 characters after trimming spaces; got 0. Leave it out if you don't want a category.",
    );

    const long = catchError(() => validateStartInput({ plannedMinutes: 25, category: ` ${'c'.repeat(41)} ` }));
    expect(long.message).toBe(
      "category must be between 1 and 40 characters after trimming spaces; got 41. Leave it out if you don't want a category.",
    );
  });

  it('rejects notes over 5000 characters', () => {
    const err = catchError(() => validateStartInput({ plannedMinutes: 25, notes: 'n'.repeat(5001) }));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('notes must be at most 5000 characters; got 5001. Shorten them and try again.');
  });

  it('counts an emoji as one character', () => {
    expect(validateStartInput({ plannedMinutes: 25, category: '🎯'.repeat(40) }).category).toBe('🎯'.repeat(40));
  });
});

describe('validateRating', () => {
  it.each([1, 3, 5])('accepts %p', (r) => {
    expect(validateRating(r)).toBe(r);
  });

  it.each([0, 6, 4.5])('rejects %p', (r) => {
    const err = catchError(() => validateRating(r));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe(`rating must be a whole number from 1 to 5; got ${r}.`);
  });
});

describe('validateInterruption', () => {
  it('trims the reason', () => {
    expect(validateInterruption({ reason: '  Phone call  ' })).toEqual({ reason: 'Phone call' });
    expect(validateInterruption({ reason: 'r'.repeat(200) })).toEqual({ reason: 'r'.repeat(200) });
  });

  it('rejects a blank or too long reason', () => {
    const blank = catchError(() => validateInterruption({ reason: ' \n\t ' }));
    expect(blank.code).toBe('BAD_USER_INPUT');
    expect(blank.message).toBe('reason must be between 1 and 200 characters after trimming spaces; got 0.');

    const long = catchError(() => validateInterruption({ reason: 'r'.repeat(201) }));
    expect(long.message).toBe('reason must be between 1 and 200 characters after trimming spaces; got 201.');
  });
});
