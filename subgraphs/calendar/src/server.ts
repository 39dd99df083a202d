import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { createLogger, startSubgraph, type StartOptions } from '@flowforge/runtime';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { CalendarEventRepository } from './data/events.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { CalendarService } from './services/calendar.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function startCalendarSubgraph(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('calendar', env);
  const database = await openDatabase(resolveDatabaseTarget('calendar', env), { migrationsDir: root('prisma/migrations'), log: (msg) => log({ msg }) });
  const db = new PrismaClient({ adapter: database.adapter });
  const events = new CalendarEventRepository(db);
  const calendar = new CalendarService(events);
  return startSubgraph<Context>({
    name: 'calendar',
    schemaPath: root('schema.graphql'),
    resolvers: resolvers as never,
    createContext: (base) => ({ ...base, events, calendar }),
    ready: async () => (await database.query('select 1 as ok')).length === 1,
    onClose: async () => {
      await db.$disconnect();
      await database.close();
    },
  }, { ...options, env, log });
}
