/**
 * Goals: validation, status and milestones. Pure; dates are local dates ('YYYY-MM-DD').
 *
 * Status rule (also in schema.graphql), evaluated on the user's local `today`:
 * - ACHIEVED when progress >= target (whatever the date);
 * - MISSED when the deadline has passed (today > deadline) and progress < target;
 * - otherwise, with elapsedShare = (days of [startDate, deadline] fully over before today) / (days in it)
 *   and progressShare = progress / target: AT_RISK when progressShare < elapsedShare - 0.10 (more than
 *   10 points behind a straight line from 0 to the target), else ON_TRACK.
 */
import { badInput, requireId, requireText } from '@flowforge/runtime';
import { addDays, dayNumber } from '@flowforge/time';
import { validateDate } from './progress.js';

export const GOAL_METRICS = ['FOCUS_MINUTES', 'FOCUS_SESSIONS', 'HABIT_COMPLETIONS', 'MANUAL'] as const;
export type GoalMetric = (typeof GOAL_METRICS)[number];
export type GoalStatus = 'ON_TRACK' | 'AT_RISK' | 'ACHIEVED' | 'MISSED';

export const MAX_GOAL_TITLE = 120;
export const MAX_TARGET = 1_000_000_000;
export const MAX_GOAL_DAYS = 3660;
export const MAX_GOAL_BACKDATE_DAYS = 366;
export const MAX_MILESTONES = 10;
export const MAX_GOAL_HABITS = 50;
export const DEFAULT_MILESTONES = [25, 50, 75];
export const AT_RISK_MARGIN = 0.1;

export interface CreateGoalInput {
  title: string;
  metric: GoalMetric;
  target: number;
  startDate?: string | null;
  deadline: string;
  milestones?: number[] | null;
  habitIds?: string[] | null;
}

export interface UpdateGoalInput {
  title?: string | null;
  target?: number | null;
  deadline?: string | null;
  milestones?: number[] | null;
  habitIds?: string[] | null;
}

export interface ValidGoal {
  title: string;
  metric: GoalMetric;
  target: number;
  startDate: string;
  deadline: string;
  milestones: number[];
  habitIds: string[];
}

/** Whole numbers for things that are counted (sessions, completions); up to 2 decimals otherwise. */
export function validateTarget(metric: GoalMetric, target: number, field = 'target'): number {
  if (!Number.isFinite(target) || target <= 0 || target > MAX_TARGET) throw badInput(`${field} must be greater than 0 and at most ${MAX_TARGET}; got ${target}.`, field);
  if ((metric === 'FOCUS_SESSIONS' || metric === 'HABIT_COMPLETIONS') && !Number.isInteger(target)) {
    throw badInput(`${field} must be a whole number for ${metric} goals (they count ${metric === 'FOCUS_SESSIONS' ? 'sessions' : 'completed check-ins'}); got ${target}.`, field);
  }
  return Math.round(target * 100) / 100;
}

export function validateMilestones(milestones: number[] | null | undefined): number[] {
  if (milestones == null) return DEFAULT_MILESTONES;
  if (milestones.length > MAX_MILESTONES) throw badInput(`milestones can have at most ${MAX_MILESTONES} entries; got ${milestones.length}.`, 'milestones');
  for (const m of milestones) {
    if (!Number.isFinite(m) || m <= 0 || m >= 100) throw badInput(`milestones are percentages of the target strictly between 0 and 100 (the target itself is the 100% mark); got ${m}.`, 'milestones');
  }
  return [...new Set(milestones.map((m) => Math.round(m * 100) / 100))].sort((a, b) => a - b);
}

export function validateHabitIds(metric: GoalMetric, habitIds: string[] | null | undefined): string[] {
  if (habitIds == null || habitIds.length === 0) return [];
  if (metric !== 'HABIT_COMPLETIONS') throw badInput(`habitIds only apply to HABIT_COMPLETIONS goals; this goal's metric is ${metric}.`, 'habitIds');
  if (habitIds.length > MAX_GOAL_HABITS) throw badInput(`A goal can link at most ${MAX_GOAL_HABITS} habits.`, 'habitIds');
  return [...new Set(habitIds.map((id) => requireId(id, 'habitIds')))];
}

