/**
 * Habit break forecasts and goal achievement predictions: DOCUMENTED STATISTICAL HEURISTICS over the
 * user's own projected events (no trained model).
 *
 * Habits. The check-in events carry no schedule, so the schedule is INFERRED: a weekday counts as
 * scheduled when the habit was checked in on at least 40% of those weekdays since its first check-in
 * (all weekdays when every day qualifies, e.g. a daily habit). For each upcoming scheduled day,
 * P(miss) = 1 - p, where p is that weekday's completion rate with recency weighting (weight 0.85^weeks
 * ago) and a Beta(1, 1) prior; a check-in below its target counts half. Baseline (documented for
 * comparison, also returned): the habit's overall completion rate over all scheduled days.
 *
 * Goals. Progress comes from goal.progress_changed events; target, start date and deadline from the
 * habits subgraph (via @requires). Pace = progress gained over the last 28 days / 28 (when the history
 * spans at least 7 days), else the straight-line pace since the start date (the BASELINE). Projected
 * date = today + remaining / pace. P(reach by deadline) = Phi((pace * daysLeft - remaining) / sd),
 * sd = max(daily-gain standard deviation, 10% of the pace, 0.01 * target / 30) * sqrt(daysLeft).
 */
import { addDays, dayNumber, isoWeekday } from '@flowforge/time';

export interface CheckInFact { habitId: string; date: string; completed: boolean }

export interface HabitOccurrenceForecast { date: string; weekday: number; missProbability: number }
export interface HabitForecast {
  habitId: string;
  scheduledWeekdays: number[];
  occurrences: HabitOccurrenceForecast[];
  baselineMissProbability: number;
  basedOnCheckIns: number;
  explanation: string;
}

const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function forecastHabit(habitId: string, checkIns: readonly CheckInFact[], today: string, days: number): HabitForecast {
  const list = [...checkIns].sort((a, b) => a.date.localeCompare(b.date));
  const first = list[0]?.date ?? today;
  const done = new Map(list.map((c) => [c.date, c.completed ? 1 : 0.5]));
  const perWeekday = new Map<number, { seen: number; hits: number; wSeen: number; wHits: number }>();
  for (let d = first; d < today; d = addDays(d, 1)) {
    const w = isoWeekday(d);
    const weeksAgo = Math.floor((dayNumber(today, 'today') - dayNumber(d, 'd')) / 7);
    const weight = 0.85 ** weeksAgo;
    const entry = perWeekday.get(w) ?? { seen: 0, hits: 0, wSeen: 0, wHits: 0 };
    const hit = done.get(d) ?? 0;
    entry.seen++;
    entry.hits += hit > 0 ? 1 : 0;
    entry.wSeen += weight;
    entry.wHits += weight * hit;
    perWeekday.set(w, entry);
  }
  let scheduled = [...perWeekday.entries()].filter(([, e]) => e.seen > 0 && e.hits / e.seen >= 0.4).map(([w]) => w).sort();
  if (scheduled.length === 0 && list.length > 0) scheduled = [...new Set(list.map((c) => isoWeekday(c.date)))].sort();
  const all = scheduled.map((w) => perWeekday.get(w)).filter((e): e is NonNullable<typeof e> => e !== undefined);
  const baselineP = (all.reduce((s, e) => s + e.hits, 0) + 1) / (all.reduce((s, e) => s + e.seen, 0) + 2);
  const occurrences: HabitOccurrenceForecast[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(today, i);
    const w = isoWeekday(date);
    if (!scheduled.includes(w)) continue;
    const e = perWeekday.get(w);
    const p = e ? (e.wHits + 1) / (e.wSeen + 2) : baselineP;
    occurrences.push({ date, weekday: w, missProbability: r3(1 - p) });
  }
  const worst = [...occurrences].sort((a, b) => b.missProbability - a.missProbability)[0];
  const explanation = list.length === 0
    ? 'No check-ins seen for this habit yet, so there is nothing to forecast.'
    : `Inferred schedule: ${scheduled.map((w) => DAY_NAMES[w]).join(', ')} (from ${list.length} check-ins since ${first}; the events carry no schedule). `
      + `${worst ? `Riskiest upcoming day: ${worst.date} (${DAY_NAMES[worst.weekday]}), ${Math.round(worst.missProbability * 100)}% chance of missing it, from your recent ${DAY_NAMES[worst.weekday]} record. ` : ''}`
      + `Overall you miss about ${Math.round((1 - baselineP) * 100)}% of scheduled days (the baseline).`;
  return { habitId, scheduledWeekdays: scheduled, occurrences, baselineMissProbability: r3(1 - baselineP), basedOnCheckIns: list.length, explanation };
}

