/**
 * Habit break forecasts and goal achievement predictions: DOCUMENTED STATISTICAL HEURISTICS over the
 * user's own projected events (no trained model).
 *
 * Habits. The schedule comes from habit_schedule_facts (projected from the habit created / updated /
 * archived events and the schedule that checked_in events carry): the upcoming occurrences are exactly
 * the RRULE's local dates (@flowforge/schedule), and the history is the rule's past occurrences since
 * max(startDate, 12 weeks ago). For "N times a week, any days" habits the rule fixes the active weeks
 * and the days are inferred (below) within them. A habit WITHOUT a schedule fact (its events predate
 * the schedule) falls back to the INFERRED schedule: a weekday counts as scheduled when the habit was
 * checked in on at least 40% of those weekdays since its first check-in (all weekdays when every day
 * qualifies, e.g. a daily habit). The explanation says which was used. For each upcoming scheduled day,
 * P(miss) = 1 - p, where p is that weekday's completion rate over the past scheduled days with recency
 * weighting (weight 0.85^weeks ago) and a Beta(1, 1) prior; a check-in below its target counts half.
 * Baseline (documented for comparison, also returned): the habit's overall completion rate over all
 * past scheduled days.
 *
 * Goals. Progress comes from goal.progress_changed events; target, start date and deadline from the
 * habits subgraph (via @requires). Pace = progress gained over the last 28 days / 28 (when the history
 * spans at least 7 days), else the straight-line pace since the start date (the BASELINE). Projected
 * date = today + remaining / pace. P(reach by deadline) = Phi((pace * daysLeft - remaining) / sd),
 * sd = max(daily-gain standard deviation, 10% of the pace, 0.01 * target / 30) * sqrt(daysLeft).
 */
import { describeSchedule, occurrencesBetween, parseSchedule, periodsBetween, type HabitSchedule } from '@flowforge/schedule';
import { addDays, dayNumber, isoWeekday } from '@flowforge/time';

export interface CheckInFact { habitId: string; date: string; completed: boolean }
/** A habit's projected schedule (habit_schedule_facts). */
export interface ScheduleFact { rrule: string; timesPerWeek: number | null; startDate: string; timezone: string }

export interface HabitOccurrenceForecast { date: string; weekday: number; missProbability: number }
export interface HabitForecast {
  habitId: string;
  /** SCHEDULE: the habit's own schedule; INFERRED: guessed from check-ins (no schedule fact). */
  scheduleSource: 'SCHEDULE' | 'INFERRED';
  scheduledWeekdays: number[];
  occurrences: HabitOccurrenceForecast[];
  baselineMissProbability: number;
  basedOnCheckIns: number;
  explanation: string;
}

/** How far back the history goes (the service loads check-ins since then). */
export const HISTORY_DAYS = 84;
const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const r3 = (v: number) => Math.round(v * 1000) / 1000;

type WeekdayStats = Map<number, { seen: number; hits: number; wSeen: number; wHits: number }>;

/** Per ISO weekday: how many of `days` were due and checked in, plain and recency-weighted. */
function weekdayStats(days: Iterable<string>, done: ReadonlyMap<string, number>, today: string): WeekdayStats {
  const stats: WeekdayStats = new Map();
  for (const d of days) {
    const w = isoWeekday(d);
    const weight = 0.85 ** Math.floor((dayNumber(today, 'today') - dayNumber(d, 'd')) / 7);
    const entry = stats.get(w) ?? { seen: 0, hits: 0, wSeen: 0, wHits: 0 };
    const hit = done.get(d) ?? 0;
    entry.seen++;
    entry.hits += hit > 0 ? 1 : 0;
    entry.wSeen += weight;
    entry.wHits += weight * hit;
    stats.set(w, entry);
  }
  return stats;
}

/** Beta(1, 1)-smoothed completion rate over the given weekdays' entries. */
function baselineRate(stats: WeekdayStats, weekdays: readonly number[]): number {
  const all = weekdays.map((w) => stats.get(w)).filter((e): e is NonNullable<typeof e> => e !== undefined);
  return (all.reduce((s, e) => s + e.hits, 0) + 1) / (all.reduce((s, e) => s + e.seen, 0) + 2);
}

function forecastDates(dates: readonly string[], stats: WeekdayStats, baselineP: number): HabitOccurrenceForecast[] {
  return dates.map((date) => {
    const w = isoWeekday(date);
    const e = stats.get(w);
    return { date, weekday: w, missProbability: r3(1 - (e ? (e.wHits + 1) / (e.wSeen + 2) : baselineP)) };
  });
}

function riskiest(occurrences: readonly HabitOccurrenceForecast[]): string {
  const worst = [...occurrences].sort((a, b) => b.missProbability - a.missProbability)[0];
  return worst ? `Riskiest upcoming day: ${worst.date} (${DAY_NAMES[worst.weekday]}), ${Math.round(worst.missProbability * 100)}% chance of missing it, from your recent ${DAY_NAMES[worst.weekday]} record. ` : '';
}

