/**
 * Held-out evaluation against SYNTHETIC ground truth (domain/synthetic.ts): for users the model
 * never saw, predict their week from their own history and compare with the expected session
 * quality the generator defines. Used by the tests and `pnpm bench ai`.
 */
import type * as tf from '@tensorflow/tfjs';
import { baselineWeek, HOURS_PER_WEEK, statsByUser } from '../domain/focus-features.js';
import { goodHourAccuracy, meanAbsoluteError, WAKING_HOURS } from '../domain/evaluation.js';
import { expectedSessionQuality, type SyntheticDataset } from '../domain/synthetic.js';
import { predictWeek, round } from './focus-model.js';

export interface TruthMetrics {
  /** MAE (quality points) against the expected quality, over waking hours 07-22. */
  truthMae: number;
  /** Agreement on each user's top-25% waking hours (random ranking: about 0.625). */
  goodHourAccuracy: number;
}

export function evaluateAgainstTruth(model: tf.LayersModel | null, heldOut: SyntheticDataset, globalMean: number): { model: TruthMetrics | null; baseline: TruthMetrics; users: number } {
  const stats = statsByUser(heldOut.observations);
  const sums = { m: [0, 0] as [number, number], b: [0, 0] as [number, number] };
  for (const user of heldOut.users) {
    const truth = Array.from({ length: HOURS_PER_WEEK }, (_, h) => expectedSessionQuality(user, h));
    const at = (values: number[]) => WAKING_HOURS.map((h) => values[h]!);
    const base = baselineWeek(stats.get(user.userId), globalMean);
    sums.b[0] += meanAbsoluteError(at(base), at(truth));
    sums.b[1] += goodHourAccuracy(base, truth);
    if (model) {
      const predicted = predictWeek(model, stats.get(user.userId), globalMean);
      sums.m[0] += meanAbsoluteError(at(predicted), at(truth));
      sums.m[1] += goodHourAccuracy(predicted, truth);
    }
  }
  const n = heldOut.users.length;
  const metrics = ([mae, acc]: number[]) => ({ truthMae: round(mae! / n), goodHourAccuracy: round(acc! / n) });
  return { model: model ? metrics(sums.m) : null, baseline: metrics(sums.b), users: n };
}
