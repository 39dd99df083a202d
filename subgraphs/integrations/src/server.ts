import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { createLogger, startSubgraph, type StartOptions } from '@flowforge/runtime';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { ConnectionRepository } from './data/connections.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { IntegrationsService } from './services/integrations.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function startIntegrationsSubgraph(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('integrations', env);
  const database = await openDatabase(resolveDatabaseTarget('integrations', env), { migrationsDir: root('prisma/migrations'), log: (msg) => log({ msg }) });
  const db = new PrismaClient({ adapter: database.adapter });
  const connections = new ConnectionRepository(db);
  const integrations = new IntegrationsService(connections);
  return startSubgraph<Context>({
    name: 'integrations',
    schemaPath: root('schema.graphql'),
    resolvers: resolvers as never,
    createContext: (base) => ({ ...base, connections, integrations }),
    ready: async () => (await database.query('select 1 as ok')).length === 1,
    onClose: async () => {
      await db.$disconnect();
      await database.close();
    },
  }, { ...options, env, log });
}
