/**
 * Burnout risk: a DOCUMENTED HEURISTIC (not a trained model; no labelled burnout data exists here).
 * Window: the last 28 days ("recent") against the 56 days before ("your baseline"). Each signal adds
 * up to its weight in points; the score (0..100) is their sum. A signal without data adds nothing
 * and says so (the score is not rescaled).
 *   - weekly focus hours vs own baseline (25): clamp((ratio - 1.1) / 0.5); without a baseline
 *     (< 1 h/week), clamp((hours - 30) / 20) on the absolute weekly hours.
 *   - late work (20): share of recent focus minutes starting at or after 20:00 (or before 06:00)
 *     local time, clamp(share / 0.3).
 *   - weekend work (15): share of recent minutes on Saturday/Sunday, clamp((share - 0.05) / 0.25).
 *   - falling ratings (15): baseline mean rating - recent mean rating, clamp(drop / 1.0); needs 3
 *     rated sessions in each window.
 *   - fewer breaks (10): pauses per focus hour, recent vs baseline (from session.paused events),
 *     clamp((1 - recent / baseline) / 0.6); needs pauses seen in the baseline.
 *   - negative note sentiment (15): mean sentiment (-1..1) of recent session notes, clamp((0.1 - mean) / 0.6);
 *     needs 2 notes.
 * Level: LOW < 25 <= MODERATE < 50 <= HIGH. Trend: the same score 28 days earlier; RISING when the
 * score rose by 5 points or more, FALLING when it fell by 5 or more, STABLE otherwise, UNKNOWN
 * without sessions in that earlier window.
 */
import { localDate, isoWeekday, localMinutesOfDay } from '@flowforge/time';

export interface BurnoutSession {
  sessionId: string;
  startedAt: Date;
  actualMinutes: number;
  rating: number | null;
  /** Sentiment of the session's notes (-1..1), when it had notes. */
  sentiment: number | null;
  /** Pauses seen for the session (null: no session.paused/resumed tracking for it). */
  pauses: number | null;
}

export interface BurnoutSignal {
  name: string;
  /** The recent value (null when unavailable). */
  value: number | null;
  /** Your baseline value for comparison (null when there is none). */
  baseline: number | null;
  unit: string;
  /** Points this signal adds to the score. */
  points: number;
  weight: number;
  explanation: string;
}

export interface BurnoutResult {
  score: number;
  level: 'LOW' | 'MODERATE' | 'HIGH';
  trend: 'RISING' | 'FALLING' | 'STABLE' | 'UNKNOWN';
  previousScore: number | null;
  signals: BurnoutSignal[];
  recentSessions: number;
  explanation: string;
}

const DAY = 86_400_000;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

export const levelOf = (score: number): BurnoutResult['level'] => (score >= 50 ? 'HIGH' : score >= 25 ? 'MODERATE' : 'LOW');

