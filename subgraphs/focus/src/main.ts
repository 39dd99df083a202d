import { runUntilSignalled } from '@flowforge/runtime';
import { startFocusSubgraph } from './server.js';

await runUntilSignalled(await startFocusSubgraph());
