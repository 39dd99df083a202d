/**
 * The focus-window model: a dense regression 16-32-16-1 (relu, relu, sigmoid) from the features in
 * domain/focus-features.ts to session quality / 100, trained with Adam on mean absolute error.
 * Evaluated by k-fold cross-validation against the baseline (hour-of-week mean with shrinkage):
 * in each fold, user statistics and the global mean come from the training folds only.
 */
import * as tf from '@tensorflow/tfjs';
import {
  baselineQuality, FEATURE_COUNT, focusFeatures, HOURS_PER_WEEK, meanQuality, statsByUser, trainingRows, weekRows,
  type QualityObservation, type UserStats,
} from '../domain/focus-features.js';
import { foldAssignment, meanAbsoluteError } from '../domain/evaluation.js';
import { rng } from '../domain/synthetic.js';

export const FOCUS_MODEL_NAME = 'focus-forecast';
export const FOCUS_MODEL_TYPE = 'dense-regression-16-32-16-1';

export interface FocusTrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** At most this many rows are used for one fit (a seeded sample), keeping training time bounded. */
  maxRows?: number;
}

const DEFAULTS: Required<FocusTrainOptions> = { epochs: 30, batchSize: 64, learningRate: 0.005, seed: 7, maxRows: 6000 };

export function buildFocusModel(seed: number): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FEATURE_COUNT], units: 32, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
  return model;
}

function sample<T>(items: readonly T[], max: number, random: () => number): T[] {
  if (items.length <= max) return [...items];
  const copy = [...items];
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, max);
}

/** Fits a fresh model on `observations` (leave-one-out features). Rows are pre-shuffled with a seed; fit does not shuffle. */
export async function fitFocusModel(observations: readonly QualityObservation[], globalMean: number, options: FocusTrainOptions = {}): Promise<tf.Sequential> {
  const o = { ...DEFAULTS, ...options };
  const random = rng(o.seed);
  const rows = sample(observations, o.maxRows, random);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const { x, y } = trainingRows(rows, globalMean);
  const model = buildFocusModel(o.seed);
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanAbsoluteError' });
  const xs = tf.tensor2d(x, [rows.length, FEATURE_COUNT]);
  const ys = tf.tensor2d(y, [rows.length, 1]);
  try {
    await model.fit(xs, ys, { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0, yieldEvery: 'epoch' });
  } finally {
    xs.dispose();
    ys.dispose();
  }
  return model;
}

/** Predicted quality (0..100) for `rows` feature rows; one batched predict. */
export function predictQuality(model: tf.LayersModel, x: Float32Array, rows: number): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor2d(x, [rows, FEATURE_COUNT]);
    const output = model.predict(input, { batchSize: 1024 }) as tf.Tensor;
    return output.mul(100).dataSync() as Float32Array;
  });
}

/** Predicted quality per hour of the week (168 values) for one user's stats. */
export function predictWeek(model: tf.LayersModel, stats: UserStats | undefined, globalMean: number): number[] {
  const values = predictQuality(model, weekRows(stats, globalMean), HOURS_PER_WEEK);
  for (const v of values) if (!Number.isFinite(v)) throw new Error('model produced a non-finite prediction');
  return Array.from(values);
}

export interface CrossValidation {
  folds: number;
  rows: number;
  users: number;
  modelMae: number;
  baselineMae: number;
  perFold: { modelMae: number; baselineMae: number; testRows: number }[];
}

/** k-fold CV over sessions: MAE of model and baseline on each held-out fold (quality points, 0..100). */
export async function crossValidateFocus(observations: readonly QualityObservation[], k = 3, options: FocusTrainOptions = {}): Promise<CrossValidation> {
  const o = { ...DEFAULTS, ...options };
  const folds = foldAssignment(observations.length, k, rng(o.seed + 1000));
  const perFold: CrossValidation['perFold'] = [];
  for (let fold = 0; fold < k; fold++) {
    const train = observations.filter((_, i) => folds[i] !== fold);
    const test = observations.filter((_, i) => folds[i] === fold);
    if (!train.length || !test.length) continue;
    const globalMean = meanQuality(train);
    const model = await fitFocusModel(train, globalMean, { ...o, seed: o.seed + fold });
    try {
      const stats = statsByUser(train);
      const x = new Float32Array(test.length * FEATURE_COUNT);
      const row = new Float32Array(FEATURE_COUNT);
      test.forEach((t, i) => x.set(focusFeatures(stats.get(t.userId), t.hourOfWeek, globalMean, row), i * FEATURE_COUNT));
      const predicted = predictQuality(model, x, test.length);
      const baseline = test.map((t) => baselineQuality(stats.get(t.userId), t.hourOfWeek, globalMean));
      const actual = test.map((t) => t.quality);
      perFold.push({ modelMae: meanAbsoluteError(predicted, actual), baselineMae: meanAbsoluteError(baseline, actual), testRows: test.length });
    } finally {
      model.dispose();
    }
  }
  const total = perFold.reduce((sum, f) => sum + f.testRows, 0);
  const weighted = (key: 'modelMae' | 'baselineMae') => perFold.reduce((sum, f) => sum + f[key] * f.testRows, 0) / total;
  return {
    folds: perFold.length,
    rows: observations.length,
    users: new Set(observations.map((x) => x.userId)).size,
    modelMae: round(weighted('modelMae')),
    baselineMae: round(weighted('baselineMae')),
    perFold: perFold.map((f) => ({ modelMae: round(f.modelMae), baselineMae: round(f.baselineMae), testRows: f.testRows })),
  };
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface TrainedFocusModel {
  model: tf.Sequential;
  cv: CrossValidation;
  globalMean: number;
  /** True when the model's CV MAE is below the baseline's: only then may it serve. */
  beatsBaseline: boolean;
  trainingMs: number;
  options: Required<FocusTrainOptions>;
}

/** Cross-validates, then fits the final model on everything. */
export async function trainFocusForecast(observations: readonly QualityObservation[], options: FocusTrainOptions & { folds?: number } = {}): Promise<TrainedFocusModel> {
  const started = Date.now();
  const o = { ...DEFAULTS, ...options };
  const cv = await crossValidateFocus(observations, options.folds ?? 3, o);
  const globalMean = meanQuality(observations);
  const model = await fitFocusModel(observations, globalMean, o);
  return { model, cv, globalMean, beatsBaseline: cv.modelMae < cv.baselineMae, trainingMs: Date.now() - started, options: o };
}
