// Jest global setup (plain ESM so it needs no transform): one stack for the whole run, in services
// mode when DATABASE_URL is set. Tests isolate themselves by creating their own users and orgs.
// Uses the BUILT code: `pnpm test` builds first.
import { startStackProcess } from './dist/stack-process.js';

export default async function globalSetup() {
  const portBase = Number(process.env.FLOWFORGE_TEST_PORT_BASE ?? 14000);
  const stack = await startStackProcess({ portBase });
  globalThis.flowforgeStack = stack;
  process.env.FLOWFORGE_TEST_GATEWAY_URL = stack.gatewayUrl;
  process.env.FLOWFORGE_TEST_PORT_BASE = String(portBase);
  process.env.FLOWFORGE_TEST_DATA_DIR = stack.dataDir;
}
