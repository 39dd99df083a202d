/**
 * Focus-quality features, pure (no tfjs, no I/O).
 *
 * Session quality (0..100) is what the focus-window model predicts. From a session's observable
 * outcome it is
 *   quality = 100 * (0.5 * (rating - 1) / 4 + 0.3 * min(1, actual / planned) + 0.2 * max(0, 1 - interruptions / 4))
 * with a missing part left out and the weights of the others renormalised (so an unrated session
 * is judged on completion and interruptions alone).
 *
 * Hour of week: 0 = Monday 00:00-00:59 ... 167 = Sunday 23:00-23:59, in the user's time zone.
 */
import { wallClock } from '@flowforge/time';

export const HOURS_PER_WEEK = 168;
/** How many sessions' worth of weight the prior gets when shrinking a sparse mean towards it. */
export const SHRINKAGE = 3;
export const FEATURE_COUNT = 16;

export interface SessionOutcome {
  plannedMinutes: number;
  actualMinutes: number;
  rating: number | null;
  interruptions: number | null;
}

export function sessionQuality(outcome: SessionOutcome): number {
  const parts: [number, number][] = [];
  if (outcome.rating !== null) parts.push([0.5, (Math.min(5, Math.max(1, outcome.rating)) - 1) / 4]);
  if (outcome.plannedMinutes > 0) parts.push([0.3, Math.min(1, Math.max(0, outcome.actualMinutes / outcome.plannedMinutes))]);
  if (outcome.interruptions !== null) parts.push([0.2, Math.max(0, 1 - outcome.interruptions / 4)]);
  const weight = parts.reduce((sum, [w]) => sum + w, 0);
  if (weight === 0) return 50;
  return (100 * parts.reduce((sum, [w, v]) => sum + w * v, 0)) / weight;
}

/** 0..167 for the local wall clock of `instant` in `timeZone`. */
export function hourOfWeek(instant: Date, timeZone: string): number {
  const w = wallClock(instant.getTime(), timeZone);
  const weekday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7; // Monday = 0
  return weekday * 24 + w.hour;
}

/** One session as the models see it: who, when (hour of week, local) and how good it was. */
export interface QualityObservation {
  userId: string;
  hourOfWeek: number;
  quality: number;
}

/** Sums and counts of one user's observations, so a single observation can be left out cheaply. */
export interface UserStats {
  n: number;
  sum: number;
  cellSum: Float64Array; // 168
  cellCount: Float64Array;
  hourSum: Float64Array; // 24, pooled over weekdays
  hourCount: Float64Array;
  daySum: Float64Array; // 7
  dayCount: Float64Array;
}

export function emptyStats(): UserStats {
  return {
    n: 0, sum: 0,
    cellSum: new Float64Array(HOURS_PER_WEEK), cellCount: new Float64Array(HOURS_PER_WEEK),
    hourSum: new Float64Array(24), hourCount: new Float64Array(24),
    daySum: new Float64Array(7), dayCount: new Float64Array(7),
  };
}

/** Adds (sign 1) or removes (sign -1) one observation. */
export function addObservation(stats: UserStats, hour: number, quality: number, sign: 1 | -1 = 1): void {
  stats.n += sign;
  stats.sum += sign * quality;
  stats.cellSum[hour]! += sign * quality;
  stats.cellCount[hour]! += sign;
  stats.hourSum[hour % 24]! += sign * quality;
  stats.hourCount[hour % 24]! += sign;
  stats.daySum[Math.floor(hour / 24)]! += sign * quality;
  stats.dayCount[Math.floor(hour / 24)]! += sign;
}

export function statsByUser(observations: readonly QualityObservation[]): Map<string, UserStats> {
  const byUser = new Map<string, UserStats>();
  for (const o of observations) {
    let stats = byUser.get(o.userId);
    if (!stats) byUser.set(o.userId, (stats = emptyStats()));
    addObservation(stats, o.hourOfWeek, o.quality);
  }
  return byUser;
}

export function meanQuality(observations: readonly QualityObservation[], fallback = 50): number {
  return observations.length ? observations.reduce((sum, o) => sum + o.quality, 0) / observations.length : fallback;
}

const shrink = (sum: number, count: number, prior: number, k = SHRINKAGE) => (sum + k * prior) / (count + k);

