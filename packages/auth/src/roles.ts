export const ROLES = ['ADMIN', 'MANAGER', 'USER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * The permission matrix: every action a subgraph checks, and the roles allowed to take it.
 * Actions on one's own profile need no role (any signed-in user); everything scoped to an
 * organization needs a membership role from this table.
 */
export const PERMISSIONS = {
  'org:read': ['ADMIN', 'MANAGER', 'USER', 'VIEWER'],
  'org:update': ['ADMIN'],
  'org:members:read': ['ADMIN', 'MANAGER', 'USER', 'VIEWER'],
  'org:members:invite': ['ADMIN', 'MANAGER'],
  'org:members:changeRole': ['ADMIN'],
  'org:members:remove': ['ADMIN'],
  'org:workspaces:manage': ['ADMIN'],
  'org:teams:manage': ['ADMIN', 'MANAGER'],
  'focus:own:write': ['ADMIN', 'MANAGER', 'USER'],
  'focus:own:read': ['ADMIN', 'MANAGER', 'USER', 'VIEWER'],
  'focus:members:read': ['ADMIN', 'MANAGER'],
  'domain:own:write': ['ADMIN', 'MANAGER', 'USER'],
  'domain:own:read': ['ADMIN', 'MANAGER', 'USER', 'VIEWER'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles a member with `role` may hand out when inviting (nobody invites above their own rank). */
export function assignableRoles(role: Role): readonly Role[] {
  return ROLES.slice(ROLES.indexOf(role));
}
