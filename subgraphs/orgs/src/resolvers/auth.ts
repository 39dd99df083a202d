import { decoyPasswordHash, verifyPassword } from '@flowforge/auth';
import { requireUser, unauthenticated } from '@flowforge/runtime';
import type { MutationResolvers } from '../generated/graphql.js';

const WRONG_CREDENTIALS = 'The email or password is not right.';

export const authMutations: Pick<MutationResolvers, 'signUp' | 'logIn' | 'refreshSession' | 'logOut'> = {
  signUp: (_parent, { input }, { accounts }) => accounts.signUp(input),

  async logIn(_parent, { input }, { db, sessions }) {
    const user = await db.user.findUnique({ where: { email: input.email.trim().toLowerCase() } });
    // Verify against a decoy hash for unknown emails so the response time does not reveal accounts.
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
    if (!user || !valid) throw unauthenticated(WRONG_CREDENTIALS);
    return sessions.start(user.id, await sessions.defaultOrganization(user.id));
  },

  refreshSession: (_parent, { refreshToken }, { sessions }) => sessions.refresh(refreshToken),

  async logOut(_parent, { refreshToken }, { sessions, identity }) {
    requireUser(identity);
    await sessions.logOut(refreshToken);
    return true;
  },
};
