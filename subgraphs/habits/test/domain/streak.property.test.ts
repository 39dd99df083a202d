/**
 * Property tests: streaks and completion rates against a brute-force oracle that walks day by day
 * with its own arithmetic (no rrule, no period code).
 */
import fc from 'fast-check';
import { dayNumber, formatDayNumber, isoWeekdayIndex } from '@flowforge/time';
import { completionRate, habitStreak } from '../../src/domain/progress.js';
import { parseSchedule } from '@flowforge/schedule';

const WD = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

type Spec =
  | { kind: 'daily'; interval: number }
  | { kind: 'weekly'; interval: number; days: number[] }
  | { kind: 'flexible'; n: number };

function ruleOf(spec: Spec): string {
  if (spec.kind === 'daily') return `FREQ=DAILY;INTERVAL=${spec.interval}`;
  if (spec.kind === 'weekly') return `FREQ=WEEKLY;INTERVAL=${spec.interval};BYDAY=${spec.days.map((d) => WD[d]).join(',')}`;
  return 'FREQ=WEEKLY';
}

/** Day-by-day simulation: for each day from the start to today, is it a scheduled day, and what does it do to the run? */
function oracle(spec: Spec, start: number, today: number, done: Set<number>, from: number, to: number) {
  const monday = (d: number) => d - isoWeekdayIndex(d);
  let run = 0;
  let longest = 0;
  let due = 0;
  let completed = 0;
  const countRate = (periodStart: number, ok: boolean, over: boolean) => {
    if (periodStart < from || periodStart > to || periodStart > today) return;
    if (ok) { due += 1; completed += 1; } else if (over) due += 1;
  };
  if (spec.kind === 'flexible') {
    let weekDone = 0;
    let periodStart = start;
    for (let d = start; d <= today; d += 1) {
      if (d !== start && isoWeekdayIndex(d) === 0) { weekDone = 0; periodStart = d; }
      if (done.has(d)) weekDone += 1;
      const periodEnd = monday(d) + 6;
      if (d === periodEnd || d === today) {
        const ok = weekDone >= Math.min(spec.n, periodEnd - periodStart + 1);
        const over = periodEnd < today;
        if (ok) { run += 1; longest = Math.max(longest, run); } else if (over) run = 0;
      }
    }
    // The rate looks at whole weeks starting in [from, to], which may end after today.
    for (let s = monday(start); s <= Math.min(to, today); s += 7) {
      const ps = Math.max(s, start);
      let c = 0;
      for (let d = ps; d <= s + 6; d += 1) if (done.has(d) && d <= today) c += 1;
      countRate(ps, c >= Math.min(spec.n, s + 6 - ps + 1), s + 6 < today);
    }
    return { current: run, longest, due, completed };
  }
  for (let d = start; d <= today; d += 1) {
    const scheduled = spec.kind === 'daily'
      ? (d - start) % spec.interval === 0
      : spec.days.includes(isoWeekdayIndex(d)) && ((monday(d) - monday(start)) / 7) % spec.interval === 0;
    if (!scheduled) continue;
    if (done.has(d)) { run += 1; longest = Math.max(longest, run); } else if (d < today) run = 0;
    countRate(d, done.has(d), d < today);
  }
  return { current: run, longest, due, completed };
}

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ kind: fc.constant('daily' as const), interval: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('weekly' as const), interval: fc.integer({ min: 1, max: 3 }), days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }).map((d) => d.sort()) }),
  fc.record({ kind: fc.constant('flexible' as const), n: fc.integer({ min: 1, max: 7 }) }),
);

const caseArb = fc.record({
  spec: specArb,
  start: fc.integer({ min: dayNumber('2024-01-01', 's'), max: dayNumber('2027-12-31', 's') }),
  length: fc.integer({ min: 0, max: 120 }),
  density: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 130, maxLength: 130 }),
  rangeA: fc.integer({ min: -5, max: 130 }),
  rangeB: fc.integer({ min: -5, max: 130 }),
});

describe('streaks and completion rates match a day-by-day oracle', () => {
  it('for daily, weekly (BYDAY, INTERVAL) and timesPerWeek schedules', () => {
    fc.assert(fc.property(caseArb, ({ spec, start, length, density, seed, rangeA, rangeB }) => {
      const today = start + length;
      const done = new Set<number>();
      // Check-ins on any day, including unscheduled ones and days before the start (which must not count).
      for (let i = -3; i <= length; i += 1) if ((seed[i + 3] ?? 1) < density) done.add(start + i);
      const habit = { schedule: parseSchedule(ruleOf(spec)), startDate: formatDayNumber(start), timesPerWeek: spec.kind === 'flexible' ? spec.n : null };
      const dates = new Set([...done].map(formatDayNumber));
      const from = start + Math.min(rangeA, rangeB);
      const to = start + Math.max(rangeA, rangeB);
      const expected = oracle(spec, start, today, done, from, to);
      expect(habitStreak(habit, dates, formatDayNumber(today))).toEqual({ current: expected.current, longest: expected.longest });
      const rate = completionRate(habit, dates, formatDayNumber(from), formatDayNumber(to), formatDayNumber(today));
      expect({ due: rate.due, completed: rate.completed }).toEqual({ due: expected.due, completed: expected.completed });
    }), { numRuns: 300 });
  });

  it('current <= longest, and checking in more never lowers either', () => {
    fc.assert(fc.property(caseArb, fc.integer({ min: 0, max: 120 }), ({ spec, start, length, density, seed }, extra) => {
      const today = start + length;
      const habit = { schedule: parseSchedule(ruleOf(spec)), startDate: formatDayNumber(start), timesPerWeek: spec.kind === 'flexible' ? spec.n : null };
      const dates = new Set<string>();
      for (let i = 0; i <= length; i += 1) if ((seed[i] ?? 1) < density) dates.add(formatDayNumber(start + i));
      const before = habitStreak(habit, dates, formatDayNumber(today));
      expect(before.current).toBeLessThanOrEqual(before.longest);
      const after = habitStreak(habit, new Set([...dates, formatDayNumber(start + Math.min(extra, length))]), formatDayNumber(today));
      expect(after.current).toBeGreaterThanOrEqual(before.current);
      expect(after.longest).toBeGreaterThanOrEqual(before.longest);
    }), { numRuns: 200 });
  });
});
