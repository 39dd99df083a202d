/** Free/busy: pure. */
import { addDays, localDate, MS_PER_DAY } from '@flowforge/time';
import { intersect, normalize, subtract, type Interval } from './intervals.js';
import type { WorkingMinutes } from './working-hours.js';
import { workingWindows } from './scheduler.js';

export interface FreeBusyResult {
  busy: Interval[];
  free: Interval[];
}

/** Busy = busy time plus everything outside working hours, merged and clipped to `range`; free = the rest. */
export function computeFreeBusy(range: Interval, busy: readonly Interval[], hours: WorkingMinutes, timeZone: string): FreeBusyResult {
  const first = addDays(localDate(new Date(range.start), timeZone), -1);
  const last = localDate(new Date(range.end + MS_PER_DAY), timeZone);
  const outside = subtract([range], workingWindows(first, last, hours, timeZone));
  const merged = intersect([range], normalize([...busy, ...outside]));
  return { busy: merged, free: subtract([range], merged) };
}
