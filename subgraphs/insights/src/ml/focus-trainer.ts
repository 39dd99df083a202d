/**
 * Runs focus-forecast training (k-fold cross-validation + the final fit) in a worker thread, so a
 * retrain does not stall GraphQL requests or event consumption: inline training yields only between
 * epochs, and one epoch over a few thousand rows blocks the event loop for a long time.
 *
 * - One fresh Worker per training (training-worker.ts): tfjs's wasm memory never shrinks, so a
 *   worker that exits gives it back; starting one costs well under a second next to a training.
 * - One training at a time (queued here, whoever asks: the retrain scheduler or the mutation).
 * - A training that takes longer than `timeoutMs` is terminated. A crash, a timeout or a result that
 *   does not check out (see decode) is logged as an error and rejects: nothing is registered, so the
 *   version already serving, or the baseline, keeps answering.
 * - INSIGHTS_TRAINING_WORKER=0 trains inline on the event loop (the old behaviour).
 */
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@flowforge/runtime';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isArrayBuffer } from 'node:util/types';
import { Worker } from 'node:worker_threads';
import { FEATURE_COUNT, type QualityObservation } from '../domain/focus-features.js';
import { activeBackend } from './backend.js';
import { predictQuality, trainFocusForecast, type CrossValidation, type FocusTrainOptions, type TrainedFocusModel } from './focus-model.js';

export type FocusTrainingOptions = FocusTrainOptions & { folds?: number };

/** What the main thread sends: plain data only. */
export interface FocusTrainingRequest {
  backend: string;
  observations: QualityObservation[];
  options: FocusTrainingOptions;
}

export interface SerializedModel {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export type FocusTrainingResponse =
  | ({ ok: true; backend: string; artifacts: SerializedModel } & Omit<TrainedFocusModel, 'model'>)
  | { ok: false; error: string };

export interface FocusTrainingResult extends Omit<TrainedFocusModel, 'model'> {
  model: tf.LayersModel;
  backend: string;
  trainedIn: 'worker' | 'inline';
}

export class TrainingWorkerError extends Error {}

export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let out: SerializedModel | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    out = {
      modelTopology: artifacts.modelTopology as object,
      weightSpecs: artifacts.weightSpecs ?? [],
      weightData: tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** Checks a worker's answer and rebuilds the model on this thread; anything off throws TrainingWorkerError. */
export async function decodeTrainingResponse(response: unknown): Promise<Omit<FocusTrainingResult, 'trainedIn'>> {
  const r = response as FocusTrainingResponse | null;
  if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean') throw new TrainingWorkerError('the training worker sent a corrupt result (not a training response)');
  if (!r.ok) throw new TrainingWorkerError(`training failed in the worker: ${String(r.error).split('\n').slice(0, 3).join(' | ')}`);
  const cv = r.cv as CrossValidation | undefined;
  if (!cv || !finite(cv.modelMae) || !finite(cv.baselineMae) || !finite(r.globalMean) || typeof r.beatsBaseline !== 'boolean') {
    throw new TrainingWorkerError('the training worker sent a corrupt result (metrics missing or not finite)');
  }
  const a = r.artifacts as Partial<SerializedModel> | undefined;
  if (!a || typeof a.modelTopology !== 'object' || a.modelTopology === null || !Array.isArray(a.weightSpecs) || !isArrayBuffer(a.weightData)) {
    throw new TrainingWorkerError('the training worker sent a corrupt result (model topology or weights missing)');
  }
  const expected = a.weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((p, d) => p * d, 1) * (BYTES[spec.dtype] ?? Number.NaN), 0);
  if (expected !== a.weightData.byteLength) {
    throw new TrainingWorkerError(`the training worker sent a corrupt result (${a.weightData.byteLength} weight bytes, the manifest needs ${expected})`);
  }
  // Copies made in this realm: tfjs tests `instanceof Array`/`ArrayBuffer`, and under jest's VM
  // what a worker sends belongs to Node's outer realm (topology and weights are a few KB).
  const modelTopology = JSON.parse(JSON.stringify(a.modelTopology)) as object;
  const weightSpecs = JSON.parse(JSON.stringify(a.weightSpecs)) as tf.io.WeightsManifestEntry[];
  const weightData = new ArrayBuffer(a.weightData.byteLength);
  new Uint8Array(weightData).set(new Uint8Array(a.weightData));
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
  } catch (error) {
    throw new TrainingWorkerError(`the training worker sent a corrupt result (the model does not load: ${(error as Error).message.split('\n')[0]})`);
  }
  try {
    const probe = predictQuality(model, new Float32Array(FEATURE_COUNT), 1);
    if (!Number.isFinite(probe[0])) throw new Error('non-finite prediction');
  } catch (error) {
    model.dispose();
    throw new TrainingWorkerError(`the training worker sent a corrupt result (the model does not predict: ${(error as Error).message.split('\n')[0]})`);
  }
  const { ok: _ok, artifacts: _artifacts, ...rest } = r;
  return { ...rest, model };
}

