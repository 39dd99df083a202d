import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { AiModelRepository } from './data/models.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { InsightsService } from './services/insights.js';

export function startInsightsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'insights',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    setup(db) {
      const models = new AiModelRepository(db);
      const insights = new InsightsService(models);
      return (base) => ({ ...base, models, insights });
    },
  }, options);
}