export interface GoalInfo { id: string; title: string; target: number; startDate: string; deadline: string }
export interface ProgressPoint { date: string; value: number }
export interface GoalForecast {
  goalId: string;
  title: string;
  progress: number;
  target: number;
  deadline: string;
  probability: number;
  projectedDate: string | null;
  pacePerDay: number;
  baselinePacePerDay: number;
  onTrack: boolean;
  explanation: string;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

export function forecastGoal(goal: GoalInfo, history: readonly ProgressPoint[], today: string): GoalForecast {
  const points = [...history].sort((a, b) => a.date.localeCompare(b.date));
  const progress = points.at(-1)?.value ?? 0;
  const day = (d: string) => dayNumber(d, 'date');
  const sinceStart = Math.max(1, day(today) - day(goal.startDate));
  const baselinePace = progress / sinceStart;
  const windowStart = addDays(today, -28);
  const before = [...points].reverse().find((p) => p.date <= windowStart)?.value ?? (goal.startDate >= windowStart ? 0 : null);
  const span = points.length ? day(today) - day(points[0]!.date) : 0;
  const recentPace = before !== null && span >= 7 ? (progress - before) / Math.min(28, sinceStart) : null;
  const pace = Math.max(0, recentPace ?? baselinePace);
  // Daily gains over the last 28 days (0 on days without change) for the spread.
  const gains: number[] = [];
  let last = before ?? 0;
  for (let d = addDays(windowStart, 1); d <= today; d = addDays(d, 1)) {
    const v = [...points].reverse().find((p) => p.date <= d)?.value ?? last;
    gains.push(v - last);
    last = v;
  }
  const gm = gains.reduce((a, b) => a + b, 0) / gains.length;
  const sdDaily = Math.sqrt(gains.reduce((s, g) => s + (g - gm) ** 2, 0) / gains.length);
  const daysLeft = day(goal.deadline) - day(today);
  const remaining = goal.target - progress;
  let probability: number;
  if (remaining <= 0) probability = 1;
  else if (daysLeft <= 0) probability = 0;
  else {
    const sd = Math.max(sdDaily, 0.1 * pace, (0.01 * goal.target) / 30) * Math.sqrt(daysLeft);
    probability = normalCdf((pace * daysLeft - remaining) / sd);
  }
  const projectedDate = remaining <= 0 ? today : pace > 0 ? addDays(today, Math.ceil(remaining / pace)) : null;
  const onTrack = probability >= 0.5;
  const r = (v: number) => Math.round(v * 100) / 100;
  const explanation = remaining <= 0
    ? `"${goal.title}" is reached: ${r(progress)} of ${r(goal.target)}.`
    : `"${goal.title}": ${r(progress)} of ${r(goal.target)} with ${Math.max(0, daysLeft)} days left. At your ${recentPace !== null ? 'last-28-days' : 'since-start'} pace of ${r(pace)} a day `
      + `${projectedDate ? `you would reach it on ${projectedDate}` : 'you would not reach it'}; chance of reaching it by ${goal.deadline}: ${Math.round(probability * 100)}%. `
      + `(Baseline straight-line pace since ${goal.startDate}: ${r(baselinePace)} a day.)`;
  return { goalId: goal.id, title: goal.title, progress: r(progress), target: goal.target, deadline: goal.deadline, probability: r3(probability), projectedDate, pacePerDay: r(pace), baselinePacePerDay: r(baselinePace), onTrack, explanation };
}
