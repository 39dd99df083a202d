import { runUntilSignalled } from '@flowforge/runtime';
import { startHabitsSubgraph } from './server.js';

await runUntilSignalled(await startHabitsSubgraph());
