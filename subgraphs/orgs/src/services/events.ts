import { createEvent, OrgsEvents, type EventEnvelope, type MemberEventData, type UserProfileChangedData } from '@flowforge/events';
import type { SubgraphEvents } from '@flowforge/runtime';
import { readWorkingHours } from '../domain/profile.js';
import type { Membership, PrismaClient, User } from '../generated/prisma/client.js';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
export type OrgsEventTools = SubgraphEvents<Tx>;

type MemberEventType = typeof OrgsEvents.memberJoined | typeof OrgsEvents.memberLeft | typeof OrgsEvents.memberRoleChanged;

/** `flowforge.orgs.member.*`: subject = membership id, tenant = its organization. */
export function memberEvent(type: MemberEventType, membership: Membership, previousRole?: Membership['role']): EventEnvelope<MemberEventData> {
  return createEvent<MemberEventData>({
    domain: 'orgs',
    type,
    subject: membership.id,
    tenant: membership.organizationId,
    data: { membershipId: membership.id, organizationId: membership.organizationId, userId: membership.userId, role: membership.role, ...(previousRole && { previousRole }) },
  });
}

/**
 * `flowforge.orgs.user.profile_changed` for `tenants` (organization ids). With none (a user who
 * belongs to no organization yet), one event whose tenant is the user's own id.
 */
export function profileEvents(user: Pick<User, 'id' | 'timezone' | 'workingHours'>, tenants: readonly string[]): EventEnvelope<UserProfileChangedData>[] {
  const data: UserProfileChangedData = { userId: user.id, timezone: user.timezone, workingHours: readWorkingHours(user.workingHours) };
  return (tenants.length > 0 ? tenants : [user.id]).map((tenant) =>
    createEvent<UserProfileChangedData>({ domain: 'orgs', type: OrgsEvents.userProfileChanged, subject: user.id, tenant, data }));
}

/** The events that announce a new membership: member.joined, then the member's profile to that organization. */
export async function membershipStartedEvents(tx: Tx, membership: Membership): Promise<EventEnvelope[]> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: membership.userId } });
  return [memberEvent(OrgsEvents.memberJoined, membership), ...profileEvents(user, [membership.organizationId])];
}
