import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '@flowforge/runtime';
import { join, resolve } from 'node:path';
import type { AiModelRepository, AiModelRow } from '../data/models.js';
import { routesToCanary } from '../domain/evaluation.js';
import { loadArtifact } from '../ml/artifacts.js';

export type Resolution =
  | { ok: true; row: AiModelRow; model: tf.LayersModel; route: 'active' | 'canary' }
  | { ok: false; reason: string; row: AiModelRow | null };

const FAILURE_TTL_MS = 30_000;

/**
 * Serving side of the registry: which version answers a user (canary routing by a hash of the user
 * id), loading its artifact (cached per version), and the reason whenever the answer is "use the
 * baseline" instead.
 */
export class ModelRegistry {
  private readonly cache = new Map<string, { model: Promise<tf.LayersModel>; failedAt?: number }>();

  constructor(private readonly models: AiModelRepository, readonly dataDir: string, private readonly log: Logger) {}

  /** Artifact folder relative to the data dir: models/insights/<org>/<name>/<id>. */
  artifactPath(organizationId: string, name: string, id: string): string {
    return join('models', 'insights', organizationId, name, id);
  }

  absolute(path: string): string {
    return resolve(this.dataDir, path);
  }

  async resolve(organizationId: string, userId: string, name: string): Promise<Resolution> {
    const { active, canary } = await this.models.serving(organizationId, name);
    const pick = canary && routesToCanary(userId, name, canary.canaryShare) ? { row: canary, route: 'canary' as const } : active ? { row: active, route: 'active' as const } : null;
    if (!pick) {
      const latest = await this.models.latest(organizationId, name);
      const metrics = (latest?.performanceMetrics ?? {}) as { modelMae?: number; baselineMae?: number };
      const reason = latest?.status === 'rejected'
        ? `the latest ${name} version (${latest.version}) did not beat the baseline on held-out data (cross-validated error ${metrics.modelMae} vs ${metrics.baselineMae})`
        : `no ${name} model has been trained for this organization yet`;
      return { ok: false, reason, row: latest };
    }
    try {
      return { ok: true, row: pick.row, route: pick.route, model: await this.load(pick.row) };
    } catch (error) {
      const message = (error as Error).message;
      this.log({ level: 'warn', msg: 'model artifact failed to load; serving the baseline', model: name, version: pick.row.version, id: pick.row.id, error: message });
      return { ok: false, reason: `${name} ${pick.row.version} could not be loaded (${message.slice(0, 200)})`, row: pick.row };
    }
  }

  private load(row: AiModelRow): Promise<tf.LayersModel> {
    const cached = this.cache.get(row.id);
    if (cached && (cached.failedAt === undefined || Date.now() - cached.failedAt < FAILURE_TTL_MS)) return cached.model;
    if (!row.artifactPath) return Promise.reject(new Error('the version has no artifact'));
    const entry: { model: Promise<tf.LayersModel>; failedAt?: number } = { model: loadArtifact(this.absolute(row.artifactPath), row.artifactSha256) };
    entry.model.catch(() => (entry.failedAt = Date.now()));
    this.cache.set(row.id, entry);
    return entry.model;
  }

  /** Drops a cached version (e.g. after its artifact was replaced) so the next request reloads it. */
  evict(id: string): void {
    const cached = this.cache.get(id);
    this.cache.delete(id);
    cached?.model.then((m) => m.dispose(), () => undefined);
  }
}
