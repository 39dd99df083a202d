// The machinery against a real (in-memory PGlite) database: event projection (once per event),
// training with opt-out excluded, the registry (active, canary routing, rejected), and every
// fallback to the baseline (missing model, rejected model, corrupt or missing artifact, inference
// error, opted-out user). Data is SYNTHETIC (src/domain/synthetic.ts).
import { openDatabase } from '@flowforge/db';
import type { Identity } from '@flowforge/auth';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { createInsightsServices } from '../src/server.js';
import { MalformedEventError, SESSION_ENDED } from '../src/events/focus-facts.js';
import { routesToCanary } from '../src/domain/evaluation.js';
import { syntheticDataset } from '../src/domain/synthetic.js';
import { ForecastService } from '../src/services/forecast.js';
import { RetrainScheduler } from '../src/services/training.js';
import type { ModelRegistry } from '../src/services/registry.js';

const ORG = randomUUID();
const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
let db: PrismaClient;
let closeDb: () => Promise<void>;
let dataDir: string;
let services: Awaited<ReturnType<typeof createInsightsServices>>;
const logs: Record<string, unknown>[] = [];

const identity = (userId: string, organizationId = ORG): Identity => ({ userId, organizationId, workspaceId: null, role: 'USER', sessionId: null } as Identity);
const dataset = syntheticDataset({ users: 10, weeks: 5, seed: 21, start: new Date(Date.now() - 6 * 7 * 86_400_000) });
const [alice, bob, optedOutUser] = dataset.users.map((u) => u.userId) as [string, string, string];
const from = new Date('2027-03-01T00:00:00Z');
const to = new Date('2027-03-08T00:00:00Z');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ff-insights-serving-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrationsDir: MIGRATIONS });
  db = new PrismaClient({ adapter: database.adapter });
  closeDb = async () => {
    await db.$disconnect();
    await database.close();
  };
  services = await createInsightsServices(db, {
    env: { FLOWFORGE_DATA_DIR: dataDir, INSIGHTS_TRAIN_EPOCHS: '10', INSIGHTS_CV_FOLDS: '2', INSIGHTS_CANARY_SHARE: '0.5', INSIGHTS_RETRAIN_DEBOUNCE_MS: '60000' },
    log: (entry) => logs.push(entry),
  });
  await services.facts.insertMany(dataset.sessions.map((s) => ({ ...s, organizationId: ORG, notes: null, source: 'demo', eventId: null })));
  await services.settings.setOptOut(optedOutUser, true);
}, 30_000);

afterAll(async () => {
  await services.scheduler.stop();
  await closeDb();
  await rm(dataDir, { recursive: true, force: true });
});

const envelope = (data: Record<string, unknown>, type = SESSION_ENDED) => ({
  specversion: '1.0' as const, id: randomUUID(), source: '/flowforge/focus', type, time: new Date().toISOString(), subject: String(data.sessionId),
  datacontenttype: 'application/json' as const, tenant: ORG, schemaversion: 1, data,
});

