import { assignableRoles, can, type Permission, type Role } from '@flowforge/auth';
import { badInput, forbidden } from '@flowforge/runtime';

export function assertAllowed(role: Role, permission: Permission, action: string): void {
  if (!can(role, permission)) throw forbidden(`Your role ${role} cannot ${action}; ask an ADMIN of the organization.`);
}

export function assertCanAssign(inviterRole: Role, role: Role): void {
  if (!assignableRoles(inviterRole).includes(role)) {
    throw forbidden(`A ${inviterRole} can only hand out the roles ${assignableRoles(inviterRole).join(', ')}.`);
  }
}

/** An organization always keeps at least one ADMIN, or nobody could manage it again. */
export function assertKeepsAnAdmin(adminCount: number, target: { role: Role }, newRole: Role | null): void {
  if (target.role === 'ADMIN' && newRole !== 'ADMIN' && adminCount <= 1) {
    throw badInput('This is the organization\'s last ADMIN; make another member ADMIN first.', 'membershipId');
  }
}

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