function validatePeriod(startDate: string, deadline: string, today: string, { creating }: { creating: boolean }) {
  validateDate(deadline, 'deadline');
  if (deadline < startDate) throw badInput(`deadline (${deadline}) must not be before startDate (${startDate}).`, 'deadline');
  if (creating && deadline < today) throw badInput(`deadline (${deadline}) is in the past (today is ${today} in your time zone).`, 'deadline');
  const days = dayNumber(deadline, 'deadline') - dayNumber(startDate, 'startDate') + 1;
  if (days > MAX_GOAL_DAYS) throw badInput(`A goal can span at most ${MAX_GOAL_DAYS} days; ${startDate} to ${deadline} is ${days}.`, 'deadline');
}

export function validateCreateGoal(input: CreateGoalInput, today: string): ValidGoal {
  if (!GOAL_METRICS.includes(input.metric)) throw badInput(`metric must be one of ${GOAL_METRICS.join(', ')}.`, 'metric');
  const startDate = input.startDate == null ? today : validateDate(input.startDate, 'startDate');
  const earliest = addDays(today, -MAX_GOAL_BACKDATE_DAYS);
  if (startDate < earliest) throw badInput(`startDate can be at most ${MAX_GOAL_BACKDATE_DAYS} days in the past (${earliest} or later); got ${startDate}.`, 'startDate');
  validatePeriod(startDate, input.deadline, today, { creating: true });
  return {
    title: requireText(input.title, 'title', { max: MAX_GOAL_TITLE }),
    metric: input.metric,
    target: validateTarget(input.metric, input.target),
    startDate,
    deadline: input.deadline,
    milestones: validateMilestones(input.milestones),
    habitIds: validateHabitIds(input.metric, input.habitIds),
  };
}

export function validateUpdateGoal(current: { metric: GoalMetric; startDate: string }, input: UpdateGoalInput, today: string): Partial<ValidGoal> {
  const out: Partial<ValidGoal> = {};
  if (input.title != null) out.title = requireText(input.title, 'title', { max: MAX_GOAL_TITLE });
  if (input.target != null) out.target = validateTarget(current.metric, input.target);
  if (input.deadline != null) {
    validatePeriod(current.startDate, input.deadline, today, { creating: false });
    out.deadline = input.deadline;
  }
  if (input.milestones != null) out.milestones = validateMilestones(input.milestones);
  if (input.habitIds != null) out.habitIds = validateHabitIds(current.metric, input.habitIds);
  return out;
}

export function validateManualValue(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_TARGET) throw badInput(`value is the goal's new total progress: a number from 0 to ${MAX_TARGET}; got ${value}.`, 'value');
  return Math.round(value * 100) / 100;
}

export interface GoalEvaluation {
  status: GoalStatus;
  /** progress / target, 0..1+ (4 decimals). */
  progressShare: number;
  /** Share of the period fully over before today, 0..1 (4 decimals). */
  elapsedShare: number;
  /** Progress a straight line from 0 at startDate to the target at the deadline expects by today. */
  expectedProgress: number;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function evaluateGoal(goal: { target: number; startDate: string; deadline: string }, progress: number, today: string): GoalEvaluation {
  const total = dayNumber(goal.deadline, 'deadline') - dayNumber(goal.startDate, 'startDate') + 1;
  const elapsed = Math.min(Math.max(dayNumber(today, 'today') - dayNumber(goal.startDate, 'startDate'), 0), total);
  const elapsedShare = elapsed / total;
  const progressShare = progress / goal.target;
  let status: GoalStatus;
  if (progress >= goal.target) status = 'ACHIEVED';
  else if (today > goal.deadline) status = 'MISSED';
  else status = progressShare < elapsedShare - AT_RISK_MARGIN - 1e-9 ? 'AT_RISK' : 'ON_TRACK';
  return { status, progressShare: round4(progressShare), elapsedShare: round4(elapsedShare), expectedProgress: Math.round(goal.target * elapsedShare * 100) / 100 };
}

export interface MilestoneState {
  percent: number;
  value: number;
  reachedAt: Date | null;
}

/**
 * Each milestone with the time progress last rose to it; null while progress is below it (a drop
 * below, e.g. after an undone check-in, clears it until progress reaches it again).
 */
export function milestoneStates(milestones: readonly number[], target: number, history: readonly { value: number; recordedAt: Date }[]): MilestoneState[] {
  const sorted = [...history].sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
  return milestones.map((percent) => {
    const value = Math.round(target * percent) / 100;
    let reachedAt: Date | null = null;
    for (const entry of sorted) {
      if (entry.value >= value) reachedAt ??= entry.recordedAt;
      else reachedAt = null;
    }
    return { percent, value, reachedAt };
  });
}
