import { loadSigningKey } from '@flowforge/auth';
import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { createLogger, startSubgraph, type StartOptions } from '@flowforge/runtime';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { createLoaders } from './data/loaders.js';
import { PrismaClient } from './generated/prisma/client.js';
import { resolvers } from './resolvers/index.js';
import { MemberService } from './services/members.js';
import { SessionService } from './services/sessions.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export async function startOrgsSubgraph(options: StartOptions = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger('orgs', env);
  const database = await openDatabase(resolveDatabaseTarget('orgs', env), { migrationsDir: root('prisma/migrations'), log: (msg) => log({ msg }) });
  const db = new PrismaClient({ adapter: database.adapter });
  const sessions = new SessionService(db, await loadSigningKey('access', env));
  const members = new MemberService(db);
  return startSubgraph<Context>({
    name: 'orgs',
    schemaPath: root('schema.graphql'),
    resolvers: resolvers as never,
    createContext: (base) => ({ ...base, db, sessions, members, loaders: createLoaders(db, base.identity) }),
    ready: async () => (await database.query('select 1 as ok')).length === 1,
    onClose: async () => {
      await db.$disconnect();
      await database.close();
    },
  }, { ...options, env, log });
}
