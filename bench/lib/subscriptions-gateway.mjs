// The gateway under test for `pnpm bench subscriptions`: the BUILT FlowForge gateway in a child
// process (forked with IPC and --expose-gc by bench/subscriptions.mjs) in front of the bench
// stack's subgraphs, fed by an in-process event bus that the parent publishes into over IPC.
//
// argv[2]: JSON { port, portBase, dataDir }
// IPC in:  { type: 'publish', event }  -> out: { type: 'published' }
//          { type: 'stats' }           -> out: { type: 'stats', memory, hub } (after a full GC)
// IPC out: { type: 'ready' } once listening and consuming, { type: 'failed', error } if it cannot start.
import { startGateway } from '../../gateway/dist/index.js';
import { InProcessEventBus } from '../../packages/events/dist/index.js';

const { port, portBase, dataDir } = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(0));

try {
  const bus = new InProcessEventBus();
  const gateway = await startGateway({
    env: { ...process.env, FLOWFORGE_PORT_BASE: String(portBase), FLOWFORGE_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    port,
    events: bus,
  });
  while (gateway.subscriptions.busState() !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
  process.on('message', async (message) => {
    if (message?.type === 'publish') {
      await bus.publish('flowforge.focus', [message.event]);
      process.send({ type: 'published' });
    } else if (message?.type === 'stats') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      process.send({ type: 'stats', memory: process.memoryUsage(), hub: gateway.subscriptions.stats() });
    }
  });
  const stop = () => gateway.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.send({ type: 'ready' });
} catch (error) {
  process.send({ type: 'failed', error: error?.stack ?? String(error) }, () => process.exit(1));
}