describe('focus_session_facts projection', () => {
  it('applies flowforge.focus.session.ended once per event id, ignores other types, rejects malformed data', async () => {
    const sessionId = randomUUID();
    const event = envelope({ sessionId, userId: alice, organizationId: ORG, state: 'COMPLETED', plannedMinutes: 50, actualMinutes: 47.5, category: 'Writing', rating: 4, startedAt: '2026-11-02T09:00:00.000Z', endedAt: '2026-11-02T09:48:00.000Z' });
    expect(await services.projection.handle(event)).toBe(true);
    expect(await services.projection.handle(event)).toBe(false); // redelivery
    expect(await db.focusSessionFact.findUnique({ where: { sessionId } })).toMatchObject({ userId: alice, rating: 4, actualMinutes: 47.5, interruptions: null, source: 'event', eventId: event.id });
    expect(services.scheduler.idle).toBe(false); // a retraining is scheduled (debounced)
    expect(await services.projection.handle(envelope({ sessionId }, 'flowforge.focus.session.started'))).toBe(false);
    await expect(services.projection.handle(envelope({ sessionId: randomUUID(), userId: alice, organizationId: ORG, plannedMinutes: 'fifty' }))).rejects.toThrow(MalformedEventError);
    await db.focusSessionFact.delete({ where: { sessionId } });
  });

  it('writes with the backbone transaction when the backbone runs it inside consumeOnce', async () => {
    const sessionId = randomUUID();
    const data = { sessionId, userId: bob, organizationId: ORG, state: 'COMPLETED', plannedMinutes: 25, actualMinutes: 20, category: null, rating: null, startedAt: '2026-11-03T10:00:00.000Z', endedAt: '2026-11-03T10:20:00.000Z' };
    await db.$transaction((tx) => services.projection.handleInTransaction(envelope(data), tx));
    expect(await db.focusSessionFact.findUnique({ where: { sessionId } })).toMatchObject({ userId: bob, actualMinutes: 20, rating: null });
    await db.focusSessionFact.delete({ where: { sessionId } });
  });
});

