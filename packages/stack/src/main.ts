import { runUntilSignalled } from '@flowforge/runtime';
import { startStack } from './index.js';

await runUntilSignalled(await startStack());
