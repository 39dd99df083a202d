import { runUntilSignalled } from '@flowforge/runtime';
import { startCalendarSubgraph } from './server.js';

await runUntilSignalled(await startCalendarSubgraph());