describe('training, registry and serving', () => {
  it('answers with the baseline and says why before any model exists', async () => {
    const result = await services.forecasts.forecast(identity(alice), { id: alice, timezone: 'UTC' }, from, to);
    expect(result.provenance).toEqual({ source: 'BASELINE', modelName: 'focus-forecast', version: null, route: null, reason: 'no focus-forecast model has been trained for this organization yet' });
    expect(result.hours).toHaveLength(168);
    expect(result.explanation).toContain('Computed by the baseline');
  });

  it('trains without the opted-out user, registers an active version that beats the baseline, and serves it', async () => {
    const row = (await services.training.trainFocusForecast(ORG))!;
    expect(row).toMatchObject({ name: 'focus-forecast', version: 'v1', status: 'active', trainedOnScope: 'organization', canaryShare: 0 });
    const metrics = row.performanceMetrics as Record<string, number | boolean>;
    expect(metrics.users).toBe(9);
    expect(metrics.excludedOptedOutUsers).toBe(1);
    expect(metrics.modelMae).toBeLessThan(metrics.baselineMae as number);

    const result = await services.forecasts.forecast(identity(alice), { id: alice, timezone: 'UTC' }, from, to);
    expect(result.provenance).toMatchObject({ source: 'MODEL', version: 'v1', route: 'active' });
    expect(result.basedOnSessions).toBeGreaterThan(10);
    expect(result.preferredWindows.length).toBeGreaterThan(0);
    expect(result.explanation).toMatch(/^Your best focus is usually \w+ \d\d:00-\d\d:00/);
  });

  it('serves the opted-out user the baseline on their own data', async () => {
    const result = await services.forecasts.forecast(identity(optedOutUser), { id: optedOutUser, timezone: 'UTC' }, from, to);
    expect(result.provenance).toMatchObject({ source: 'BASELINE', reason: 'you opted out of insights: no model sees your data' });
    expect(result.basedOnSessions).toBeGreaterThan(0);
  });

  it('registers a second good version as a canary and routes users by a stable hash of their id', async () => {
    const row = (await services.training.trainFocusForecast(ORG))!;
    expect(row).toMatchObject({ version: 'v2', status: 'canary', canaryShare: 0.5 });
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    const share = ids.filter((id) => routesToCanary(id, 'focus-forecast', 0.5)).length / ids.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
    expect(ids.every((id) => routesToCanary(id, 'focus-forecast', 0.5) === routesToCanary(id, 'focus-forecast', 0.5))).toBe(true);
    expect(ids.some((id) => routesToCanary(id, 'focus-forecast', 0))).toBe(false);
    expect(ids.every((id) => routesToCanary(id, 'focus-forecast', 1))).toBe(true);

    for (const user of [alice, bob]) {
      const expected = routesToCanary(user, 'focus-forecast', 0.5) ? { version: 'v2', route: 'canary' } : { version: 'v1', route: 'active' };
      expect((await services.forecasts.forecast(identity(user), { id: user, timezone: 'UTC' }, from, to)).provenance).toMatchObject({ source: 'MODEL', ...expected });
    }
  });

  it('falls back to the baseline when an artifact is corrupt or missing', async () => {
    const { active, canary } = await services.models.serving(ORG, 'focus-forecast');
    // A user in each group that has not loaded its version yet in this process: evict both.
    services.registry.evict(active!.id);
    services.registry.evict(canary!.id);
    await writeFile(join(dataDir, canary!.artifactPath!, 'weights.bin'), Buffer.from('not the weights'));
    await rm(join(dataDir, active!.artifactPath!), { recursive: true });
    const inCanary = dataset.users.map((u) => u.userId).find((id) => id !== optedOutUser && routesToCanary(id, 'focus-forecast', 0.5))!;
    const inActive = dataset.users.map((u) => u.userId).find((id) => id !== optedOutUser && !routesToCanary(id, 'focus-forecast', 0.5))!;
    const corrupt = await services.forecasts.forecast(identity(inCanary), { id: inCanary, timezone: 'UTC' }, from, to);
    expect(corrupt.provenance.source).toBe('BASELINE');
    expect(corrupt.provenance.reason).toMatch(/^focus-forecast v2 could not be loaded \(.*does not match its recorded sha256/);
    const missing = await services.forecasts.forecast(identity(inActive), { id: inActive, timezone: 'UTC' }, from, to);
    expect(missing.provenance.reason).toMatch(/^focus-forecast v1 could not be loaded \(.*missing or unreadable/);
    expect(missing.hours.every((h) => Number.isFinite(h.quality))).toBe(true);
    expect(logs.some((entry) => entry.msg === 'model artifact failed to load; serving the baseline')).toBe(true);
  });

  it('says a version was rejected when it did not beat the baseline', async () => {
    const other = randomUUID();
    await services.models.registerTrained(other, {
      name: 'focus-forecast', modelType: 'dense', status: 'rejected', canaryShare: 0, performanceMetrics: { modelMae: 12.5, baselineMae: 11.9 }, config: {},
      artifactPath: null, artifactSha256: null, trainedOnScope: 'organization', trainedOnUserId: null,
    });
    const result = await services.forecasts.forecast(identity(alice, other), { id: alice, timezone: 'UTC' }, from, to);
    expect(result.provenance.reason).toBe('the latest focus-forecast version (v1) did not beat the baseline on held-out data (cross-validated error 12.5 vs 11.9)');
    expect(result.basedOnSessions).toBe(0);
  });

  it('falls back to the baseline when inference throws', async () => {
    const row = (await services.models.serving(ORG, 'focus-forecast')).canary!;
    const throwing = { predict: () => { throw new Error('kernel exploded'); } };
    const registry = { resolve: async () => ({ ok: true, row, route: 'canary', model: throwing }) } as unknown as ModelRegistry;
    const forecasts = new ForecastService({ facts: services.facts, settings: services.settings, registry, log: (entry) => logs.push(entry) });
    const result = await forecasts.forecast(identity(alice), { id: alice, timezone: 'UTC' }, from, to);
    expect(result.provenance).toMatchObject({ source: 'BASELINE', reason: 'focus-forecast v2 failed at prediction time (kernel exploded)' });
  });
});

describe('RetrainScheduler', () => {
  it('debounces bursts per organization and trains one at a time', async () => {
    const calls: string[] = [];
    const scheduler = new RetrainScheduler(async (org) => { calls.push(org); }, 30, () => undefined);
    for (let i = 0; i < 5; i++) scheduler.markDirty('org-a');
    scheduler.markDirty('org-b');
    expect(scheduler.idle).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(calls.sort()).toEqual(['org-a', 'org-b']);
    expect(scheduler.idle).toBe(true);
    await scheduler.stop();
  });
});
