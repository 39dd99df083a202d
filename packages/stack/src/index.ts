import { startGateway } from '@flowforge/gateway';
import { createLogger, type RunningHttpServer, type StartOptions } from '@flowforge/runtime';
import { startCalendarSubgraph } from '@flowforge/subgraph-calendar';
import { startFocusSubgraph } from '@flowforge/subgraph-focus';
import { startHabitsSubgraph } from '@flowforge/subgraph-habits';
import { startInsightsSubgraph } from '@flowforge/subgraph-insights';
import { startIntegrationsSubgraph } from '@flowforge/subgraph-integrations';
import { startOrgsSubgraph } from '@flowforge/subgraph-orgs';

const SUBGRAPHS: ((options: StartOptions) => Promise<RunningHttpServer>)[] = [
  startOrgsSubgraph, startFocusSubgraph, startHabitsSubgraph, startCalendarSubgraph, startInsightsSubgraph, startIntegrationsSubgraph,
];

export interface RunningStack {
  gatewayUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the six subgraphs, then the gateway, in this process. With no DATABASE_URL each subgraph
 * opens its own PGlite database under the data directory; with it, its own schema in Postgres.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env): Promise<RunningStack> {
  const started = Date.now();
  const log = createLogger('stack', env);
  const subgraphs = await Promise.all(SUBGRAPHS.map((start) => start({ env })));
  const gateway = await startGateway({ env });
  log({ msg: 'FlowForge is up', mode: env.DATABASE_URL ? 'services' : 'embedded', gateway: gateway.url, startupMs: Date.now() - started });
  return {
    gatewayUrl: gateway.url,
    async close() {
      await gateway.close();
      await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
    },
  };
}
