// Every model under wasm AND cpu: backend selection is logged, the focus-forecast model trains,
// beats the baseline on held-out SYNTHETIC users (ground truth from src/domain/synthetic.ts) and
// its artifact round-trips to identical predictions; trained in a worker thread it is the same model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeBackend, initBackend, parseBackendChoice, selectBackend, useBackend } from '../src/ml/backend.js';
import { loadArtifact, saveArtifact } from '../src/ml/artifacts.js';
import { predictWeek, trainFocusForecast } from '../src/ml/focus-model.js';
import { evaluateAgainstTruth } from '../src/ml/focus-evaluation.js';
import { FocusTrainer } from '../src/ml/focus-trainer.js';
import { statsByUser } from '../src/domain/focus-features.js';
import { syntheticDataset } from '../src/domain/synthetic.js';

const train = syntheticDataset({ users: 12, weeks: 5, seed: 11 });
const heldOut = syntheticDataset({ users: 6, weeks: 5, seed: 12 });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ff-insights-ml-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('backend selection', () => {
  it('picks wasm when tfjs-node is not installed, and logs the choice and why tfjs-node was skipped', async () => {
    const entries: Record<string, unknown>[] = [];
    const chosen = await initBackend({}, (entry) => entries.push(entry));
    expect(chosen).toBe('wasm');
    expect(entries).toEqual([expect.objectContaining({ msg: 'tfjs backend: wasm', backend: 'wasm', forced: false, skipped: { tensorflow: expect.stringContaining('tfjs-node') } })]);
  });

  it('TFJS_BACKEND forces one, and a forced backend that cannot load fails loudly', async () => {
    const entries: Record<string, unknown>[] = [];
    expect(await selectBackend({ TFJS_BACKEND: 'cpu' }, (entry) => entries.push(entry))).toBe('cpu');
    expect(entries).toEqual([{ msg: 'tfjs backend: cpu', backend: 'cpu', forced: true, skipped: {} }]);
    expect(activeBackend()).toBe('cpu');
    await expect(selectBackend({ TFJS_BACKEND: 'node' })).rejects.toThrow(/No tfjs backend could start \(TFJS_BACKEND=node\).*tfjs-node/);
    expect(parseBackendChoice('tfjs-node')).toBe('tensorflow');
    expect(parseBackendChoice(' WASM ')).toBe('wasm');
    expect(() => parseBackendChoice('gpu')).toThrow('TFJS_BACKEND must be one of tensorflow (alias node), wasm, cpu; got "gpu".');
  });
});

describe.each(['wasm', 'cpu'] as const)('focus-forecast under %s', (backend) => {
  it('logs the switch, trains, beats the baseline on held-out synthetic users and round-trips its artifact', async () => {
    const entries: Record<string, unknown>[] = [];
    await useBackend(backend, (entry) => entries.push(entry));
    expect(activeBackend()).toBe(backend);
    expect(entries[0]).toMatchObject({ msg: `tfjs backend: ${backend}`, backend });

    const trained = await trainFocusForecast(train.observations, { epochs: 12, folds: 2 });
    try {
      expect(trained.cv.folds).toBe(2);
      expect(trained.cv.modelMae).toBeLessThan(trained.cv.baselineMae);
      expect(trained.beatsBaseline).toBe(true);

      const truth = evaluateAgainstTruth(trained.model, heldOut, trained.globalMean);
      expect(truth.model!.truthMae).toBeLessThan(truth.baseline.truthMae);
      expect(truth.model!.goodHourAccuracy).toBeGreaterThan(truth.baseline.goodHourAccuracy);

      const saved = await saveArtifact(trained.model, join(dir, backend));
      const loaded = await loadArtifact(join(dir, backend), saved.sha256);
      const stats = statsByUser(heldOut.observations).get(heldOut.users[0]!.userId);
      expect(predictWeek(loaded, stats, trained.globalMean)).toEqual(predictWeek(trained.model, stats, trained.globalMean));
      loaded.dispose();

      // The same training in a worker thread (the default in the service) runs under the same
      // backend and gives the same model.
      const inWorker = await new FocusTrainer({ worker: true, timeoutMs: 60_000 }, () => undefined).train(train.observations, { epochs: 12, folds: 2 });
      try {
        expect(inWorker).toMatchObject({ backend, trainedIn: 'worker', cv: trained.cv, globalMean: trained.globalMean });
        expect(predictWeek(inWorker.model, stats, trained.globalMean)).toEqual(predictWeek(trained.model, stats, trained.globalMean));
      } finally {
        inWorker.model.dispose();
      }
    } finally {
      trained.model.dispose();
    }
  }, 60_000);
});