function signals(sessions: readonly BurnoutSession[], now: number, timeZone: string): { signals: BurnoutSignal[]; score: number; recent: number } {
  const recent = sessions.filter((s) => s.startedAt.getTime() >= now - 28 * DAY && s.startedAt.getTime() < now);
  const base = sessions.filter((s) => s.startedAt.getTime() >= now - 84 * DAY && s.startedAt.getTime() < now - 28 * DAY);
  const minutes = (list: readonly BurnoutSession[]) => list.reduce((sum, s) => sum + s.actualMinutes, 0);
  const out: BurnoutSignal[] = [];
  const add = (s: Omit<BurnoutSignal, 'points'>, fraction: number | null) => out.push({ ...s, points: fraction === null ? 0 : r1(fraction * s.weight) });

  // 1. Weekly focus hours vs own baseline (the baseline counts weeks since the first session in it).
  const recentWeekly = minutes(recent) / 60 / 4;
  const firstBase = base[0]?.startedAt.getTime();
  const baseWeeks = firstBase === undefined ? 0 : Math.max(1, (now - 28 * DAY - firstBase) / (7 * DAY));
  const baseWeekly = baseWeeks ? minutes(base) / 60 / baseWeeks : null;
  const relative = baseWeekly !== null && baseWeekly >= 1;
  const hoursFraction = relative ? clamp01((recentWeekly / baseWeekly! - 1.1) / 0.5) : clamp01((recentWeekly - 30) / 20);
  add({ name: 'WEEKLY_FOCUS_HOURS', value: r1(recentWeekly), baseline: baseWeekly === null ? null : r1(baseWeekly), unit: 'hours per week', weight: 25,
    explanation: relative
      ? `${r1(recentWeekly)} focus hours a week over the last 4 weeks vs ${r1(baseWeekly!)} before (${Math.round((recentWeekly / baseWeekly! - 1) * 100)}%).`
      : `${r1(recentWeekly)} focus hours a week over the last 4 weeks; no baseline yet, so compared with 30 hours.` }, hoursFraction);

  // 2. Late work, 3. weekend work (shares of recent minutes).
  const total = minutes(recent);
  const lateShare = (list: readonly BurnoutSession[]) => {
    const all = minutes(list);
    return all ? minutes(list.filter((s) => { const m = localMinutesOfDay(s.startedAt, timeZone); return m >= 20 * 60 || m < 6 * 60; })) / all : null;
  };
  const weekendShare = (list: readonly BurnoutSession[]) => {
    const all = minutes(list);
    return all ? minutes(list.filter((s) => isoWeekday(localDate(s.startedAt, timeZone)) >= 6)) / all : null;
  };
  const late = lateShare(recent);
  const lateBase = lateShare(base);
  add({ name: 'LATE_WORK', value: late === null ? null : r2(late), baseline: lateBase === null ? null : r2(lateBase), unit: 'share of focus minutes after 20:00', weight: 20,
    explanation: late === null ? 'No focus sessions in the last 4 weeks.' : `${Math.round(late * 100)}% of your recent focus time started after 20:00 (or before 06:00)${lateBase === null ? '' : ` vs ${Math.round(lateBase * 100)}% before`}.` },
  late === null ? null : clamp01(late / 0.3));
  const weekend = weekendShare(recent);
  const weekendBase = weekendShare(base);
  add({ name: 'WEEKEND_WORK', value: weekend === null ? null : r2(weekend), baseline: weekendBase === null ? null : r2(weekendBase), unit: 'share of focus minutes on weekends', weight: 15,
    explanation: weekend === null ? 'No focus sessions in the last 4 weeks.' : `${Math.round(weekend * 100)}% of your recent focus time was on weekends${weekendBase === null ? '' : ` vs ${Math.round(weekendBase * 100)}% before`}.` },
  weekend === null ? null : clamp01((weekend - 0.05) / 0.25));

  // 4. Falling ratings.
  const ratings = (list: readonly BurnoutSession[]) => list.filter((s) => s.rating !== null).map((s) => s.rating!);
  const rr = ratings(recent);
  const rb = ratings(base);
  const ratingOk = rr.length >= 3 && rb.length >= 3;
  const rm = mean(rr);
  const bm = mean(rb);
  add({ name: 'FALLING_RATINGS', value: rm === null ? null : r2(rm), baseline: bm === null ? null : r2(bm), unit: 'mean session rating (1-5)', weight: 15,
    explanation: ratingOk ? `Your sessions averaged ${r2(rm!)} stars recently vs ${r2(bm!)} before.` : 'Not enough rated sessions to compare (3 in each window).' },
  ratingOk ? clamp01((bm! - rm!) / 1.0) : null);

  // 5. Fewer breaks: pauses per focus hour.
  const pauseRate = (list: readonly BurnoutSession[]) => {
    const tracked = list.filter((s) => s.pauses !== null);
    const hours = minutes(tracked) / 60;
    return tracked.length >= 3 && hours > 0 ? tracked.reduce((sum, s) => sum + s.pauses!, 0) / hours : null;
  };
  const pr = pauseRate(recent);
  const pb = pauseRate(base);
  const pausesOk = pr !== null && pb !== null && pb > 0;
  add({ name: 'FEWER_BREAKS', value: pr === null ? null : r2(pr), baseline: pb === null ? null : r2(pb), unit: 'pauses per focus hour', weight: 10,
    explanation: pausesOk ? `You paused ${r2(pr!)} times per focus hour recently vs ${r2(pb!)} before.` : 'Not enough paused/resumed sessions to compare breaks.' },
  pausesOk ? clamp01((1 - pr! / pb!) / 0.6) : null);

  // 6. Negative note sentiment.
  const sentiments = recent.filter((s) => s.sentiment !== null).map((s) => s.sentiment!);
  const sm = sentiments.length >= 2 ? mean(sentiments) : null;
  const sb = mean(base.filter((s) => s.sentiment !== null).map((s) => s.sentiment!));
  add({ name: 'NEGATIVE_NOTE_SENTIMENT', value: sm === null ? null : r2(sm), baseline: sb === null ? null : r2(sb), unit: 'mean note sentiment (-1..1)', weight: 15,
    explanation: sm === null ? 'Fewer than 2 recent sessions have notes, so note sentiment is not used.' : `Your ${sentiments.length} recent session notes average ${r2(sm)} in sentiment (-1 negative .. 1 positive).` },
  sm === null ? null : clamp01((0.1 - sm) / 0.6));

  return { signals: out, score: r1(out.reduce((sum, s) => sum + s.points, 0)), recent: recent.length };
}

