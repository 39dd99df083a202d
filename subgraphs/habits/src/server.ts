import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { createLogger, startSubgraph, type StartOptions } from '@flowforge/runtime';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { HabitRepository } from './data/habits.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { HabitService } from './services/habits.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function startHabitsSubgraph(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('habits', env);
  const database = await openDatabase(resolveDatabaseTarget('habits', env), { migrationsDir: root('prisma/migrations'), log: (msg) => log({ msg }) });
  const db = new PrismaClient({ adapter: database.adapter });
  const habits = new HabitRepository(db);
  const habitService = new HabitService(habits);
  return startSubgraph<Context>({
    name: 'habits',
    schemaPath: root('schema.graphql'),
    resolvers: resolvers as never,
    createContext: (base) => ({ ...base, habits, habitService }),
    ready: async () => (await database.query('select 1 as ok')).length === 1,
    onClose: async () => {
      await db.$disconnect();
      await database.close();
    },
  }, { ...options, env, log });
}
