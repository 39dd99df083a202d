import { can } from '@flowforge/auth';
import { requireId, requireUser } from '@flowforge/runtime';
import { forbidden } from '@flowforge/runtime';
import type { Context } from '../context.js';
import type { MutationResolvers, OrganizationResolvers, QueryResolvers } from '../generated/graphql.js';

/** The caller's role in an organization, from the per-request loader (one query however many fields ask). */
export async function callerRoleIn({ identity, loaders }: Context, organizationId: string) {
  const user = requireUser(identity);
  const membership = (await loaders.membershipsOfUser.load(user.userId)).find((row) => row.organizationId === organizationId);
  if (!membership) throw forbidden('You are not a member of that organization.');
  return membership.role;
}

export const organizationQueries: Pick<QueryResolvers, 'organization'> = {
  async organization(_parent, { id }, { members, loaders, identity }) {
    await members.membershipOf(identity, id);
    return loaders.organizations.load(requireId(id, 'id'));
  },
};

export const organizationMutations: Pick<MutationResolvers, 'createOrganization' | 'switchOrganization' | 'inviteMember' | 'revokeInvitation' | 'acceptInvitation' | 'changeMemberRole' | 'removeMember' | 'createWorkspace' | 'createTeam' | 'addTeamMember'> = {
  createOrganization: (_parent, { input }, { accounts, identity }) => accounts.createOrganization(identity, input.name),

  async switchOrganization(_parent, { organizationId }, { members, sessions, identity }) {
    const user = requireUser(identity);
    const membership = await members.membershipOf(user, organizationId);
    return user.sessionId ? sessions.switchOrganization(user.userId, user.sessionId, membership.organizationId) : sessions.start(user.userId, membership.organizationId);
  },

  inviteMember: (_parent, { input }, { members, identity }) => members.invite(identity, input.email, input.role),
  revokeInvitation: (_parent, { invitationId }, { members, identity }) => members.revokeInvitation(identity, invitationId),

  async acceptInvitation(_parent, { token }, { members, sessions, identity }) {
    const user = requireUser(identity);
    const membership = await members.accept(user, token);
    return user.sessionId ? sessions.switchOrganization(user.userId, user.sessionId, membership.organizationId) : sessions.start(user.userId, membership.organizationId);
  },

  changeMemberRole: (_parent, { membershipId, role }, { members, identity }) => members.changeRole(identity, membershipId, role),

  async removeMember(_parent, { membershipId }, { members, identity }) {
    await members.remove(identity, membershipId);
    return true;
  },

  createWorkspace: (_parent, { name }, { members, identity }) => members.createWorkspace(identity, name),
  createTeam: (_parent, { input }, { members, identity }) => members.createTeam(identity, input.name, input.workspaceId),
  addTeamMember: (_parent, { teamId, membershipId }, { members, identity }) => members.addTeamMember(identity, teamId, membershipId),
};

export const Organization: OrganizationResolvers = {
  async __resolveReference(reference, context) {
    await callerRoleIn(context, reference.id);
    return context.loaders.organizations.load(reference.id);
  },
  async members(organization, _args, context) {
    await callerRoleIn(context, organization.id);
    return context.loaders.membersOfOrganization.load(organization.id);
  },
  async workspaces(organization, _args, context) {
    await callerRoleIn(context, organization.id);
    return context.db.workspace.findMany({ where: { organizationId: organization.id }, orderBy: { createdAt: 'asc' } });
  },
  async teams(organization, _args, context) {
    await callerRoleIn(context, organization.id);
    return context.db.team.findMany({ where: { organizationId: organization.id }, orderBy: { createdAt: 'asc' } });
  },
  async invitations(organization, _args, context) {
    const { db } = context;
    const role = await callerRoleIn(context, organization.id);
    if (!can(role, 'org:members:invite')) return [];
    return db.invitation.findMany({ where: { organizationId: organization.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: 'asc' } });
  },
  createdAt: (organization) => organization.createdAt,
};
