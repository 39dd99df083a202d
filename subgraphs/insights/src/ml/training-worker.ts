/**
 * Worker-thread entry (node:worker_threads) for training off the subgraph's event loop; started by
 * FocusTrainer (focus-trainer.ts), one fresh worker per training. It gets plain data through
 * workerData (observations + options + the main thread's backend name; no Prisma, no database),
 * switches tfjs to that same backend (backend.ts resolves the wasm files from this file's own
 * location, so they load here too), cross-validates and fits, and posts back the serialized model
 * (topology + weight specs + the weights ArrayBuffer, transferred) and the metrics. The main thread
 * checks and loads the result, writes the artifact and the registry row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBackendChoice, useBackend } from './backend.js';
import { serializeModel, type FocusTrainingRequest, type FocusTrainingResponse } from './focus-trainer.js';
import { trainFocusForecast } from './focus-model.js';

async function main(request: FocusTrainingRequest): Promise<void> {
  let response: FocusTrainingResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const backend = parseBackendChoice(request.backend);
    if (!backend) throw new Error('the training request names no tfjs backend');
    await useBackend(backend);
    const trained = await trainFocusForecast(request.observations, request.options);
    try {
      const artifacts = await serializeModel(trained.model);
      const { model: _model, ...rest } = trained;
      response = { ok: true, backend, ...rest, artifacts };
      transfer = [artifacts.weightData];
    } finally {
      trained.model.dispose();
    }
  } catch (error) {
    response = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(response, transfer);
}

if (parentPort) await main(workerData as FocusTrainingRequest);
