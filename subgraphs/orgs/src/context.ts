import type { SubgraphContext } from '@flowforge/runtime';
import type { Loaders } from './data/loaders.js';
import type { PrismaClient } from './generated/prisma/client.js';
import type { AccountService } from './services/accounts.js';
import type { MemberService } from './services/members.js';
import type { SessionService } from './services/sessions.js';

export interface Context extends SubgraphContext {
  db: PrismaClient;
  loaders: Loaders;
  sessions: SessionService;
  members: MemberService;
  accounts: AccountService;
}
