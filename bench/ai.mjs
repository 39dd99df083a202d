// `pnpm bench ai`: every insights model against its baseline on HELD-OUT SYNTHETIC data (the
// generator with documented latent behaviour in subgraphs/insights/src/domain/synthetic.ts; no real
// users), under each tfjs backend that loads here (wasm and cpu; tfjs-node when installed):
//   - k-fold cross-validated MAE (quality points, 0..100) of model and baseline on held-out sessions,
//   - MAE against the generator's ground truth and "good hour" accuracy (agreement on each user's
//     top-25% waking hours; random ranking scores about 0.625) for users the model never saw,
//   - training time (CV + final fit), single-prediction latency p50/p99 (one user's whole week =
//     one batched predict of 168 rows, what focusForecast runs), batch throughput (rows/s).
// Runs in this process against the BUILT code (`pnpm bench ai` builds first). Writes
// bench/results/ai-<timestamp>.json and ai-latest.json.
//
// Env: BENCH_AI_USERS (default 40), BENCH_AI_WEEKS (8), BENCH_AI_HELDOUT_USERS (20), BENCH_AI_EPOCHS (30),
// BENCH_AI_BACKENDS (comma list, default "wasm,cpu"), BENCH_AI_PREDICTIONS (default 500).
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const dist = (path) => new URL(`../subgraphs/insights/dist/${path}`, import.meta.url).href;
const { selectBackend, useBackend } = await import(dist('ml/backend.js'));
const { trainFocusForecast, predictWeek, predictQuality } = await import(dist('ml/focus-model.js'));
const { evaluateAgainstTruth } = await import(dist('ml/focus-evaluation.js'));
const { syntheticDataset } = await import(dist('domain/synthetic.js'));
const { statsByUser, weekRows, FEATURE_COUNT } = await import(dist('domain/focus-features.js'));
const { NoteClassifier, trainNoteClassifier } = await import(dist('ml/note-model.js'));

// note-classifier: held-out accuracy on the team-written labelled notes (data/notes-labelled.json,
// NOT user data and not synthetic-by-generator) vs the keyword lexicon; analyze() latency.
async function benchNotes(backend) {
  const started = performance.now();
  const trained = await trainNoteClassifier({ epochs: 60 });
  const trainingMs = Math.round(performance.now() - started);
  trained.sentiment.dispose();
  trained.category.dispose();
  const classifier = new NoteClassifier();
  await classifier.ready();
  const texts = ['Stuck on the flaky deploy bug all evening, exhausted', 'great planning session, clear priorities', 'answered emails'];
  for (let i = 0; i < 20; i++) await classifier.analyze(texts[i % 3]);
  const latencies = [];
  for (let i = 0; i < PREDICTIONS; i++) { const t = performance.now(); await classifier.analyze(texts[i % 3]); latencies.push(performance.now() - t); }
  latencies.sort((a, b) => a - b);
  const batch = Array.from({ length: 1000 }, (_, i) => texts[i % 3]);
  const t = performance.now();
  await classifier.analyzeMany(batch);
  const e = trained.evaluation;
  return { model: 'note-classifier', backend, data: e.dataset, trainNotes: e.trainNotes, testNotes: e.testNotes, metric: 'held-out accuracy (higher is better)',
    sentiment: e.sentiment, category: e.category, baseline: 'keyword lexicon (domain/text.ts), written by the same team as the notes: its accuracy is optimistic',
    trainingMs, singlePredictionMs: { p50: +percentile(latencies, 50).toFixed(3), p99: +percentile(latencies, 99).toFixed(3), n: latencies.length },
    batchNotesPerSecond: Math.round(1000 / ((performance.now() - t) / 1000)) };
}

function printNotes(rows) {
  console.log('\nmodel            backend  sentiment acc model/lexicon  category acc model/lexicon  serves (sent/cat)  train ms  p50 ms  p99 ms  notes/s');
  for (const r of rows) console.log(`${r.model.padEnd(16)} ${r.backend.padEnd(8)} ${`${r.sentiment.model.toFixed(3)} / ${r.sentiment.baseline.toFixed(3)}`.padStart(27)}  ${`${r.category.model.toFixed(3)} / ${r.category.baseline.toFixed(3)}`.padStart(26)}  ${`${r.sentiment.modelServes ? 'model' : 'lexicon'}/${r.category.modelServes ? 'model' : 'lexicon'}`.padStart(17)}  ${String(r.trainingMs).padStart(8)}  ${r.singlePredictionMs.p50.toFixed(3).padStart(6)}  ${r.singlePredictionMs.p99.toFixed(3).padStart(6)}  ${String(r.batchNotesPerSecond).padStart(7)}`);
  console.log(`note-classifier: ${rows[0]?.trainNotes} train / ${rows[0]?.testNotes} held-out notes written by the FlowForge team (not real user data). Burnout, habit, goal, break and ask are documented heuristics (no model to bench).`);
}

export const description = 'insights models vs their baselines on held-out synthetic data: metric, training time, p50/p99, throughput';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const USERS = env('BENCH_AI_USERS', 40);
const WEEKS = env('BENCH_AI_WEEKS', 8);
const HELDOUT_USERS = env('BENCH_AI_HELDOUT_USERS', 20);
const EPOCHS = env('BENCH_AI_EPOCHS', 30);
const PREDICTIONS = env('BENCH_AI_PREDICTIONS', 500);
const BACKENDS = (process.env.BENCH_AI_BACKENDS ?? 'wasm,cpu').split(',').map((b) => b.trim()).filter(Boolean);

