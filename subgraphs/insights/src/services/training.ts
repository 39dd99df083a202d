import type { Logger } from '@flowforge/runtime';
import type { Prisma } from '../generated/prisma/client.js';
import type { FactRepository, FactRow } from '../data/facts.js';
import type { AiModelRepository, AiModelRow } from '../data/models.js';
import type { SettingsRepository } from '../data/settings.js';
import { hourOfWeek, sessionQuality, type QualityObservation } from '../domain/focus-features.js';
import { saveArtifact } from '../ml/artifacts.js';
import { FOCUS_MODEL_NAME, FOCUS_MODEL_TYPE, type FocusTrainOptions } from '../ml/focus-model.js';
import type { FocusTrainer } from '../ml/focus-trainer.js';
import type { ModelRegistry } from './registry.js';

export const HISTORY_DAYS = 365;

export function observationsFrom(rows: readonly FactRow[], timezones: ReadonlyMap<string, string>): QualityObservation[] {
  return rows.map((row) => ({ userId: row.userId, hourOfWeek: hourOfWeek(row.startedAt, timezones.get(row.userId) ?? 'UTC'), quality: sessionQuality(row) }));
}

export interface TrainingSettings {
  minSessions: number;
  canaryShare: number;
  options: FocusTrainOptions & { folds?: number };
}

export function trainingSettings(env: NodeJS.ProcessEnv): TrainingSettings {
  const num = (name: string, fallback: number) => (env[name] !== undefined && env[name] !== '' && Number.isFinite(Number(env[name])) ? Number(env[name]) : fallback);
  return {
    minSessions: num('INSIGHTS_MIN_TRAINING_SESSIONS', 40),
    canaryShare: Math.min(1, Math.max(0, num('INSIGHTS_CANARY_SHARE', 0.2))),
    options: { epochs: num('INSIGHTS_TRAIN_EPOCHS', 30), folds: num('INSIGHTS_CV_FOLDS', 3), maxRows: num('INSIGHTS_TRAIN_MAX_ROWS', 6000) },
  };
}

/**
 * Trains an organization's focus-forecast model from its members' facts (never an opted-out
 * member's), cross-validates it against the baseline and registers the version: active (or canary
 * for INSIGHTS_CANARY_SHARE of users when an active version exists) when it beats the baseline,
 * rejected (no artifact, never served) when it does not.
 */
export class TrainingService {
  constructor(
    private readonly deps: { facts: FactRepository; settings: SettingsRepository; models: AiModelRepository; registry: ModelRegistry; trainer: FocusTrainer; log: Logger },
    readonly config: TrainingSettings,
  ) {}

  async trainFocusForecast(organizationId: string): Promise<AiModelRow | null> {
    const { facts, settings, models, registry, trainer, log } = this.deps;
    const since = new Date(Date.now() - HISTORY_DAYS * 86_400_000);
    const all = await facts.forTraining(organizationId, since, new Set());
    const userIds = [...new Set(all.map((r) => r.userId))];
    const optedOut = await settings.optedOutAmong(userIds);
    const rows = all.filter((r) => !optedOut.has(r.userId));
    if (rows.length < this.config.minSessions) {
      log({ msg: 'focus-forecast: not enough history to train', organizationId, sessions: rows.length, needed: this.config.minSessions });
      return null;
    }
    const observations = observationsFrom(rows, await settings.timezones(userIds));
    // In a worker thread unless INSIGHTS_TRAINING_WORKER=0; a failed training throws (logged) before anything is registered.
    const trained = await trainer.train(observations, this.config.options);
    try {
      const demo = rows.filter((r) => r.source === 'demo').length;
      const metrics = {
        metric: 'mae_quality_points',
        modelMae: trained.cv.modelMae,
        baselineMae: trained.cv.baselineMae,
        beatsBaseline: trained.beatsBaseline,
        crossValidation: trained.cv,
        trainingMs: trained.trainingMs,
        backend: trained.backend,
        trainedIn: trained.trainedIn,
        sessions: rows.length,
        users: trained.cv.users,
        excludedOptedOutUsers: optedOut.size,
        data: demo === 0 ? 'projected focus events' : `${demo} of ${rows.length} sessions are SYNTHETIC demo data`,
        baseline: 'hour-of-week mean with shrinkage (k=3) to the user mean, itself shrunk to the global mean',
      };
      const config = { globalMean: trained.globalMean, features: 16, epochs: trained.options.epochs, seed: trained.options.seed };
      const base = { name: FOCUS_MODEL_NAME, modelType: FOCUS_MODEL_TYPE, performanceMetrics: metrics as unknown as Prisma.InputJsonObject, config, trainedOnScope: 'organization' as const, trainedOnUserId: null };
      if (!trained.beatsBaseline) {
        const row = await models.registerTrained(organizationId, { ...base, status: 'rejected', canaryShare: 0, artifactPath: null, artifactSha256: null });
        log({ msg: 'focus-forecast: trained version rejected (baseline is better)', organizationId, version: row.version, modelMae: metrics.modelMae, baselineMae: metrics.baselineMae });
        return row;
      }
      const { active } = await models.serving(organizationId, FOCUS_MODEL_NAME);
      const canary = active !== null && this.config.canaryShare > 0;
      const artifactPath = registry.artifactPath(organizationId, FOCUS_MODEL_NAME, crypto.randomUUID());
      const saved = await saveArtifact(trained.model, registry.absolute(artifactPath));
      const row = await models.registerTrained(organizationId, {
        ...base, status: canary ? 'canary' : 'active', canaryShare: canary ? this.config.canaryShare : 0, artifactPath, artifactSha256: saved.sha256,
      });
      log({ msg: 'focus-forecast: trained', organizationId, version: row.version, status: row.status, modelMae: metrics.modelMae, baselineMae: metrics.baselineMae, trainingMs: trained.trainingMs });
      return row;
    } finally {
      trained.model.dispose();
    }
  }
}

/**
 * Background retraining: markDirty(org) (new facts, an opt-out) schedules one training of that
 * organization after `debounceMs` of quiet; trainings run one at a time, off the request path.
 */
export class RetrainScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private stopped = false;

  constructor(private readonly train: (organizationId: string) => Promise<unknown>, private readonly debounceMs: number, private readonly log: Logger) {}

  markDirty(organizationId: string): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(organizationId));
    const timer = setTimeout(() => {
      this.timers.delete(organizationId);
      this.enqueue(organizationId);
    }, this.debounceMs);
    timer.unref();
    this.timers.set(organizationId, timer);
  }

  /** Runs a training after the ones already queued; resolves when it is done (errors are logged). */
  enqueue(organizationId: string): Promise<void> {
    this.pending++;
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await this.train(organizationId);
      } catch (error) {
        // Stopping mid-training is a normal shutdown: nothing was registered and the serving version stays.
        if (this.stopped) this.log({ level: 'info', msg: 'retraining stopped by shutdown', organizationId });
        else this.log({ level: 'error', msg: 'retraining failed', organizationId, error: (error as Error).stack ?? String(error) });
      } finally {
        this.pending--;
      }
    });
    return this.chain;
  }

  /** Nothing scheduled and nothing running. */
  get idle(): boolean {
    return this.timers.size === 0 && this.pending === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.chain;
  }
}
