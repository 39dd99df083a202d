import { startGateway } from '@flowforge/gateway';
import { createEventBus, createLogger, type EventBus, type RunningHttpServer, type StartOptions } from '@flowforge/runtime';
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
  /** The one event bus every subgraph and the gateway in this process share. */
  events: EventBus;
  close(): Promise<void>;
}

/**
 * Starts the six subgraphs, then the gateway, in this process. With no DATABASE_URL each subgraph
 * opens its own PGlite database under the data directory; with it, its own schema in Postgres.
 * One event bus (Kafka with KAFKA_BROKERS, else in-process) is shared by all of them and closed last.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env): Promise<RunningStack> {
  const started = Date.now();
  const log = createLogger('stack', env);
  const events = createEventBus(env, { clientId: 'flowforge-stack', log: createLogger('events', env) });
  if (env.DATABASE_URL && events.kind === 'in-process') {
    log({ level: 'warn', msg: 'DATABASE_URL without KAFKA_BROKERS: events stay inside this process, so several FlowForge processes on one database do not see each other\'s events' });
  }
  const results = await Promise.allSettled(SUBGRAPHS.map((start) => start({ env, events })));
  const subgraphs = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const gateway = await startGateway({ env, events });
    log({ msg: 'FlowForge is up', mode: env.DATABASE_URL ? 'services' : 'embedded', events: events.kind, gateway: gateway.url, startupMs: Date.now() - started });
    return {
      gatewayUrl: gateway.url,
      events,
      async close() {
        await gateway.close();
        await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
        await events.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(subgraphs.map((subgraph) => subgraph.close()));
    await events.close().catch(() => {});
    throw error;
  }
}
