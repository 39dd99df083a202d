/**
 * Automatic focus-time scheduling: pure and deterministic (same input, same output). No I/O.
 *
 * Rules, in order:
 * 1. Fixed blocks never move: STARTED ones, ones that already began (start < now), and ones on days
 *    outside from..to. They occupy their time and count toward their ISO week's target.
 * 2. Every other SCHEDULED block (by start, then id) is KEPT when it still fits: inside the working
 *    hours of its local day, not before now, no overlap with busy time or blocks kept so far,
 *    length within [min, max], and its week still within the target. The rest are dropped.
 * 3. Per ISO week, the minutes still missing are placed into free time (working hours minus busy
 *    time, blocks and the past), one block at a time, on the working day with the fewest focus
 *    minutes so far (earliest on ties): a block is as long as the day's fair share (the week's
 *    minutes spread evenly over the days that have room), within [min, max], and never leaves a
 *    remainder shorter than min when that can be avoided. Within the day it goes where it overlaps
 *    preferred hours the most, earliest first.
 * 4. Dropped blocks take the new places in time order (moved: same id); the rest are cancelled,
 *    and new places beyond them are created. Whatever a week still misses is reported with why.
 */
import { addDays, localDate, weekStart } from '@flowforge/time';
import { normalize, overlapsAny, subtract, type Interval } from './intervals.js';
import { localDates, localWindow, workingWindow, type WorkingMinutes } from './working-hours.js';

const MINUTE = 60_000;
/** New blocks never start in the past: `now` is rounded up to this step. */
const NOW_STEP = 5 * MINUTE;

export interface ExistingBlock {
  id: string;
  start: number;
  end: number;
  status: 'SCHEDULED' | 'STARTED';
}

export interface ScheduleInput {
  timeZone: string;
  workingHours: WorkingMinutes;
  /** Local dates, inclusive. */
  from: string;
  to: string;
  weeklyTargetMinutes: number;
  minBlockMinutes: number;
  maxBlockMinutes: number;
  /** Minutes of the local day. */
  preferredHours: readonly { start: number; end: number }[];
  /** Busy time (expanded event occurrences), any order, may overlap. */
  busy: readonly Interval[];
  /** The user's SCHEDULED and STARTED blocks in the ISO weeks from..to touches. */
  existing: readonly ExistingBlock[];
  now: number;
}

export interface BlockChange {
  id: string;
  start: number;
  end: number;
}

export interface Unplaced {
  weekStart: string;
  minutes: number;
  reason: string;
}

export interface ScheduleResult {
  kept: BlockChange[];
  moved: BlockChange[];
  created: Interval[];
  cancelled: string[];
  unplaced: Unplaced[];
}

const minutes = (ms: number) => Math.round(ms / MINUTE);
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function longest(intervals: readonly Interval[]): number {
  return intervals.reduce((max, i) => Math.max(max, i.end - i.start), 0);
}

function overlapLength(a: Interval, list: readonly Interval[]): number {
  return list.reduce((sum, b) => sum + Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start)), 0);
}

/** Where a block of up to `length` ms goes in `free`: most overlap with `preferred`, then earliest. */
export function bestPlacement(free: readonly Interval[], length: number, minLength: number, preferred: readonly Interval[]): Interval | null {
  const len = Math.min(length, longest(free));
  if (len < minLength || len <= 0) return null;
  let best: { start: number; score: number } | null = null;
  for (const segment of free) {
    const latest = segment.end - len;
    if (latest < segment.start) continue;
    const clamp = (t: number) => Math.min(latest, Math.max(segment.start, t));
    const candidates = [segment.start, latest, ...preferred.flatMap((p) => [clamp(p.start), clamp(p.end - len)])];
    for (const start of candidates) {
      const score = overlapLength({ start, end: start + len }, preferred);
      if (!best || score > best.score || (score === best.score && start < best.start)) best = { start, score };
    }
  }
  return best && { start: best.start, end: best.start + len };
}

