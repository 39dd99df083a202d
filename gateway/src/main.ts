import { runUntilSignalled } from '@flowforge/runtime';
import { startGateway } from './server.js';

await runUntilSignalled(await startGateway());
