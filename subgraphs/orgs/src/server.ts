import { loadSigningKey } from '@flowforge/auth';
import { startDatabaseSubgraph, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { createLoaders } from './data/loaders.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { AccountService } from './services/accounts.js';
import { MemberService } from './services/members.js';
import { SessionService } from './services/sessions.js';

export function startOrgsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'orgs',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    async setup(db, { env, events }) {
      const sessions = new SessionService(db, await loadSigningKey('access', env));
      const members = new MemberService(db, events);
      const accounts = new AccountService(db, sessions, events);
      return (base) => ({ ...base, db, sessions, members, accounts, loaders: createLoaders(db, base.identity) });
    },
  }, options);
}
