import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STACK_MAIN = fileURLToPath(new URL('../../stack/dist/main.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

export interface StackProcess {
  gatewayUrl: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StackProcessOptions {
  portBase: number;
  /** Embedded (PGlite, in-process bus, in-memory cache) even when service URLs are set in the environment. */
  embedded?: boolean;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs the BUILT product (packages/stack/dist/main.js) as a child process, as `pnpm start` does. */
export async function startStackProcess(options: StackProcessOptions): Promise<StackProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flowforge-test-'));
  // Tests sign up hundreds of users from one address: lift the anonymous limit unless a test sets its own.
  const env: NodeJS.ProcessEnv = { RATE_LIMIT_ANONYMOUS_BURST: '100000', ...process.env, ...options.env, FLOWFORGE_PORT_BASE: String(options.portBase), FLOWFORGE_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  // Embedded means no services at all. A second stack on the same Kafka would also join the first
  // stack's consumer groups and take events meant for it.
  if (options.embedded) for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS']) delete env[name];
  const child = spawn(process.execPath, [STACK_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const gatewayUrl = `http://127.0.0.1:${options.portBase}/graphql`;
  const readyUrl = `http://127.0.0.1:${options.portBase}/readyz`;

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The FlowForge stack exited during startup (code ${child.exitCode}):\n${output.slice(-4000)}`);
    try {
      if ((await fetch(readyUrl)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The FlowForge stack was not ready within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    gatewayUrl,
    dataDir,
    process: child,
    output: () => output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }),
  };
}