export function scheduleFocusBlocks(input: ScheduleInput): ScheduleResult {
  const { timeZone: tz, workingHours, from, to, now } = input;
  const target = input.weeklyTargetMinutes * MINUTE;
  const minLen = input.minBlockMinutes * MINUTE;
  const maxLen = input.maxBlockMinutes * MINUTE;
  const busy = normalize(input.busy);
  const days = localDates(from, to);
  const inRange = new Set(days);
  const windows = new Map(days.map((d) => [d, workingWindow(d, workingHours, tz)] as const));
  const dayOf = (t: number) => localDate(new Date(t), tz);
  const weekOf = (date: string) => weekStart(date);

  const occupied: Interval[] = [];
  const weekLoad = new Map<string, number>();
  const dayLoad = new Map<string, number>();
  const add = (block: Interval) => {
    occupied.push({ start: block.start, end: block.end });
    const day = dayOf(block.start);
    weekLoad.set(weekOf(day), (weekLoad.get(weekOf(day)) ?? 0) + block.end - block.start);
    dayLoad.set(day, (dayLoad.get(day) ?? 0) + block.end - block.start);
  };

  // 1. Fixed blocks.
  const sorted = [...input.existing].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const movable: ExistingBlock[] = [];
  for (const block of sorted) {
    if (block.status === 'SCHEDULED' && block.start >= now && inRange.has(dayOf(block.start))) movable.push(block);
    else add(block);
  }

  // 2. Keep what still fits.
  const kept: BlockChange[] = [];
  const dropped: ExistingBlock[] = [];
  for (const block of movable) {
    const day = dayOf(block.start);
    const window = windows.get(day);
    const length = block.end - block.start;
    const fits = window && block.start >= window.start && block.end <= window.end
      && length >= minLen && length <= maxLen
      && !overlapsAny(block, busy) && !overlapsAny(block, occupied)
      && (weekLoad.get(weekOf(day)) ?? 0) + length <= target;
    if (fits) {
      kept.push({ id: block.id, start: block.start, end: block.end });
      add(block);
    } else {
      dropped.push(block);
    }
  }

  // 3. Place the missing minutes, week by week.
  const earliest = Math.ceil(now / NOW_STEP) * NOW_STEP;
  const placed: Interval[] = [];
  const unplaced: Unplaced[] = [];
  const freeOn = (day: string): Interval[] => {
    const window = windows.get(day);
    if (!window) return [];
    return subtract([{ start: Math.max(window.start, earliest), end: window.end }], [...busy, ...occupied]);
  };
  const preferredOn = (day: string): Interval[] => normalize(input.preferredHours.map((p) => localWindow(day, p.start, p.end, tz)));

  const weeks = [...new Set(days.map(weekOf))];
  for (const week of weeks) {
    const workDays = days.filter((d) => weekOf(d) === week && windows.get(d));
    let remaining = target - (weekLoad.get(week) ?? 0);
    if (remaining <= 0) continue;
    const open = workDays.filter((d) => longest(freeOn(d)) >= minLen);
    const exhausted = new Set<string>();
    if (open.length > 0) {
      const share = (remaining + open.reduce((sum, d) => sum + (dayLoad.get(d) ?? 0), 0)) / open.length;
      const quota = Math.ceil(share / NOW_STEP) * NOW_STEP;
      while (remaining >= minLen) {
        const candidates = open.filter((d) => !exhausted.has(d));
        if (candidates.length === 0) break;
        const day = candidates.reduce((best, d) => ((dayLoad.get(d) ?? 0) < (dayLoad.get(best) ?? 0) ? d : best));
        let length = Math.min(maxLen, remaining, Math.max(minLen, quota - (dayLoad.get(day) ?? 0)));
        if (remaining - length > 0 && remaining - length < minLen && remaining - minLen >= minLen) length = Math.min(length, remaining - minLen);
        const block = bestPlacement(freeOn(day), length, minLen, preferredOn(day));
        if (!block) {
          exhausted.add(day);
          continue;
        }
        placed.push(block);
        add(block);
        remaining -= block.end - block.start;
      }
    }
    if (remaining > 0) unplaced.push({ weekStart: week, minutes: minutes(remaining), reason: whyUnplaced(week, workDays, remaining) });
  }

  function whyUnplaced(week: string, workDays: string[], remaining: number): string {
    const weekDays = Array.from({ length: 7 }, (_, i) => addDays(week, i)).filter((d) => inRange.has(d));
    if (workDays.length === 0) {
      const names = [...workingHours.days].sort().map((d) => DAY_NAMES[d - 1]).join(', ');
      return `None of ${weekDays[0]}..${weekDays.at(-1)} (week of ${week}) is a working day (your working days: ${names || 'none'}).`;
    }
    const upcoming = workDays.filter((d) => windows.get(d)!.end > earliest);
    if (upcoming.length === 0) return `The working hours of ${workDays.join(', ')} (week of ${week}) are already over.`;
    if (remaining < minLen) {
      return `${minutes(remaining)} minutes of the weekly target for the week of ${week} are fewer than minBlockMinutes (${input.minBlockMinutes}), so no block was placed for them.`;
    }
    const details = upcoming.map((d) => {
      const free = freeOn(d);
      const total = minutes(free.reduce((sum, i) => sum + i.end - i.start, 0));
      if (total === 0) return `no free time in working hours on ${d}`;
      const stretch = minutes(longest(free));
      return `only ${total} free minutes in working hours on ${d}${stretch < input.minBlockMinutes ? ` (longest free stretch ${stretch} minutes; blocks need at least ${input.minBlockMinutes})` : ''}`;
    });
    return `Could not place ${minutes(remaining)} minutes in the week of ${week}: ${details.join('; ')}.`;
  }

  // 4. Dropped blocks move to the new places (time order); the rest are cancelled or created.
  placed.sort((a, b) => a.start - b.start);
  const moved: BlockChange[] = [];
  const created: Interval[] = [];
  placed.forEach((block, i) => {
    const old = dropped[i];
    if (old) moved.push({ id: old.id, start: block.start, end: block.end });
    else created.push(block);
  });
  const cancelled = dropped.slice(placed.length).map((b) => b.id);
  return { kept, moved, created, cancelled, unplaced };
}

/** Working-hours windows of every local day in from..to, for checks and free/busy. */
export function workingWindows(from: string, to: string, hours: WorkingMinutes, timeZone: string): Interval[] {
  return localDates(from, to).flatMap((d) => {
    const w = workingWindow(d, hours, timeZone);
    return w ? [w] : [];
  });
}

