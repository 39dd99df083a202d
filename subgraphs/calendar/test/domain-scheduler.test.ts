import fc from 'fast-check';
import { addDays, instantAtLocalTime, localDate, localMinutesOfDay, weekStart } from '@flowforge/time';
import { overlaps, type Interval } from '../src/domain/intervals.js';
import { scheduleFocusBlocks, type ExistingBlock, type ScheduleInput, type ScheduleResult } from '../src/domain/scheduler.js';
import { toWorkingMinutes, workingWindow } from '../src/domain/working-hours.js';

const MIN = 60_000;
const at = (date: string, clock: string, tz = 'UTC') => {
  const [h, m] = clock.split(':').map(Number);
  return instantAtLocalTime(date, h! * 60 + m!, tz).getTime();
};
const hours = toWorkingMinutes({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' });

function input(overrides: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    timeZone: 'UTC', workingHours: hours, from: '2026-11-30', to: '2026-12-06',
    weeklyTargetMinutes: 600, minBlockMinutes: 30, maxBlockMinutes: 120, preferredHours: [],
    busy: [], existing: [], now: Date.parse('2026-11-01T00:00:00Z'), ...overrides,
  };
}

/** All blocks after a run: kept + moved + created (ids for new ones are made up). */
function blocksAfter(result: ScheduleResult): ExistingBlock[] {
  return [
    ...result.kept.map((b) => ({ ...b, status: 'SCHEDULED' as const })),
    ...result.moved.map((b) => ({ ...b, status: 'SCHEDULED' as const })),
    ...result.created.map((b, i) => ({ id: `new-${String(i).padStart(4, '0')}-${b.start}`, ...b, status: 'SCHEDULED' as const })),
  ].sort((a, b) => a.start - b.start);
}

const minutesOf = (b: Interval) => (b.end - b.start) / MIN;
const fmt = (b: Interval, tz = 'UTC') => `${localDate(new Date(b.start), tz)} ${String(Math.floor(localMinutesOfDay(new Date(b.start), tz) / 60)).padStart(2, '0')}:${String(localMinutesOfDay(new Date(b.start), tz) % 60).padStart(2, '0')}+${minutesOf(b)}`;

describe('scheduleFocusBlocks', () => {
  it('balances the weekly target across working days, at the start of the day by default', () => {
    const result = scheduleFocusBlocks(input());
    expect(blocksAfter(result).map((b) => fmt(b))).toEqual([
      '2026-11-30 09:00+120', '2026-12-01 09:00+120', '2026-12-02 09:00+120', '2026-12-03 09:00+120', '2026-12-04 09:00+120',
    ]);
    expect(result.unplaced).toEqual([]);
  });

  it('prefers preferred hours and works around busy time', () => {
    const result = scheduleFocusBlocks(input({
      weeklyTargetMinutes: 180, preferredHours: [{ start: 13 * 60, end: 16 * 60 }],
      busy: [{ start: at('2026-11-30', '13:00'), end: at('2026-11-30', '14:00') }],
    }));
    // 180 over 5 days = 36 per day, blocks of at least 30: five 36-minute blocks... rounded to 5-minute shares (40).
    const blocks = blocksAfter(result);
    expect(blocks.reduce((s, b) => s + minutesOf(b), 0)).toBe(180);
    expect(fmt(blocks[0]!)).toBe('2026-11-30 14:00+40');
    for (const b of blocks.slice(1)) expect(localMinutesOfDay(new Date(b.start), 'UTC')).toBe(13 * 60);
  });

  it('never leaves a remainder shorter than a block when it can split differently', () => {
    const result = scheduleFocusBlocks(input({ from: '2026-11-30', to: '2026-11-30', weeklyTargetMinutes: 100, minBlockMinutes: 30, maxBlockMinutes: 90 }));
    expect(blocksAfter(result).map(minutesOf)).toEqual([70, 30]);
    expect(result.unplaced).toEqual([]);
  });

  it('says why minutes could not be placed', () => {
    const day = '2026-12-03';
    const busy = [{ start: at(day, '09:00'), end: at(day, '12:15') }, { start: at(day, '13:00'), end: at(day, '17:00') }];
    const result = scheduleFocusBlocks(input({ from: day, to: day, weeklyTargetMinutes: 120, busy }));
    expect(result.created.map((b) => fmt(b))).toEqual(['2026-12-03 12:15+45']);
    expect(result.unplaced).toEqual([{ weekStart: '2026-11-30', minutes: 75, reason: 'Could not place 75 minutes in the week of 2026-11-30: no free time in working hours on 2026-12-03.' }]);

    const weekend = scheduleFocusBlocks(input({ from: '2026-12-05', to: '2026-12-06', weeklyTargetMinutes: 60 }));
    expect(weekend.unplaced[0]!.reason).toBe('None of 2026-12-05..2026-12-06 (week of 2026-11-30) is a working day (your working days: Mon, Tue, Wed, Thu, Fri).');

    const fragmented = scheduleFocusBlocks(input({ from: day, to: day, weeklyTargetMinutes: 60, minBlockMinutes: 30, busy: [{ start: at(day, '09:20'), end: at(day, '16:45') }] }));
    expect(fragmented.unplaced[0]!.reason).toBe('Could not place 60 minutes in the week of 2026-11-30: only 35 free minutes in working hours on 2026-12-03 (longest free stretch 20 minutes; blocks need at least 30).');

    const past = scheduleFocusBlocks(input({ from: day, to: day, weeklyTargetMinutes: 60, now: Date.parse('2026-12-04T00:00:00Z') }));
    expect(past.unplaced[0]!.reason).toBe('The working hours of 2026-12-03 (week of 2026-11-30) are already over.');
  });

  it('keeps blocks that still fit and moves only the conflicting one (same id)', () => {
    const first = scheduleFocusBlocks(input());
    const existing = blocksAfter(first).map((b, i) => ({ ...b, id: `b${i}` }));
    const conflict = { start: at('2026-12-02', '09:30'), end: at('2026-12-02', '10:00') };
    const second = scheduleFocusBlocks(input({ existing, busy: [conflict] }));
    expect(second.kept.map((b) => b.id)).toEqual(['b0', 'b1', 'b3', 'b4']);
    expect(second.moved).toEqual([{ id: 'b2', start: at('2026-12-02', '10:00'), end: at('2026-12-02', '12:00') }]);
    expect(second.created).toEqual([]);
    expect(second.cancelled).toEqual([]);
  });

  it('counts STARTED and past blocks toward the target and never moves them', () => {
    const started: ExistingBlock = { id: 's', start: at('2026-11-30', '09:00'), end: at('2026-11-30', '11:00'), status: 'STARTED' };
    const result = scheduleFocusBlocks(input({ existing: [started], busy: [{ start: started.start, end: started.end }] }));
    expect(result.kept).toEqual([]);
    expect(result.created.reduce((s, b) => s + minutesOf(b), 0)).toBe(480);
  });

  it('keeps local working hours across DST (Europe/Berlin, 29 March 2026)', () => {
    const tz = 'Europe/Berlin';
    const result = scheduleFocusBlocks(input({ timeZone: tz, from: '2026-03-26', to: '2026-04-01', weeklyTargetMinutes: 1200, maxBlockMinutes: 240, now: Date.parse('2026-03-01T00:00:00Z') }));
    for (const block of blocksAfter(result)) {
      const start = localMinutesOfDay(new Date(block.start), tz);
      expect(start).toBeGreaterThanOrEqual(9 * 60);
      expect(start + minutesOf(block)).toBeLessThanOrEqual(17 * 60);
    }
    expect(blocksAfter(result).map((b) => fmt(b, tz))).toContain('2026-03-30 09:00+240');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
const START_DAYS = ['2026-03-23', '2026-03-26', '2026-10-22', '2026-11-30', '2026-12-28'];

const scenario = fc.record({
  tz: fc.constantFrom(...ZONES),
  from: fc.constantFrom(...START_DAYS),
  days: fc.integer({ min: 1, max: 16 }),
  workDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  workStart: fc.integer({ min: 0, max: 12 * 4 }).map((q) => q * 15),
  workLength: fc.integer({ min: 2, max: 12 * 4 }).map((q) => q * 15),
  target: fc.integer({ min: 1, max: 2400 }),
  minBlock: fc.integer({ min: 15, max: 120 }),
  extra: fc.integer({ min: 0, max: 180 }),
  preferred: fc.array(fc.record({ start: fc.integer({ min: 0, max: 22 * 4 }), len: fc.integer({ min: 1, max: 16 }) }), { maxLength: 3 }),
  events: fc.array(fc.record({ day: fc.integer({ min: -2, max: 20 }), minute: fc.integer({ min: 0, max: 24 * 4 - 1 }).map((q) => q * 15), length: fc.integer({ min: 1, max: 32 }).map((q) => q * 15) }), { maxLength: 25 }),
  nowOffsetHours: fc.integer({ min: -48, max: 72 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): ScheduleInput {
  const to = addDays(s.from, s.days - 1);
  const end = Math.min(24 * 60, s.workStart + s.workLength);
  return {
    timeZone: s.tz,
    workingHours: { days: new Set(s.workDays), start: s.workStart, end },
    from: s.from,
    to,
    weeklyTargetMinutes: s.target,
    minBlockMinutes: s.minBlock,
    maxBlockMinutes: Math.min(480, s.minBlock + s.extra),
    preferredHours: s.preferred.map((p) => ({ start: p.start * 15, end: Math.min(24 * 60, p.start * 15 + p.len * 15) })),
    busy: s.events.map((e) => {
      const start = instantAtLocalTime(addDays(s.from, e.day), e.minute, s.tz).getTime();
      return { start, end: start + e.length * MIN };
    }),
    existing: [],
    now: instantAtLocalTime(s.from, 0, s.tz).getTime() + s.nowOffsetHours * 3_600_000,
  };
}

function checkInvariants(s: ScheduleInput, result: ScheduleResult) {
  const blocks = blocksAfter(result);
  for (const [i, block] of blocks.entries()) {
    // Length within [min, max].
    expect(minutesOf(block)).toBeGreaterThanOrEqual(s.minBlockMinutes);
    expect(minutesOf(block)).toBeLessThanOrEqual(s.maxBlockMinutes);
    // Inside the working hours of its local day, within from..to, not in the past.
    const day = localDate(new Date(block.start), s.timeZone);
    expect(day >= s.from && day <= s.to).toBe(true);
    const window = workingWindow(day, s.workingHours, s.timeZone);
    expect(window).not.toBeNull();
    expect(block.start).toBeGreaterThanOrEqual(window!.start);
    expect(block.end).toBeLessThanOrEqual(window!.end);
    expect(block.start).toBeGreaterThanOrEqual(s.now);
    // Never over busy time or another block.
    for (const busy of s.busy) expect(overlaps(block, busy)).toBe(false);
    for (const other of blocks.slice(i + 1)) expect(overlaps(block, other)).toBe(false);
  }
  // At most the target per ISO week.
  const perWeek = new Map<string, number>();
  for (const block of blocks) {
    const week = weekStart(localDate(new Date(block.start), s.timeZone));
    perWeek.set(week, (perWeek.get(week) ?? 0) + minutesOf(block));
  }
  for (const total of perWeek.values()) expect(total).toBeLessThanOrEqual(s.weeklyTargetMinutes);
  // Unplaced minutes + placed minutes = target for every week of the range.
  const weeks = new Set(Array.from({ length: 40 }, (_, i) => addDays(s.from, i)).filter((d) => d <= s.to).map((d) => weekStart(d)));
  for (const week of weeks) {
    const unplaced = result.unplaced.filter((u) => u.weekStart === week).reduce((sum, u) => sum + u.minutes, 0);
    expect((perWeek.get(week) ?? 0) + unplaced).toBe(s.weeklyTargetMinutes);
  }
}

describe('scheduleFocusBlocks properties', () => {
  it('never overlaps busy time or other blocks, stays in working hours, in [min,max] and within the weekly target', () => {
    fc.assert(fc.property(scenario, (s) => {
      const req = build(s);
      checkInvariants(req, scheduleFocusBlocks(req));
    }), { numRuns: 100 });
  });

  it('is deterministic, and a re-run on its own output changes nothing', () => {
    fc.assert(fc.property(scenario, (s) => {
      const req = build(s);
      const first = scheduleFocusBlocks(req);
      expect(scheduleFocusBlocks(req)).toEqual(first);
      const existing = blocksAfter(first);
      const again = scheduleFocusBlocks({ ...req, existing });
      expect(again.kept.map((b) => b.id)).toEqual(existing.map((b) => b.id));
      expect(again.moved).toEqual([]);
      expect(again.created).toEqual([]);
      expect(again.cancelled).toEqual([]);
      expect(again.unplaced).toEqual(first.unplaced);
    }), { numRuns: 100 });
  });

  it('after adding an event, keeps every block it does not overlap and only moves conflicting ones', () => {
    const added = fc.record({ day: fc.integer({ min: 0, max: 15 }), minute: fc.integer({ min: 0, max: 95 }).map((q) => q * 15), length: fc.integer({ min: 1, max: 24 }).map((q) => q * 15) });
    fc.assert(fc.property(scenario, added, (s, e) => {
      const req = build(s);
      const existing = blocksAfter(scheduleFocusBlocks(req));
      const start = instantAtLocalTime(addDays(s.from, e.day), e.minute, s.tz).getTime();
      const event = { start, end: start + e.length * MIN };
      const next = { ...req, busy: [...req.busy, event], existing };
      const result = scheduleFocusBlocks(next);
      const unaffected = existing.filter((b) => !overlaps(b, event));
      const keptIds = result.kept.map((b) => b.id);
      for (const block of unaffected) expect(keptIds).toContain(block.id);
      for (const block of result.kept) expect(existing.find((b) => b.id === block.id)).toMatchObject({ start: block.start, end: block.end });
      // Only conflicting blocks were moved or cancelled.
      const changed = [...result.moved.map((b) => b.id), ...result.cancelled];
      for (const id of changed) expect(overlaps(existing.find((b) => b.id === id)!, event)).toBe(true);
      checkInvariants(next, result);
    }), { numRuns: 100 });
  });
});
