import { decoyPasswordHash, hashPassword, verifyPassword } from '@flowforge/auth';
import { badInput, requireUser, unauthenticated } from '@flowforge/runtime';
import { DEFAULT_WORKING_HOURS, normalizeEmail, validateName, validatePassword, validateTimeZone } from '../domain/profile.js';
import type { MutationResolvers } from '../generated/graphql.js';

const WRONG_CREDENTIALS = 'The email or password is not right.';

export const authMutations: Pick<MutationResolvers, 'signUp' | 'logIn' | 'refreshSession' | 'logOut'> = {
  async signUp(_parent, { input }, { db, sessions }) {
    const email = normalizeEmail(input.email);
    const name = validateName(input.name);
    const timezone = validateTimeZone(input.timezone ?? 'UTC');
    const passwordHash = await hashPassword(validatePassword(input.password));
    if (await db.user.findUnique({ where: { email } })) throw badInput('An account with this email already exists; log in instead.', 'email');
    return db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name, timezone, passwordHash, workingHours: { ...DEFAULT_WORKING_HOURS } } });
      return sessions.start(user.id, null, tx);
    });
  },

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
