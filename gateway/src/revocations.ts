import { ACCESS_TOKEN_TTL_SECONDS, type Identity } from '@flowforge/auth';
import { OrgsEvents, topicOf, type MemberEventData } from '@flowforge/events';
import type { Logger } from '@flowforge/runtime';
import { randomUUID } from 'node:crypto';
import type { SubscriptionEventBus } from './subscriptions/index.js';

/**
 * Access tokens carry the caller's role and stay valid for 15 minutes. When orgs reports that a
 * member's role changed or that they left, tokens issued before that moment for that organization
 * are refused here, so the change takes effect in every subgraph at once, not at the next refresh.
 * Each gateway instance learns it from the bus itself (its own consumer group), starting when the
 * instance starts.
 */
export class MembershipRevocations {
  private readonly changedAt = new Map<string, number>();
  private readonly rememberMs = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;

  record(userId: string, organizationId: string, at: Date): void {
    const key = `${userId}|${organizationId}`;
    this.changedAt.set(key, Math.max(this.changedAt.get(key) ?? 0, at.getTime()));
  }

  /** True when `identity`'s token predates a change of its membership. Token times have whole seconds: a token from the same second passes. */
  isRevoked(identity: Identity, issuedAt: Date): boolean {
    if (!identity.userId || !identity.organizationId) return false;
    const key = `${identity.userId}|${identity.organizationId}`;
    const changedAt = this.changedAt.get(key);
    if (changedAt === undefined) return false;
    if (Date.now() - changedAt > this.rememberMs) {
      this.changedAt.delete(key); // every token from before it has expired by now
      return false;
    }
    return issuedAt.getTime() < Math.floor(changedAt / 1000) * 1000;
  }

  async follow(bus: SubscriptionEventBus, log: Logger): Promise<{ close(): Promise<void> }> {
    return bus.subscribe(`gateway-revocations-${randomUUID()}`, [topicOf('orgs')], async (event) => {
      if (event.type !== OrgsEvents.memberLeft && event.type !== OrgsEvents.memberRoleChanged) return;
      const data = event.data as MemberEventData;
      this.record(data.userId, data.organizationId, new Date(event.time));
      log({ level: 'debug', msg: 'membership changed: older tokens refused', userId: data.userId, organizationId: data.organizationId });
    }, { ephemeral: true });
  }
}
