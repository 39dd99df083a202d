import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { SessionRepository } from './data/sessions.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { FocusService } from './services/focus.js';

export function startFocusSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'focus',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    setup(db, { events }) {
      const sessions = new SessionRepository(db);
      const focus = new FocusService(sessions, events);
      return (base) => ({ ...base, sessions, focus });
    },
  }, options);
}
