import { rejection } from '@flowforge/testing';
import { evaluateGoal, milestoneStates, validateCreateGoal, validateManualValue, validateUpdateGoal } from '../../src/domain/goal.js';
import { validateCreateHabit, validateUpdateHabit } from '../../src/domain/habit.js';

const TODAY = '2026-03-30'; // a Monday

describe('validateCreateHabit', () => {
  it('canonicalises the rule and fills defaults', () => {
    expect(validateCreateHabit({ title: ' Read ', schedule: 'rrule:freq=weekly;byday=mo,we,fr' }, TODAY)).toEqual({
      title: 'Read', schedule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR', timesPerWeek: null, targetType: 'COUNT', targetValue: 1, reminderTime: null, startDate: TODAY,
    });
    expect(validateCreateHabit({ title: 'Run', schedule: 'FREQ=WEEKLY', timesPerWeek: 3, targetType: 'MINUTES', targetValue: 30, reminderTime: '07:15', startDate: '2026-03-01' }, TODAY))
      .toMatchObject({ timesPerWeek: 3, targetType: 'MINUTES', targetValue: 30, reminderTime: '07:15', startDate: '2026-03-01' });
  });

  it.each([
    [{ targetValue: 0 }, 'targetValue must be a whole number between 1 and 1000 times per occurrence; got 0.', 'targetValue'],
    [{ targetType: 'MINUTES' as const }, 'targetValue is required for MINUTES habits: how many minutes per occurrence (1 to 1440).', 'targetValue'],
    [{ targetType: 'MINUTES' as const, targetValue: 1441 }, 'targetValue must be a whole number between 1 and 1440 minutes per occurrence; got 1441.', 'targetValue'],
    [{ reminderTime: '24:00' }, 'reminderTime must be a local time HH:MM between 00:00 and 23:59; got "24:00".', 'reminderTime'],
    [{ startDate: '2024-01-01' }, 'startDate can be at most 366 days in the past (2025-03-29 or later); got 2024-01-01.', 'startDate'],
    [{ startDate: '30.03.2026' }, 'startDate must be a calendar date in the form YYYY-MM-DD; got "30.03.2026".', 'startDate'],
    [{ title: '' }, 'title must not be empty.', 'title'],
  ])('rejects %j', (patch, message, field) => {
    expect(rejection(() => validateCreateHabit({ title: 'Read', schedule: 'FREQ=DAILY', ...patch }, TODAY))).toEqual({ message, code: 'BAD_USER_INPUT', field });
  });

  it('validates updates against the habit as it will be', () => {
    const current = { title: 'Run', schedule: 'FREQ=WEEKLY', timesPerWeek: 3, targetType: 'COUNT' as const, targetValue: 1, reminderTime: null };
    expect(rejection(() => validateUpdateHabit(current, { schedule: 'FREQ=DAILY' })).field).toBe('schedule');
    expect(validateUpdateHabit(current, { schedule: 'FREQ=DAILY', clearTimesPerWeek: true })).toEqual({ schedule: 'FREQ=DAILY', timesPerWeek: null });
    expect(validateUpdateHabit(current, { targetType: 'MINUTES', targetValue: 20 })).toEqual({ targetType: 'MINUTES', targetValue: 20 });
    expect(rejection(() => validateUpdateHabit(current, { targetType: 'MINUTES' })).field).toBe('targetValue');
  });
});

describe('goals', () => {
  const input = { title: 'Deep work', metric: 'FOCUS_MINUTES' as const, target: 300, deadline: '2026-04-05' };

  it('validates and fills defaults', () => {
    expect(validateCreateGoal(input, TODAY)).toEqual({ ...input, startDate: TODAY, milestones: [25, 50, 75], habitIds: [] });
    expect(validateCreateGoal({ ...input, milestones: [80, 10, 10] }, TODAY).milestones).toEqual([10, 80]);
  });

  it.each([
    [{ target: 0 }, 'target must be greater than 0 and at most 1000000000; got 0.', 'target'],
    [{ metric: 'FOCUS_SESSIONS' as const, target: 2.5 }, 'target must be a whole number for FOCUS_SESSIONS goals (they count sessions); got 2.5.', 'target'],
    [{ deadline: '2026-03-29' }, 'deadline (2026-03-29) must not be before startDate (2026-03-30).', 'deadline'],
    [{ startDate: '2026-03-01', deadline: '2026-03-29' }, 'deadline (2026-03-29) is in the past (today is 2026-03-30 in your time zone).', 'deadline'],
    [{ milestones: [100] }, 'milestones are percentages of the target strictly between 0 and 100 (the target itself is the 100% mark); got 100.', 'milestones'],
    [{ habitIds: ['00000000-0000-4000-8000-000000000000'] }, 'habitIds only apply to HABIT_COMPLETIONS goals; this goal\'s metric is FOCUS_MINUTES.', 'habitIds'],
  ])('rejects %j', (patch, message, field) => {
    expect(rejection(() => validateCreateGoal({ ...input, ...patch }, TODAY))).toEqual({ message, code: 'BAD_USER_INPUT', field });
  });

  it('lets a past deadline stay on update but not move before the start', () => {
    expect(validateUpdateGoal({ metric: 'MANUAL', startDate: '2026-03-01' }, { deadline: '2026-03-15' }, TODAY)).toEqual({ deadline: '2026-03-15' });
    expect(rejection(() => validateUpdateGoal({ metric: 'MANUAL', startDate: '2026-03-01' }, { deadline: '2026-02-01' }, TODAY)).field).toBe('deadline');
    expect(rejection(() => validateManualValue(-1)).message).toBe("value is the goal's new total progress: a number from 0 to 1000000000; got -1.");
  });

  it('is at risk more than 10 points behind the elapsed share, achieved at the target, missed after the deadline', () => {
    const week = { target: 300, startDate: '2026-03-30', deadline: '2026-04-05' }; // 7 days
    expect(evaluateGoal(week, 0, '2026-03-30')).toEqual({ status: 'ON_TRACK', progressShare: 0, elapsedShare: 0, expectedProgress: 0 });
    // Thursday: 3 of 7 days over (42.9%); 100/300 = 33.3% is 9.5 points behind: on track. 90 (30%) is 12.9 behind: at risk.
    expect(evaluateGoal(week, 100, '2026-04-02').status).toBe('ON_TRACK');
    expect(evaluateGoal(week, 90, '2026-04-02')).toMatchObject({ status: 'AT_RISK', elapsedShare: 0.4286, expectedProgress: 128.57 });
    expect(evaluateGoal(week, 300, '2026-04-02').status).toBe('ACHIEVED');
    expect(evaluateGoal(week, 299, '2026-04-06').status).toBe('MISSED');
    expect(evaluateGoal(week, 310, '2026-04-10').status).toBe('ACHIEVED');
  });

  it('marks milestones when progress last rose to them', () => {
    const t = (n: number) => new Date(Date.UTC(2026, 2, 30, n));
    const states = milestoneStates([25, 50, 75], 200, [{ value: 60, recordedAt: t(1) }, { value: 110, recordedAt: t(2) }, { value: 90, recordedAt: t(3) }, { value: 120, recordedAt: t(4) }]);
    expect(states).toEqual([
      { percent: 25, value: 50, reachedAt: t(1) },
      { percent: 50, value: 100, reachedAt: t(4) },
      { percent: 75, value: 150, reachedAt: null },
    ]);
  });
});
