import { runUntilSignalled } from '@flowforge/runtime';
import { startIntegrationsSubgraph } from './server.js';

await runUntilSignalled(await startIntegrationsSubgraph());
