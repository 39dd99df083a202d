import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { HabitRepository } from './data/habits.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { HabitService } from './services/habits.js';

export function startHabitsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'habits',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    setup(db) {
      const habits = new HabitRepository(db);
      const habitService = new HabitService(habits);
      return (base) => ({ ...base, habits, habitService });
    },
  }, options);
}
