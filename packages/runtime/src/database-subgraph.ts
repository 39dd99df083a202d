import { openDatabase, resolveDatabaseTarget, type Database } from '@flowforge/db';
import { fileURLToPath } from 'node:url';
import type { RunningHttpServer } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { startSubgraph, type StartOptions, type SubgraphContext, type SubgraphDefinition } from './subgraph.js';

export interface DatabaseSubgraphDefinition<TContext extends SubgraphContext, TClient extends { $disconnect(): Promise<void> }>
  extends Pick<SubgraphDefinition<TContext>, 'name' | 'resolvers'> {
  /** The subgraph's package folder: it holds schema.graphql and prisma/migrations. */
  root: URL;
  /** Wraps the driver adapter in the subgraph's own generated Prisma client. */
  createClient(adapter: Database['adapter']): TClient;
  /** Builds the long-lived services once and returns how to extend each request's context. */
  setup(client: TClient, tools: { env: NodeJS.ProcessEnv; log: Logger }): Promise<(base: SubgraphContext) => TContext> | ((base: SubgraphContext) => TContext);
}

/**
 * The bootstrap every subgraph shares: open its database (PGlite or its Postgres schema) with
 * migrations applied, build its Prisma client and services, serve it, and close all of it on stop.
 */
export async function startDatabaseSubgraph<TContext extends SubgraphContext, TClient extends { $disconnect(): Promise<void> }>(
  definition: DatabaseSubgraphDefinition<TContext, TClient>,
  options: StartOptions = {},
): Promise<RunningHttpServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger(definition.name, env);
  const path = (relative: string) => fileURLToPath(new URL(relative, definition.root));
  const database = await openDatabase(resolveDatabaseTarget(definition.name, env), { migrationsDir: path('prisma/migrations'), log: (msg) => log({ msg }) });
  const client = definition.createClient(database.adapter);
  const close = async () => {
    await client.$disconnect();
    await database.close();
  };
  try {
    const createContext = await definition.setup(client, { env, log });
    return await startSubgraph<TContext>({
      name: definition.name,
      schemaPath: path('schema.graphql'),
      resolvers: definition.resolvers,
      createContext,
      ready: async () => (await database.query('select 1 as ok')).length === 1,
      onClose: close,
    }, { ...options, env, log });
  } catch (error) {
    await close();
    throw error;
  }
}