const progress = (message) => process.stderr.write(`${message}\n`);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function benchFocusForecast(backend) {
  const train = syntheticDataset({ users: USERS, weeks: WEEKS, seed: 101 });
  const heldOut = syntheticDataset({ users: HELDOUT_USERS, weeks: WEEKS, seed: 202 });
  const started = performance.now();
  const trained = await trainFocusForecast(train.observations, { epochs: EPOCHS, folds: 3 });
  const trainingMs = performance.now() - started;
  try {
    const truth = evaluateAgainstTruth(trained.model, heldOut, trained.globalMean);
    const stats = statsByUser(heldOut.observations);
    const users = heldOut.users.map((u) => stats.get(u.userId));
    for (let i = 0; i < 20; i++) predictWeek(trained.model, users[i % users.length], trained.globalMean); // warm-up
    const latencies = [];
    for (let i = 0; i < PREDICTIONS; i++) {
      const t = performance.now();
      predictWeek(trained.model, users[i % users.length], trained.globalMean);
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    const rows = 168 * 60;
    const batch = new Float32Array(rows * FEATURE_COUNT);
    for (let i = 0; i < 60; i++) batch.set(weekRows(users[i % users.length], trained.globalMean), i * 168 * FEATURE_COUNT);
    predictQuality(trained.model, batch, rows);
    const t = performance.now();
    const reps = 5;
    for (let i = 0; i < reps; i++) predictQuality(trained.model, batch, rows);
    const throughput = (rows * reps) / ((performance.now() - t) / 1000);
    return {
      model: 'focus-forecast',
      modelType: 'dense 16-32-16-1 regression',
      backend,
      data: `SYNTHETIC: ${USERS} simulated users x ${WEEKS} weeks (${train.observations.length} sessions) to train; ${HELDOUT_USERS} unseen simulated users to test`,
      metric: 'MAE (quality points, lower is better)',
      crossValidation: { folds: trained.cv.folds, model: trained.cv.modelMae, baseline: trained.cv.baselineMae },
      heldOutTruth: { users: truth.users, model: truth.model, baseline: truth.baseline },
      beatsBaseline: trained.beatsBaseline,
      baseline: 'hour-of-week mean with shrinkage (k=3) to the user mean, itself shrunk to the global mean',
      trainingMs: Math.round(trainingMs),
      singlePredictionMs: { p50: +percentile(latencies, 50).toFixed(3), p99: +percentile(latencies, 99).toFixed(3), n: latencies.length, unit: "one user's week = 168 rows" },
      batchRowsPerSecond: Math.round(throughput),
    };
  } finally {
    trained.model.dispose();
  }
}

function printTable(rows) {
  const header = ['model', 'backend', 'CV MAE model/base', 'truth MAE model/base', 'good-hour acc model/base', 'train ms', 'p50 ms', 'p99 ms', 'batch rows/s'];
  const f = (v, d = 2) => (v == null ? '-' : Number(v).toFixed(d));
  const lines = rows.map((r) => [
    r.model, r.backend,
    `${f(r.crossValidation.model)} / ${f(r.crossValidation.baseline)}`,
    `${f(r.heldOutTruth.model?.truthMae)} / ${f(r.heldOutTruth.baseline.truthMae)}`,
    `${f(r.heldOutTruth.model?.goodHourAccuracy, 3)} / ${f(r.heldOutTruth.baseline.goodHourAccuracy, 3)}`,
    String(r.trainingMs), f(r.singlePredictionMs.p50, 3), f(r.singlePredictionMs.p99, 3), String(r.batchRowsPerSecond),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  console.log('All data above is SYNTHETIC (simulated users with known peak hours); see subgraphs/insights/src/domain/synthetic.ts.');
}

export async function run() {
  const startedAt = new Date();
  const logs = [];
  await selectBackend(process.env, (entry) => logs.push(entry));
  const results = [];
  const noteResults = [];
  const skipped = {};
  for (const backend of BACKENDS) {
    try {
      await useBackend(backend);
    } catch (error) {
      skipped[backend] = error.message;
      progress(`skipping backend ${backend}: ${error.message}`);
      continue;
    }
    progress(`focus-forecast under ${backend}: training on synthetic data and measuring...`);
    results.push(await benchFocusForecast(backend));
    progress(`note-classifier under ${backend}...`);
    noteResults.push(await benchNotes(backend));
  }
  printTable(results);
  printNotes(noteResults);
  const report = {
    bench: 'ai',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    syntheticData: true,
    defaultBackendChoice: logs[0] ?? null,
    skippedBackends: skipped,
    settings: { users: USERS, weeks: WEEKS, heldOutUsers: HELDOUT_USERS, epochs: EPOCHS, predictions: PREDICTIONS },
    machine: { platform: platform(), release: release(), arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemoryMb: Math.round(totalmem() / 2 ** 20), loadavg: loadavg(), node: process.version },
    results,
    noteResults,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = `${RESULTS_DIR}ai-${startedAt.toISOString().replace(/:/g, '-')}.json`;
  writeFileSync(file, json);
  writeFileSync(`${RESULTS_DIR}ai-latest.json`, json);
  progress(`wrote ${file}`);
}
