/** Evaluation helpers, pure: fold assignment, MAE, "good hour" agreement, canary routing. */
import { createHash } from 'node:crypto';
import { HOURS_PER_WEEK } from './focus-features.js';

/** Deterministic fold (0..k-1) per index, balanced, from a seeded shuffle. */
export function foldAssignment(count: number, k: number, random: () => number): Int32Array {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const folds = new Int32Array(count);
  order.forEach((index, position) => (folds[index] = position % k));
  return folds;
}

export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (predicted.length !== actual.length || actual.length === 0) throw new Error(`MAE needs equal, non-empty arrays (${predicted.length} vs ${actual.length}).`);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}

/** Waking hours the "good hour" classification looks at: 07:00-21:59 local, every day. */
export const WAKING_HOURS: number[] = Array.from({ length: HOURS_PER_WEEK }, (_, h) => h).filter((h) => h % 24 >= 7 && h % 24 <= 21);

/** The top `share` of `hours` by value: the user's "good hours". */
export function topHours(values: ArrayLike<number>, hours: readonly number[] = WAKING_HOURS, share = 0.25): Set<number> {
  const ranked = [...hours].sort((a, b) => values[b]! - values[a]! || a - b);
  return new Set(ranked.slice(0, Math.round(hours.length * share)));
}

/**
 * Agreement (0..1) between predicted and true good hours over the waking hours: a slot counts as
 * right when both call it good or both call it not good. Random ranking scores about 0.625.
 */
export function goodHourAccuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>, hours: readonly number[] = WAKING_HOURS): number {
  const p = topHours(predicted, hours);
  const t = topHours(truth, hours);
  return hours.filter((h) => p.has(h) === t.has(h)).length / hours.length;
}

/** Stable bucket 0..9999 of a user for a model name: the same user always lands in the same bucket. */
export function canaryBucket(userId: string, modelName: string): number {
  return createHash('sha256').update(`${modelName}:${userId}`).digest().readUInt32BE(0) % 10_000;
}

/** Whether `userId` is routed to a canary serving `share` (0..1) of users. */
export function routesToCanary(userId: string, modelName: string, share: number): boolean {
  return canaryBucket(userId, modelName) < Math.round(Math.min(1, Math.max(0, share)) * 10_000);
}
