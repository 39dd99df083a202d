import { addObservation, baselineQuality, emptyStats, hourOfWeek, sessionQuality, statsByUser, trainingRows, FEATURE_COUNT } from '../src/domain/focus-features.js';
import { detectAnomalies } from '../src/domain/anomaly.js';
import { parseGoal } from '../src/domain/goal-parser.js';
import { hourlyForecast, preferredWindows } from '../src/domain/forecast.js';
import { goodHourAccuracy } from '../src/domain/evaluation.js';
import { rejection } from '@flowforge/testing';

describe('focus features', () => {
  it('scores session quality from rating, completion and interruptions, renormalising missing parts', () => {
    expect(sessionQuality({ plannedMinutes: 50, actualMinutes: 50, rating: 5, interruptions: 0 })).toBe(100);
    expect(sessionQuality({ plannedMinutes: 50, actualMinutes: 25, rating: null, interruptions: null })).toBe(50);
    expect(sessionQuality({ plannedMinutes: 50, actualMinutes: 0, rating: 1, interruptions: 9 })).toBe(0);
  });

  it('computes the hour of the week in the user time zone (Monday 00:00 = 0)', () => {
    expect(hourOfWeek(new Date('2027-03-01T00:30:00Z'), 'UTC')).toBe(0);
    expect(hourOfWeek(new Date('2027-03-01T00:30:00Z'), 'Europe/Berlin')).toBe(1);
    expect(hourOfWeek(new Date('2027-03-01T00:30:00Z'), 'America/New_York')).toBe(6 * 24 + 19);
  });

  it('shrinks the baseline towards the user mean, and that towards the global mean', () => {
    expect(baselineQuality(undefined, 10, 50)).toBe(50);
    const stats = emptyStats();
    addObservation(stats, 10, 90);
    // userMean = (90 + 3*50)/4 = 60; cell = (90 + 3*60)/4 = 67.5
    expect(baselineQuality(stats, 10, 50)).toBe(67.5);
    expect(baselineQuality(stats, 11, 50)).toBe(60);
  });

  it('leaves each training row out of its own user statistics', () => {
    const { x, y } = trainingRows([{ userId: 'u', hourOfWeek: 10, quality: 90 }], 50);
    expect(x).toHaveLength(FEATURE_COUNT);
    expect(x[5]).toBeCloseTo(0.5); // the baseline feature without the row itself = the global mean
    expect(y[0]).toBeCloseTo(0.9);
    expect(statsByUser([{ userId: 'u', hourOfWeek: 10, quality: 90 }]).get('u')!.n).toBe(1);
  });
});

describe('forecast shaping', () => {
  const week = Array.from({ length: 168 }, (_, h) => (h % 24 >= 9 && h % 24 < 12 && h < 120 ? 80 : 40));

  it('marks good hours and builds windows per weekday', () => {
    expect(preferredWindows(week).slice(0, 2)).toEqual([{ weekday: 1, startHour: 9, endHour: 12, averageQuality: 80 }, { weekday: 2, startHour: 9, endHour: 12, averageQuality: 80 }]);
    const hours = hourlyForecast(week, new Date('2027-03-01T08:00:00Z'), new Date('2027-03-01T12:00:00Z'), 'UTC');
    expect(hours.map((h) => [h.hour, h.good])).toEqual([[8, false], [9, true], [10, true], [11, true]]);
    expect(goodHourAccuracy(week, week)).toBe(1);
  });

  it('rejects empty and too long ranges', () => {
    expect(rejection(() => hourlyForecast(week, new Date('2027-03-02T00:00:00Z'), new Date('2027-03-01T00:00:00Z'), 'UTC'))).toEqual({ message: 'to must be after from.', code: 'BAD_USER_INPUT', field: 'to' });
    expect(rejection(() => hourlyForecast(week, new Date('2027-03-01T00:00:00Z'), new Date('2027-04-02T00:00:00Z'), 'UTC')).message).toBe('A forecast covers at most 31 days.');
  });
});

describe('detectAnomalies', () => {
  const days = Array.from({ length: 70 }, (_, i) => ({ date: new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10), minutes: 100 + ((i * 7) % 30) }));

  it('flags days far from the user own normal, in both directions, with the reason', () => {
    days[60] = { ...days[60]!, minutes: 420 };
    days[65] = { ...days[65]!, minutes: 0 };
    const found = detectAnomalies(days, '2027-02-15', '2027-03-11');
    expect(found.map((a) => [a.date, a.direction])).toEqual([['2027-03-02', 'HIGH'], ['2027-03-07', 'LOW']]);
    expect(found[0]!.reason).toMatch(/^420 focus minutes against your usual 11\d \(median of the 56 days before; typical spread \d+ min\): far more than normal/);
  });

  it('needs two weeks of history before judging a day', () => {
    expect(detectAnomalies([{ date: '2027-01-01', minutes: 0 }, { date: '2027-01-02', minutes: 900 }], '2027-01-01', '2027-01-02')).toEqual([]);
  });
});

describe('parseGoal', () => {
  it('parses the example from the issue and marks every part', () => {
    const draft = parseGoal('meditate 10 minutes every weekday morning until June', '2026-11-27');
    expect(draft).toMatchObject({
      title: 'Meditate', schedule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270601', reminderTime: '08:00',
      target: { amount: 10, unit: 'minutes', per: 'occurrence' }, deadline: '2027-06-01', understood: true,
    });
    expect(draft.parts.map((p) => [p.kind, p.text])).toEqual([['DEADLINE', 'until June'], ['FREQUENCY', 'every weekday'], ['TIME_OF_DAY', 'morning'], ['TARGET', '10 minutes']]);
  });

  it('handles counts per week, named days, clock times and relative deadlines', () => {
    expect(parseGoal('run 5 km 3 times a week for 8 weeks', '2026-11-27')).toMatchObject({ title: 'Run', schedule: 'FREQ=WEEKLY;UNTIL=20270122', timesPerWeek: 3, target: { amount: 5, unit: 'km' }, deadline: '2027-01-22' });
    expect(parseGoal('go to the gym every Monday and Thursday at 7pm', '2026-11-27')).toMatchObject({ title: 'Go to the gym', schedule: 'FREQ=WEEKLY;BYDAY=MO,TH', reminderTime: '19:00', target: null });
    expect(parseGoal('read twenty pages daily by the end of March 2027', '2026-11-27')).toMatchObject({ title: 'Read', schedule: 'FREQ=DAILY;UNTIL=20270331', target: { amount: 20, unit: 'pages' }, deadline: '2027-03-31' });
  });

  it('says when it understood nothing', () => {
    expect(parseGoal('call mom', '2026-11-27')).toMatchObject({ title: 'Call mom', schedule: null, understood: false, explanation: expect.stringContaining('Nothing recognised') });
  });
});
