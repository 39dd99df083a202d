import { runUntilSignalled } from '@flowforge/runtime';
import { startOrgsSubgraph } from './server.js';

await runUntilSignalled(await startOrgsSubgraph());
