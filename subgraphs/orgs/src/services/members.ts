import { hashOpaqueToken, newOpaqueToken, type Identity, type Permission, type Role } from '@flowforge/auth';
import { badInput, forbidden, notFound, requireId, requireMember, requireText, requireUser, type SignedInIdentity } from '@flowforge/runtime';
import { assertAllowed, assertCanAssign, assertKeepsAnAdmin, INVITATION_TTL_MS } from '../domain/membership-rules.js';
import { normalizeEmail } from '../domain/profile.js';
import { OrgsEvents } from '@flowforge/events';
import type { Membership, PrismaClient } from '../generated/prisma/client.js';
import { memberEvent, membershipStartedEvents, type OrgsEventTools } from './events.js';

/**
 * Organization membership rules. Roles are always read from the database here (never trusted from
 * the token), so a demotion takes effect at once for everything the orgs subgraph does.
 */
export class MemberService {
  constructor(private readonly db: PrismaClient, private readonly events: OrgsEventTools) {}

  /** The caller's membership in `organizationId`, or FORBIDDEN. Unknown and foreign organizations look the same. */
  async membershipOf(identity: Identity, organizationId: string): Promise<Membership & { role: Role }> {
    const user = requireUser(identity);
    const membership = await this.db.membership.findUnique({ where: { organizationId_userId: { organizationId: requireId(organizationId, 'organizationId'), userId: user.userId } } });
    if (!membership) throw forbidden('You are not a member of that organization.');
    return membership;
  }

  /** The caller's membership in their ACTIVE organization, checked against a permission. */
  async activeMembership(identity: Identity, permission: Permission, action: string): Promise<Membership> {
    const member = requireMember(identity);
    const membership = await this.membershipOf(member, member.organizationId);
    assertAllowed(membership.role, permission, action);
    return membership;
  }

