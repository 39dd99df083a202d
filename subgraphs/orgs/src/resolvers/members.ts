import type { InvitationResolvers, MembershipResolvers, SessionResolvers, TeamResolvers, WorkspaceResolvers } from '../generated/graphql.js';
import { callerRoleIn } from './organizations.js';

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const row = await value;
  if (!row) throw new Error(`${what} vanished while resolving`);
  return row;
}

export const Membership: MembershipResolvers = {
  user: (membership, _args, { loaders }) => required(loaders.users.load(membership.userId), 'membership user'),
  organization: (membership, _args, { loaders }) => required(loaders.organizations.load(membership.organizationId), 'membership organization'),
  joinedAt: (membership) => membership.createdAt,
};

export const Workspace: WorkspaceResolvers = {
  async __resolveReference(reference, context) {
    const workspace = await context.loaders.workspaces.load(reference.id);
    if (!workspace) return null;
    await callerRoleIn(context, workspace.organizationId);
    return workspace;
  },
  teams: (workspace, _args, { db }) => db.team.findMany({ where: { workspaceId: workspace.id }, orderBy: { createdAt: 'asc' } }),
};

export const Team: TeamResolvers = {
  async __resolveReference(reference, context) {
    const team = await context.loaders.teams.load(reference.id);
    if (!team) return null;
    await callerRoleIn(context, team.organizationId);
    return team;
  },
  workspace: (team, _args, { loaders }) => required(loaders.workspaces.load(team.workspaceId), 'team workspace'),
  organization: (team, _args, { loaders }) => required(loaders.organizations.load(team.organizationId), 'team organization'),
  members: (team, _args, { db }) => db.membership.findMany({ where: { teams: { some: { teamId: team.id } } }, orderBy: { createdAt: 'asc' } }),
  /** The members' user ids: the same rows as `members`, and only for a member of the team's organization. */
  async memberUserIds(team, _args, context) {
    await callerRoleIn(context, team.organizationId);
    const rows = await context.db.membership.findMany({ where: { organizationId: team.organizationId, teams: { some: { teamId: team.id } } }, orderBy: { createdAt: 'asc' }, select: { userId: true } });
    return rows.map((row) => row.userId);
  },
};

export const Invitation: InvitationResolvers = {
  accepted: (invitation) => invitation.acceptedAt !== null,
  revoked: (invitation) => invitation.revokedAt !== null,
};

export const Session: SessionResolvers = {
  user: (session, _args, { loaders }) => required(loaders.users.load(session.userId), 'session user'),
  activeOrganization: (session, _args, { loaders }) => (session.organizationId ? loaders.organizations.load(session.organizationId) : null),
};
