import { can, type Identity, type Permission, type Role } from '@flowforge/auth';
import { forbidden, unauthenticated } from './errors.js';

export interface SignedInIdentity extends Identity { userId: string }
export interface MemberIdentity extends SignedInIdentity { organizationId: string; role: Role }

export function requireUser(identity: Identity): SignedInIdentity {
  if (!identity.userId) throw unauthenticated();
  return identity as SignedInIdentity;
}

/** A signed-in user acting inside their active organization. */
export function requireMember(identity: Identity): MemberIdentity {
  const user = requireUser(identity);
  if (!user.organizationId || !user.role) {
    throw forbidden('You have no active organization. Create one with createOrganization or switch with switchOrganization.');
  }
  return user as MemberIdentity;
}

export function requirePermission(identity: Identity, permission: Permission): MemberIdentity {
  const member = requireMember(identity);
  if (!can(member.role, permission)) {
    throw forbidden(`Your role ${member.role} does not allow ${permission.replaceAll(':', ' ')} in this organization.`);
  }
  return member;
}
