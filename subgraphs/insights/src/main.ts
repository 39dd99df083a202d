import { runUntilSignalled } from '@flowforge/runtime';
import { startInsightsSubgraph } from './server.js';

await runUntilSignalled(await startInsightsSubgraph());
