import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { createLogger, startSubgraph, type StartOptions } from '@flowforge/runtime';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { AiModelRepository } from './data/models.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { InsightsService } from './services/insights.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function startInsightsSubgraph(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('insights', env);
  const database = await openDatabase(resolveDatabaseTarget('insights', env), { migrationsDir: root('prisma/migrations'), log: (msg) => log({ msg }) });
  const db = new PrismaClient({ adapter: database.adapter });
  const models = new AiModelRepository(db);
  const insights = new InsightsService(models);
  return startSubgraph<Context>({
    name: 'insights',
    schemaPath: root('schema.graphql'),
    resolvers: resolvers as never,
    createContext: (base) => ({ ...base, models, insights }),
    ready: async () => (await database.query('select 1 as ok')).length === 1,
    onClose: async () => {
      await db.$disconnect();
      await database.close();
    },
  }, { ...options, env, log });
}
