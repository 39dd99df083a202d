import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { CalendarEventRepository } from './data/events.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { CalendarService } from './services/calendar.js';

export function startCalendarSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'calendar',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    setup(db) {
      const events = new CalendarEventRepository(db);
      const calendar = new CalendarService(events);
      return (base) => ({ ...base, events, calendar });
    },
  }, options);
}
