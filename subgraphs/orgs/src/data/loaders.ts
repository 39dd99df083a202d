import DataLoader from 'dataloader';
import type { Identity } from '@flowforge/auth';
import type { Membership, Organization, PrismaClient, User, Workspace, Team } from '../generated/prisma/client.js';

function byId<T extends { id: string }>(ids: readonly string[], rows: T[]): (T | null)[] {
  const map = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => map.get(id) ?? null);
}

/** Per-request batch loaders, so a list of members costs one query per level, never one per row. */
export function createLoaders(db: PrismaClient, identity: Identity) {
  const users = new DataLoader<string, User | null>(async (ids) => byId(ids, await db.user.findMany({ where: { id: { in: [...ids] } } })));
  const callerMemberships = new DataLoader<string, Membership[]>(async (userIds) => {
    const rows = await db.membership.findMany({ where: { userId: { in: [...userIds] } }, orderBy: { createdAt: 'asc' } });
    return userIds.map((id) => rows.filter((row) => row.userId === id));
  });
  return {
    users,
    /** Users the caller may see: themselves and anyone sharing one of their organizations. */
    visibleUsers: new DataLoader<string, User | null>(async (ids) => {
      if (!identity.userId) return ids.map(() => null);
      const callerOrgs = (await callerMemberships.load(identity.userId)).map((m) => m.organizationId);
      const shared = await db.membership.findMany({ where: { userId: { in: [...ids] }, organizationId: { in: callerOrgs } }, select: { userId: true } });
      const visible = new Set([identity.userId, ...shared.map((row) => row.userId)]);
      const rows = await users.loadMany(ids.filter((id) => visible.has(id)));
      return byId(ids, rows.filter((row): row is User => row !== null && !(row instanceof Error)));
    }),
    organizations: new DataLoader<string, Organization | null>(async (ids) => byId(ids, await db.organization.findMany({ where: { id: { in: [...ids] } } }))),
    workspaces: new DataLoader<string, Workspace | null>(async (ids) => byId(ids, await db.workspace.findMany({ where: { id: { in: [...ids] } } }))),
    teams: new DataLoader<string, Team | null>(async (ids) => byId(ids, await db.team.findMany({ where: { id: { in: [...ids] } } }))),
    membershipsOfUser: callerMemberships,
    membersOfOrganization: new DataLoader<string, Membership[]>(async (orgIds) => {
      const rows = await db.membership.findMany({ where: { organizationId: { in: [...orgIds] } }, orderBy: { createdAt: 'asc' } });
      return orgIds.map((id) => rows.filter((row) => row.organizationId === id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