  async invite(identity: Identity, email: string, role: Role) {
    const inviter = await this.activeMembership(identity, 'org:members:invite', 'invite members');
    assertCanAssign(inviter.role, role);
    const address = normalizeEmail(email);
    const existing = await this.db.membership.findFirst({ where: { organizationId: inviter.organizationId, user: { email: address } } });
    if (existing) throw badInput(`${address} is already a member of this organization.`, 'email');
    const token = newOpaqueToken();
    const invitation = await this.db.invitation.create({
      data: { organizationId: inviter.organizationId, email: address, role, tokenHash: hashOpaqueToken(token), invitedById: inviter.userId, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) },
    });
    return { invitation, token };
  }

  async revokeInvitation(identity: Identity, invitationId: string) {
    const member = await this.activeMembership(identity, 'org:members:invite', 'revoke invitations');
    const invitation = await this.db.invitation.findFirst({ where: { id: requireId(invitationId, 'invitationId'), organizationId: member.organizationId } });
    if (!invitation) throw notFound('No invitation with that id in your active organization.');
    if (invitation.acceptedAt) throw badInput('That invitation was already accepted; remove the member instead.', 'invitationId');
    return this.db.invitation.update({ where: { id: invitation.id }, data: { revokedAt: invitation.revokedAt ?? new Date() } });
  }

  /** Consumes an invitation (single use, unexpired, addressed to the caller's email) and adds the membership. */
  async accept(identity: SignedInIdentity, token: string): Promise<Membership> {
    const user = await this.db.user.findUniqueOrThrow({ where: { id: identity.userId } });
    return this.events.transaction(async (tx) => {
      const invitation = await tx.invitation.findUnique({ where: { tokenHash: hashOpaqueToken(token) } });
      const unusable = 'This invitation is not valid: it may have expired, been used or been revoked. Ask for a new one.';
      if (!invitation || invitation.revokedAt || invitation.acceptedAt || invitation.expiresAt.getTime() <= Date.now()) throw badInput(unusable, 'token');
      if (invitation.email !== user.email) throw forbidden(`This invitation is addressed to another email address; sign in as its recipient to accept it.`);
      const claimed = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
      if (claimed.count === 0) throw badInput(unusable, 'token');
      const existing = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: invitation.organizationId, userId: user.id } } });
      if (existing) return existing;
      const membership = await tx.membership.create({ data: { organizationId: invitation.organizationId, userId: user.id, role: invitation.role } });
      await this.events.publish(tx, await membershipStartedEvents(tx, membership));
      return membership;
    });
  }

  private async targetIn(organizationId: string, membershipId: string): Promise<Membership> {
    const target = await this.db.membership.findFirst({ where: { id: requireId(membershipId, 'membershipId'), organizationId } });
    if (!target) throw notFound('No membership with that id in your active organization.');
    return target;
  }

  private adminCount(organizationId: string): Promise<number> {
    return this.db.membership.count({ where: { organizationId, role: 'ADMIN' } });
  }

  async changeRole(identity: Identity, membershipId: string, role: Role): Promise<Membership> {
    const admin = await this.activeMembership(identity, 'org:members:changeRole', 'change roles');
    const target = await this.targetIn(admin.organizationId, membershipId);
    assertKeepsAnAdmin(await this.adminCount(admin.organizationId), target, role);
    return this.events.transaction(async (tx) => {
      const updated = await tx.membership.update({ where: { id: target.id }, data: { role } });
      if (updated.role !== target.role) await this.events.publish(tx, [memberEvent(OrgsEvents.memberRoleChanged, updated, target.role)]);
      return updated;
    });
  }

  /** ADMINs remove anyone; every member may remove themselves (leave). */
  async remove(identity: Identity, membershipId: string): Promise<void> {
    const member = requireMember(identity);
    const caller = await this.membershipOf(member, member.organizationId);
    const target = await this.targetIn(caller.organizationId, membershipId);
    if (target.id !== caller.id) assertAllowed(caller.role, 'org:members:remove', 'remove other members');
    assertKeepsAnAdmin(await this.adminCount(caller.organizationId), target, null);
    await this.events.transaction(async (tx) => {
      const removed = await tx.membership.delete({ where: { id: target.id } });
      await tx.refreshToken.updateMany({ where: { userId: target.userId, organizationId: target.organizationId }, data: { organizationId: null } });
      await this.events.publish(tx, [memberEvent(OrgsEvents.memberLeft, removed)]);
    });
  }

  async createWorkspace(identity: Identity, name: string) {
    const admin = await this.activeMembership(identity, 'org:workspaces:manage', 'create workspaces');
    const cleanName = requireText(name, 'name', { max: 80 });
    if (await this.db.workspace.findFirst({ where: { organizationId: admin.organizationId, name: cleanName } })) throw badInput(`A workspace named "${cleanName}" already exists.`, 'name');
    return this.db.workspace.create({ data: { organizationId: admin.organizationId, name: cleanName } });
  }

  async createTeam(identity: Identity, name: string, workspaceId: string) {
    const manager = await this.activeMembership(identity, 'org:teams:manage', 'create teams');
    const cleanName = requireText(name, 'name', { max: 80 });
    const workspace = await this.db.workspace.findFirst({ where: { id: requireId(workspaceId, 'workspaceId'), organizationId: manager.organizationId } });
    if (!workspace) throw notFound('No workspace with that id in your active organization.');
    if (await this.db.team.findFirst({ where: { workspaceId: workspace.id, name: cleanName } })) throw badInput(`A team named "${cleanName}" already exists in ${workspace.name}.`, 'name');
    return this.db.team.create({ data: { organizationId: manager.organizationId, workspaceId: workspace.id, name: cleanName } });
  }

  async addTeamMember(identity: Identity, teamId: string, membershipId: string) {
    const manager = await this.activeMembership(identity, 'org:teams:manage', 'change teams');
    const team = await this.db.team.findFirst({ where: { id: requireId(teamId, 'teamId'), organizationId: manager.organizationId } });
    if (!team) throw notFound('No team with that id in your active organization.');
    const target = await this.targetIn(manager.organizationId, membershipId);
    await this.db.teamMember.upsert({ where: { teamId_membershipId: { teamId: team.id, membershipId: target.id } }, create: { teamId: team.id, membershipId: target.id }, update: {} });
    return team;
  }
}