/**
 * Where the worker entry is. Built code (dist/ml/focus-trainer.js): the sibling training-worker.js.
 * Under jest this module runs from src/ml/focus-trainer.ts (SWC), and Node 20 cannot start a .ts
 * worker, so it starts the BUILT worker, dist/ml/training-worker.js: `pnpm test` builds before jest;
 * for a targeted jest run, run `node scripts/build.mjs` first (a stale build is logged as a warning).
 */
export function defaultWorkerUrl(here = import.meta.url): URL {
  return here.endsWith('.ts') ? new URL('../../dist/ml/training-worker.js', here) : new URL('./training-worker.js', here);
}

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const path = join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newestMtime(path) : e.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }, 0);
}

export interface FocusTrainerSettings {
  /** Train in a worker thread (default); false trains inline on the event loop. */
  worker: boolean;
  /** A worker training that takes longer is terminated. */
  timeoutMs: number;
}

export function focusTrainerSettings(env: NodeJS.ProcessEnv): FocusTrainerSettings {
  const flag = (env.INSIGHTS_TRAINING_WORKER ?? '').trim().toLowerCase();
  const timeout = Number(env.INSIGHTS_TRAINING_TIMEOUT_MS);
  return { worker: !['0', 'false', 'off', 'no'].includes(flag), timeoutMs: env.INSIGHTS_TRAINING_TIMEOUT_MS && timeout > 0 ? timeout : 15 * 60_000 };
}

export class FocusTrainer {
  private chain: Promise<unknown> = Promise.resolve();
  private cancelCurrent: ((reason: string) => void) | null = null;
  private closed = false;
  private checkedBuild = false;
  readonly workerUrl: URL;

  constructor(readonly settings: FocusTrainerSettings, private readonly log: Logger, options: { workerUrl?: URL } = {}) {
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  /** Trains (queued behind any training in progress); rejects, after logging, when the worker fails. */
  train(observations: readonly QualityObservation[], options: FocusTrainingOptions = {}): Promise<FocusTrainingResult> {
    const run = this.chain.then(() => this.run(observations, options));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Terminates a training in progress (shutdown) and refuses new ones. */
  close(): void {
    this.closed = true;
    this.cancelCurrent?.('the subgraph is shutting down');
  }

  private async run(observations: readonly QualityObservation[], options: FocusTrainingOptions): Promise<FocusTrainingResult> {
    if (this.closed) throw new TrainingWorkerError('training refused: the subgraph is shutting down');
    if (!this.settings.worker) {
      const trained = await trainFocusForecast(observations, options);
      return { ...trained, backend: activeBackend(), trainedIn: 'inline' };
    }
    const started = Date.now();
    try {
      const decoded = await decodeTrainingResponse(await this.inWorker({ backend: activeBackend(), observations: [...observations], options }));
      return { ...decoded, trainedIn: 'worker' };
    } catch (error) {
      const shutdown = this.closed;
      this.log({
        level: shutdown ? 'warn' : 'error',
        msg: shutdown ? 'focus-forecast training cancelled at shutdown' : 'focus-forecast training failed in the worker thread; nothing was registered, the serving version (or the baseline) keeps answering',
        error: (error as Error).message, ms: Date.now() - started, rows: observations.length,
      });
      throw error;
    }
  }

  private inWorker(request: FocusTrainingRequest): Promise<unknown> {
    const path = fileURLToPath(this.workerUrl);
    if (!existsSync(path)) return Promise.reject(new TrainingWorkerError(`the training worker ${path} does not exist (run \`node scripts/build.mjs\`, or set INSIGHTS_TRAINING_WORKER=0 to train inline)`));
    if (!this.checkedBuild && import.meta.url.endsWith('.ts')) {
      this.checkedBuild = true;
      const src = dirname(dirname(fileURLToPath(import.meta.url)));
      if (newestMtime(src) > statSync(path).mtimeMs) this.log({ level: 'warn', msg: `training worker ${path} is older than the sources in ${src}: run \`node scripts/build.mjs\`` });
    }
    const { timeoutMs } = this.settings;
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerUrl, { workerData: request });
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.cancelCurrent = null;
        void worker.terminate();
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new TrainingWorkerError(`the training worker timed out after ${timeoutMs} ms and was terminated (INSIGHTS_TRAINING_TIMEOUT_MS)`))), timeoutMs);
      worker.once('message', (message) => finish(() => resolve(message)));
      worker.once('error', (error) => finish(() => reject(new TrainingWorkerError(`the training worker crashed: ${error.message.split('\n')[0]}`))));
      worker.once('exit', (code) => finish(() => reject(new TrainingWorkerError(`the training worker exited (code ${code}) without a result`))));
      this.cancelCurrent = (reason) => finish(() => reject(new TrainingWorkerError(`the training worker was terminated: ${reason}`)));
    });
  }
}
