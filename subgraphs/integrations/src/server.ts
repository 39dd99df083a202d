import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { ConnectionRepository } from './data/connections.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { IntegrationsService } from './services/integrations.js';

export function startIntegrationsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'integrations',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    setup(db) {
      const connections = new ConnectionRepository(db);
      const integrations = new IntegrationsService(connections);
      return (base) => ({ ...base, connections, integrations });
    },
  }, options);
}
