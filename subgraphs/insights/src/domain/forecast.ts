/** Turning a weekly quality profile (168 values) into what focusForecast returns. Pure. */
import { badInput } from '@flowforge/runtime';
import { hourOfWeek } from './focus-features.js';
import { topHours, WAKING_HOURS } from './evaluation.js';

export const MAX_FORECAST_DAYS = 31;
const HOUR_MS = 3_600_000;
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface HourForecast { start: Date; weekday: number; hour: number; quality: number; good: boolean }
export interface FocusWindow { weekday: number; startHour: number; endHour: number; averageQuality: number }

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Whole hours from `from` (rounded down) until `to`; at most 31 days. */
export function forecastHours(from: Date, to: Date): Date[] {
  if (!(to.getTime() > from.getTime())) throw badInput('to must be after from.', 'to');
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  if (to.getTime() - start > MAX_FORECAST_DAYS * 24 * HOUR_MS) throw badInput(`A forecast covers at most ${MAX_FORECAST_DAYS} days.`, 'to');
  const hours: Date[] = [];
  for (let t = start; t < to.getTime(); t += HOUR_MS) hours.push(new Date(t));
  return hours;
}

/** Good hours: the top quarter of waking hours, and only those above the waking-hours average (a flat week has none). */
export function goodHourSet(week: readonly number[]): Set<number> {
  const average = WAKING_HOURS.reduce((sum, h) => sum + week[h]!, 0) / WAKING_HOURS.length;
  return new Set([...topHours(week)].filter((h) => week[h]! > average + 0.5));
}

export function hourlyForecast(week: readonly number[], from: Date, to: Date, timeZone: string): HourForecast[] {
  const good = goodHourSet(week);
  return forecastHours(from, to).map((start) => {
    const how = hourOfWeek(start, timeZone);
    return { start, weekday: Math.floor(how / 24) + 1, hour: how % 24, quality: r1(week[how]!), good: good.has(how) };
  });
}

/** Runs of good hours per weekday, best average first. */
export function preferredWindows(week: readonly number[]): FocusWindow[] {
  const good = goodHourSet(week);
  const windows: FocusWindow[] = [];
  for (let day = 0; day < 7; day++) {
    let start = -1;
    for (let hour = 0; hour <= 24; hour++) {
      const isGood = hour < 24 && good.has(day * 24 + hour);
      if (isGood && start < 0) start = hour;
      if (!isGood && start >= 0) {
        const values = Array.from({ length: hour - start }, (_, i) => week[day * 24 + start + i]!);
        windows.push({ weekday: day + 1, startHour: start, endHour: hour, averageQuality: r1(values.reduce((a, b) => a + b, 0) / values.length) });
        start = -1;
      }
    }
  }
  return windows.sort((a, b) => b.averageQuality - a.averageQuality || a.weekday - b.weekday || a.startHour - b.startHour);
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
export const describeWindow = (w: FocusWindow) => `${DAYS[w.weekday - 1]} ${hh(w.startHour)}-${hh(w.endHour)}`;

export interface ExplanationInput {
  week: readonly number[];
  windows: readonly FocusWindow[];
  sessions: number;
  source: 'MODEL' | 'BASELINE';
  modelName: string;
  version: string | null;
  reason: string;
}

export function explainForecast(input: ExplanationInput): string {
  const waking = WAKING_HOURS.map((h) => input.week[h]!);
  const average = waking.reduce((a, b) => a + b, 0) / waking.length;
  const parts: string[] = [];
  if (input.sessions === 0) {
    parts.push(`You have no completed focus sessions in the last year yet, so every hour shows the organization's average (${Math.round(average)}/100); end a few sessions and this becomes personal.`);
  } else {
    const best = input.windows.slice(0, 3);
    parts.push(best.length
      ? `Your best focus is usually ${best.map((w) => `${describeWindow(w)} (${Math.round(w.averageQuality)}/100)`).join(', ')}, against an average of ${Math.round(average)}/100 over waking hours.`
      : `No hour stands out yet (average ${Math.round(average)}/100).`);
    const worst = [...WAKING_HOURS].sort((a, b) => input.week[a]! - input.week[b]!)[0]!;
    parts.push(`Your weakest time is ${DAYS[Math.floor(worst / 24)]} around ${hh(worst % 24)} (${Math.round(input.week[worst]!)}/100).`);
    parts.push(`Based on ${input.sessions} of your sessions (quality = self-rating, completion of the planned time and interruptions).`);
  }
  parts.push(input.source === 'MODEL'
    ? `Predicted by ${input.modelName} ${input.version}: ${input.reason}.`
    : `Computed by the baseline (your average per hour of the week, pulled towards your overall average where you have few sessions) because ${input.reason}.`);
  return parts.join(' ');
}