export function burnoutRisk(sessions: readonly BurnoutSession[], now: Date, timeZone: string): BurnoutResult {
  const current = signals(sessions, now.getTime(), timeZone);
  const earlier = signals(sessions, now.getTime() - 28 * DAY, timeZone);
  const previousScore = earlier.recent > 0 ? earlier.score : null;
  const delta = previousScore === null ? null : current.score - previousScore;
  const trend = delta === null ? 'UNKNOWN' : delta >= 5 ? 'RISING' : delta <= -5 ? 'FALLING' : 'STABLE';
  const level = levelOf(current.score);
  const top = [...current.signals].filter((s) => s.points > 0).sort((a, b) => b.points - a.points).slice(0, 3);
  const explanation = current.recent === 0
    ? 'No focus sessions in the last 4 weeks, so there is nothing to assess.'
    : `Burnout risk ${level.toLowerCase()} (${current.score}/100)${top.length ? `, mostly from ${top.map((s) => `${s.name.toLowerCase().replace(/_/g, ' ')} (+${s.points})`).join(', ')}` : ': none of the signals is raised'}. `
      + `${trend === 'UNKNOWN' ? 'No trend yet (no sessions in the 4 weeks before).' : `Trend ${trend.toLowerCase()} against ${previousScore}/100 four weeks earlier.`} `
      + 'This is a documented heuristic over your own last 4 weeks vs the 8 weeks before, not a diagnosis.';
  return { score: current.score, level, trend, previousScore, signals: current.signals, recentSessions: current.recent, explanation };
}

/** A group view: only when at least MIN_GROUP people contribute (never exposes individuals). */
export const MIN_GROUP = 5;

export interface BurnoutGroupSummary {
  available: boolean;
  people: number;
  minimumPeople: number;
  averageScore: number | null;
  levels: { level: BurnoutResult['level']; people: number }[];
  signals: { name: string; averagePoints: number }[];
  explanation: string;
}

/** The group view without numbers: fewer than MIN_GROUP people contribute. */
export function tooFewPeople(people: number, who = 'members'): BurnoutGroupSummary {
  return { available: false, people, minimumPeople: MIN_GROUP, averageScore: null, levels: [], signals: [],
    explanation: `Not enough people to show a group view without exposing individuals: ${people} ${who} with 3 or more focus sessions in the last 4 weeks (at least ${MIN_GROUP} needed; opted-out members are never counted).` };
}

/**
 * A group's view (an organization, a team) from its contributors' individual results: the mean
 * score, how many people are at each level and each signal's mean points. With fewer than
 * MIN_GROUP results: available = false and no numbers. `who` names the contributors in the
 * explanation, e.g. "members" or "team members".
 */
export function summarizeBurnout(results: readonly BurnoutResult[], who = 'members'): BurnoutGroupSummary {
  const base = { minimumPeople: MIN_GROUP, people: results.length };
  if (results.length < MIN_GROUP) return tooFewPeople(results.length, who);
  const averageScore = r1(results.reduce((s, r) => s + r.score, 0) / results.length);
  const levels = (['LOW', 'MODERATE', 'HIGH'] as const).map((level) => ({ level, people: results.filter((r) => r.level === level).length }));
  const names = results[0]!.signals.map((s) => s.name);
  const signals = names.map((name) => ({ name, averagePoints: r1(results.reduce((s, r) => s + (r.signals.find((x) => x.name === name)?.points ?? 0), 0) / results.length) }));
  const top = [...signals].sort((a, b) => b.averagePoints - a.averagePoints)[0]!;
  return {
    ...base, available: true, averageScore, levels, signals,
    explanation: `Average burnout risk ${averageScore}/100 (${levelOf(averageScore).toLowerCase()}) over ${results.length} ${who} with recent focus sessions; the largest contributor on average is ${top.name.toLowerCase().replace(/_/g, ' ')} (+${top.averagePoints}). Aggregates only; no individual is shown.`,
  };
}