/** The weekdays a habit seems to be done on, from its check-ins since the first one (see the file comment). */
function inferWeekdays(list: readonly CheckInFact[], done: ReadonlyMap<string, number>, today: string) {
  const first = list[0]?.date ?? today;
  const days: string[] = [];
  for (let d = first; d < today; d = addDays(d, 1)) days.push(d);
  const stats = weekdayStats(days, done, today);
  let weekdays = [...stats.entries()].filter(([, e]) => e.seen > 0 && e.hits / e.seen >= 0.4).map(([w]) => w).sort();
  if (weekdays.length === 0 && list.length > 0) weekdays = [...new Set(list.map((c) => isoWeekday(c.date)))].sort();
  return { first, stats, weekdays };
}

/**
 * Forecast of the next `days` local days from `today`: from the habit's schedule when `schedule` is
 * given (a fact exists), else from the inferred schedule.
 */
export function forecastHabit(habitId: string, checkIns: readonly CheckInFact[], today: string, days: number, schedule: ScheduleFact | null = null): HabitForecast {
  const list = [...checkIns].sort((a, b) => a.date.localeCompare(b.date));
  const done = new Map(list.map((c) => [c.date, c.completed ? 1 : 0.5]));
  const last = addDays(today, days - 1);
  if (schedule) return forecastFromSchedule(habitId, list, done, today, last, schedule);

  const { first, stats, weekdays } = inferWeekdays(list, done, today);
  const baselineP = baselineRate(stats, weekdays);
  const upcoming: string[] = [];
  for (let d = today; d <= last; d = addDays(d, 1)) if (weekdays.includes(isoWeekday(d))) upcoming.push(d);
  const occurrences = forecastDates(upcoming, stats, baselineP);
  const explanation = list.length === 0
    ? 'No check-ins seen for this habit yet, so there is nothing to forecast.'
    : `Inferred schedule: ${weekdays.map((w) => DAY_NAMES[w]).join(', ')} (from ${list.length} check-ins since ${first}; no schedule has been received for this habit, so it is guessed from the check-ins). `
      + riskiest(occurrences)
      + `Overall you miss about ${Math.round((1 - baselineP) * 100)}% of scheduled days (the baseline).`;
  return { habitId, scheduleSource: 'INFERRED', scheduledWeekdays: weekdays, occurrences, baselineMissProbability: r3(1 - baselineP), basedOnCheckIns: list.length, explanation };
}

function forecastFromSchedule(habitId: string, list: readonly CheckInFact[], done: ReadonlyMap<string, number>, today: string, last: string, fact: ScheduleFact): HabitForecast {
  const habit: HabitSchedule = { schedule: parseSchedule(fact.rrule), startDate: fact.startDate, timesPerWeek: fact.timesPerWeek };
  const historyFrom = [fact.startDate, addDays(today, -HISTORY_DAYS)].sort()[1]!;
  const yesterday = addDays(today, -1);
  const described = `${describeSchedule(habit)} (${fact.rrule}${fact.timesPerWeek !== null ? `, ${fact.timesPerWeek} times a week` : ''}, from ${fact.startDate}, time zone ${fact.timezone})`;
  let stats: WeekdayStats;
  let upcoming: string[];
  let weekdays: number[];
  let daysNote: string;
  if (habit.timesPerWeek === null) {
    stats = weekdayStats(occurrencesBetween(habit.schedule, habit.startDate, historyFrom, yesterday), done, today);
    upcoming = occurrencesBetween(habit.schedule, habit.startDate, today, last);
    // The weekdays it falls on over the next 4 weeks (or the whole window when longer).
    const horizon = [last, addDays(today, 27)].sort()[1]!;
    weekdays = [...new Set(occurrencesBetween(habit.schedule, habit.startDate, today, horizon).map(isoWeekday))].sort();
    daysNote = '';
  } else {
    // Any N days of each active week: which days is inferred from the check-ins, inside the active weeks.
    const inferred = inferWeekdays(list, done, today);
    const activeDays = (from: string, to: string) => {
      const out: string[] = [];
      for (const p of periodsBetween(habit, from, to)) for (let d = p.start; d <= p.end; d = addDays(d, 1)) if (d >= from && d <= to) out.push(d);
      return out;
    };
    weekdays = inferred.weekdays;
    stats = weekdayStats(activeDays(historyFrom, yesterday).filter((d) => weekdays.includes(isoWeekday(d))), done, today);
    upcoming = activeDays(today, last).filter((d) => weekdays.includes(isoWeekday(d)));
    daysNote = list.length === 0
      ? 'No check-ins yet, so the days you usually pick cannot be inferred. '
      : `The days you usually pick are inferred from your check-ins: ${weekdays.map((w) => DAY_NAMES[w]).join(', ')}. `;
  }
  const past = [...stats.values()].reduce((s, e) => s + e.seen, 0);
  const baselineP = baselineRate(stats, [...stats.keys()]);
  const occurrences = forecastDates(upcoming, stats, baselineP);
  const explanation = `Schedule from the habit: ${described}; ${upcoming.length} scheduled ${upcoming.length === 1 ? 'occurrence' : 'occurrences'} from ${today} to ${last}. ${daysNote}`
    + riskiest(occurrences)
    + (past === 0
      ? 'No past scheduled days to learn from yet, so each occurrence gets the 50% prior.'
      : `Overall you miss about ${Math.round((1 - baselineP) * 100)}% of your ${past} scheduled days since ${historyFrom} (the baseline).`);
  return { habitId, scheduleSource: 'SCHEDULE', scheduledWeekdays: weekdays, occurrences, baselineMissProbability: r3(1 - baselineP), basedOnCheckIns: list.length, explanation };
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
