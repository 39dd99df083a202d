/**
 * TensorFlow.js backend selection, once per process: tfjs-node ("tensorflow") when it loads (it is
 * never a dependency: install it yourself where libtensorflow is reachable), else wasm (the .wasm
 * ships inside @tensorflow/tfjs-backend-wasm, nothing downloads), else the pure-JS cpu backend.
 * TFJS_BACKEND=tensorflow|node|wasm|cpu forces one (and fails loudly when it cannot load).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Logger } from '@flowforge/runtime';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let wasmPathsSet = false;

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      const moduleName = '@tensorflow/tfjs-node'; // a variable: bundlers and tsc must not require it
      await import(moduleName);
      if (!tf.findBackendFactory('tensorflow')) return 'tfjs-node loaded but registered no "tensorflow" backend (a second copy of tfjs-core?)';
    }
    if (name === 'wasm' && !wasmPathsSet) {
      // Explicit file location: works in plain Node, in the built stack and under jest's VM.
      const require = createRequire(import.meta.url);
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
      wasmPathsSet = true;
    }
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name ? null : `setBackend("${name}") returned false`;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
}

export function parseBackendChoice(value: string | undefined): BackendName | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (v === 'node' || v === 'tfjs-node' || v === 'tensorflow') return 'tensorflow';
  if (v === 'wasm' || v === 'cpu') return v;
  throw new Error(`TFJS_BACKEND must be one of tensorflow (alias node), wasm, cpu; got "${value}".`);
}

let current: Promise<BackendName> | null = null;

/** Picks a backend by the rules above (uncached); logs the choice and why earlier candidates were skipped. */
export async function selectBackend(env: NodeJS.ProcessEnv = process.env, log?: Logger): Promise<BackendName> {
  tf.enableProdMode();
  const forced = parseBackendChoice(env.TFJS_BACKEND);
  const skipped: Record<string, string> = {};
  for (const name of forced ? [forced] : BACKENDS) {
    const failure = await tryBackend(name);
    if (failure === null) {
      log?.({ msg: `tfjs backend: ${name}`, backend: name, forced: Boolean(forced), skipped });
      return name;
    }
    skipped[name] = failure;
  }
  throw new Error(`No tfjs backend could start${forced ? ` (TFJS_BACKEND=${env.TFJS_BACKEND})` : ''}: ${JSON.stringify(skipped)}`);
}

/** selectBackend once per process (every subgraph in one process shares tfjs). */
export function initBackend(env: NodeJS.ProcessEnv = process.env, log?: Logger): Promise<BackendName> {
  current ??= selectBackend(env, log).catch((error) => {
    current = null;
    throw error;
  });
  return current;
}

/** Switches the process to `name` (tests and the bench run every model under wasm and cpu). */
export async function useBackend(name: BackendName, log?: Logger): Promise<void> {
  const failure = await tryBackend(name);
  if (failure !== null) throw new Error(`tfjs backend ${name} is not available: ${failure}`);
  current = Promise.resolve(name);
  tf.enableProdMode();
  log?.({ msg: `tfjs backend: ${name}`, backend: name, forced: true, skipped: {} });
}

export function activeBackend(): string {
  return tf.getBackend();
}