/**
 * THE BASELINE (documented heuristic): the user's historical mean quality in that hour of the
 * week, shrunk towards the user's overall mean, which is itself shrunk towards the global mean:
 *   userMean = (sum_u + k * global) / (n_u + k);  cell = (sum_c + k * userMean) / (n_c + k),  k = 3.
 * With no history at all it answers the global mean.
 */
export function baselineQuality(stats: UserStats | undefined, hour: number, globalMean: number): number {
  if (!stats || stats.n <= 0) return globalMean;
  const userMean = shrink(stats.sum, stats.n, globalMean);
  return shrink(stats.cellSum[hour]!, stats.cellCount[hour]!, userMean);
}

/**
 * The dense model's 16 inputs for (user, hour of week), all roughly in 0..1: cyclic time of day and
 * weekday, weekend flag, the baseline itself, the user's means pooled by hour of day (exact and
 * +-1 h), by weekday, their additive combination, overall mean, history sizes, and the global mean.
 */
export function focusFeatures(stats: UserStats | undefined, hour: number, globalMean: number, out = new Float32Array(FEATURE_COUNT)): Float32Array {
  const s = stats ?? emptyStats();
  const hod = hour % 24;
  const day = Math.floor(hour / 24);
  const userMean = s.n > 0 ? shrink(s.sum, s.n, globalMean) : globalMean;
  const hourMean = shrink(s.hourSum[hod]!, s.hourCount[hod]!, userMean);
  const prev = (hod + 23) % 24;
  const next = (hod + 1) % 24;
  const nearSum = s.hourSum[prev]! + s.hourSum[hod]! + s.hourSum[next]!;
  const nearCount = s.hourCount[prev]! + s.hourCount[hod]! + s.hourCount[next]!;
  const nearMean = shrink(nearSum, nearCount, userMean);
  const dayMean = shrink(s.daySum[day]!, s.dayCount[day]!, userMean);
  const additive = hourMean + dayMean - userMean;
  const values = [
    Math.sin((2 * Math.PI * hod) / 24), Math.cos((2 * Math.PI * hod) / 24),
    Math.sin((2 * Math.PI * day) / 7), Math.cos((2 * Math.PI * day) / 7),
    day >= 5 ? 1 : 0,
    baselineQuality(s, hour, globalMean) / 100,
    Math.log1p(s.cellCount[hour]!) / 4,
    hourMean / 100,
    nearMean / 100,
    dayMean / 100,
    additive / 100,
    userMean / 100,
    Math.log1p(s.n) / 8,
    Math.log1p(s.hourCount[hod]!) / 5,
    Math.log1p(s.dayCount[day]!) / 6,
    globalMean / 100,
  ];
  out.set(values);
  return out;
}

/**
 * Training rows: each observation's features computed with that observation LEFT OUT of its
 * user's stats (otherwise the cell mean would contain the target and the model would learn to
 * trust it too much). Targets are quality / 100.
 */
export function trainingRows(observations: readonly QualityObservation[], globalMean: number): { x: Float32Array; y: Float32Array; rows: number } {
  const stats = statsByUser(observations);
  const x = new Float32Array(observations.length * FEATURE_COUNT);
  const y = new Float32Array(observations.length);
  const row = new Float32Array(FEATURE_COUNT);
  observations.forEach((o, i) => {
    const s = stats.get(o.userId)!;
    addObservation(s, o.hourOfWeek, o.quality, -1);
    x.set(focusFeatures(s, o.hourOfWeek, globalMean, row), i * FEATURE_COUNT);
    addObservation(s, o.hourOfWeek, o.quality, 1);
    y[i] = o.quality / 100;
  });
  return { x, y, rows: observations.length };
}

/** Feature rows for every hour of the week of one user (168 x 16). */
export function weekRows(stats: UserStats | undefined, globalMean: number): Float32Array {
  const x = new Float32Array(HOURS_PER_WEEK * FEATURE_COUNT);
  const row = new Float32Array(FEATURE_COUNT);
  for (let h = 0; h < HOURS_PER_WEEK; h++) x.set(focusFeatures(stats, h, globalMean, row), h * FEATURE_COUNT);
  return x;
}

export function baselineWeek(stats: UserStats | undefined, globalMean: number): number[] {
  return Array.from({ length: HOURS_PER_WEEK }, (_, h) => baselineQuality(stats, h, globalMean));
}
