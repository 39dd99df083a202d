import { topicOf } from '@flowforge/events';
import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { ProfileStore } from './data/profiles.js';
import { CONSUMER, createEventHandler } from './events/consumers.js';
import type { EventTools } from './events/envelope.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { GoalService } from './services/goals.js';
import { HabitService } from './services/habits.js';

export function startHabitsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'habits',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    async setup(db, { events }) {
      const tools: EventTools = { publish: (tx, list) => events.publish(tx, list), transaction: (fn) => events.transaction(fn) };
      const profiles = new ProfileStore(db);
      const goalService = new GoalService(db, profiles, tools);
      const habitService = new HabitService(db, profiles, goalService, tools);
      // Focus sessions move FOCUS_* goals; orgs profile changes keep the time-zone projection current.
      await events.subscribe(CONSUMER, [topicOf('focus'), topicOf('orgs')], createEventHandler(profiles, goalService));
      return (base) => ({ ...base, habitService, goalService });
    },
  }, options);
}
