import { hashPassword } from '@flowforge/auth';
import { badInput, requireText, requireUser, type SignedInIdentity } from '@flowforge/runtime';
import { DEFAULT_WORKING_HOURS, normalizeEmail, readWorkingHours, validateName, validatePassword, validateTimeZone, validateWorkingHours, type WorkingHours } from '../domain/profile.js';
import type { Identity } from '@flowforge/auth';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { membershipStartedEvents, profileEvents, type OrgsEventTools } from './events.js';
import type { IssuedSession, SessionService } from './sessions.js';

export interface SignUpInput { email: string; password: string; name: string; timezone?: string | null }
export interface ProfileInput { name?: string | null; timezone?: string | null; workingHours?: WorkingHours | null }

const sameHours = (a: WorkingHours, b: WorkingHours) => a.start === b.start && a.end === b.end && a.days.join() === b.days.join();

/** Accounts and organizations: each change and its events commit in one transaction. */
export class AccountService {
  constructor(private readonly db: PrismaClient, private readonly sessions: SessionService, private readonly events: OrgsEventTools) {}

  async signUp(input: SignUpInput): Promise<IssuedSession> {
    const email = normalizeEmail(input.email);
    const name = validateName(input.name);
    const timezone = validateTimeZone(input.timezone ?? 'UTC');
    const passwordHash = await hashPassword(validatePassword(input.password));
    if (await this.db.user.findUnique({ where: { email } })) throw badInput('An account with this email already exists; log in instead.', 'email');
    return this.events.transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name, timezone, passwordHash, workingHours: { ...DEFAULT_WORKING_HOURS } } });
      await this.events.publish(tx, profileEvents(user, []));
      return this.sessions.start(user.id, null, tx);
    });
  }

  /** Updates the caller's profile; a time zone or working-hours change is announced to each of their organizations. */
  async updateProfile(identity: Identity, input: ProfileInput): Promise<User> {
    const { userId } = requireUser(identity);
    const name = input.name == null ? undefined : validateName(input.name);
    const timezone = input.timezone == null ? undefined : validateTimeZone(input.timezone);
    const workingHours = input.workingHours == null ? undefined : validateWorkingHours(input.workingHours);
    return this.events.transaction(async (tx) => {
      const before = await tx.user.findUniqueOrThrow({ where: { id: userId } });
      const user = await tx.user.update({
        where: { id: userId },
        data: { ...(name !== undefined && { name }), ...(timezone !== undefined && { timezone }), ...(workingHours !== undefined && { workingHours: { ...workingHours } }) },
      });
      if (user.timezone !== before.timezone || !sameHours(readWorkingHours(user.workingHours), readWorkingHours(before.workingHours))) {
        const memberships = await tx.membership.findMany({ where: { userId }, select: { organizationId: true }, orderBy: { createdAt: 'asc' } });
        await this.events.publish(tx, profileEvents(user, memberships.map((m) => m.organizationId)));
      }
      return user;
    });
  }

  /** Creates an organization with the caller as ADMIN (and a Default workspace) and switches the sign-in to it. */
  async createOrganization(identity: Identity, rawName: string): Promise<IssuedSession> {
    const user: SignedInIdentity = requireUser(identity);
    const name = requireText(rawName, 'name', { max: 120 });
    return this.events.transaction(async (tx) => {
      const organization = await tx.organization.create({ data: { name } });
      const membership = await tx.membership.create({ data: { organizationId: organization.id, userId: user.userId, role: 'ADMIN' } });
      await tx.workspace.create({ data: { organizationId: organization.id, name: 'Default' } });
      await this.events.publish(tx, await membershipStartedEvents(tx, membership));
      return user.sessionId ? this.sessions.switchOrganization(user.userId, user.sessionId, organization.id, tx) : this.sessions.start(user.userId, organization.id, tx);
    });
  }
}
