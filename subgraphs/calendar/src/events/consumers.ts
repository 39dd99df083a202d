/**
 * What the calendar learns from other domains (idempotent: the bootstrap's consumeOnce skips
 * redeliveries, and each effect is safe to apply twice anyway).
 * - orgs' user.profile_changed → the user_profiles projection (newest event wins).
 * - focus's session.started with a focusBlockId → the block is STARTED and linked to the session.
 */
import { FocusEvents, OrgsEvents, topicOf, type EventEnvelope, type FocusSessionEventData, type UserProfileChangedData } from '@flowforge/events';
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { isValidTimeZone } from '@flowforge/time';
import type { Tx } from '../data/db.js';
import type { ProfileRepository } from '../data/profiles.js';
import { sanitizeProfile } from '../domain/working-hours.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function applyProfileChanged(event: EventEnvelope, tx: Tx, profiles: ProfileRepository): Promise<void> {
  const data = event.data as Partial<UserProfileChangedData>;
  if (typeof data.userId !== 'string' || !UUID.test(data.userId)) return;
  await profiles.apply(tx, data.userId, sanitizeProfile(data, isValidTimeZone), new Date(event.time));
}

export async function linkStartedSession(event: EventEnvelope, tx: Tx): Promise<void> {
  const data = event.data as Partial<FocusSessionEventData>;
  if (!data.focusBlockId || !UUID.test(data.focusBlockId) || !data.sessionId || !data.userId || !data.organizationId) return;
  // Only the owner's block in the same organization; the first session linked wins.
  await tx.focusBlock.updateMany({
    where: { id: data.focusBlockId, userId: data.userId, organizationId: data.organizationId, OR: [{ sessionId: null }, { sessionId: data.sessionId }] },
    data: { status: 'STARTED', sessionId: data.sessionId },
  });
}

export async function subscribeConsumers(events: SubgraphEvents<Tx>, profiles: ProfileRepository, log: Logger): Promise<void> {
  await events.subscribe('profiles', [topicOf('orgs')], async (event, tx) => {
    if (event.type === OrgsEvents.userProfileChanged) await applyProfileChanged(event, tx, profiles);
  });
  await events.subscribe('focus-blocks', [topicOf('focus')], async (event, tx) => {
    if (event.type === FocusEvents.started) await linkStartedSession(event, tx);
  });
  log({ msg: 'calendar consumers subscribed', topics: [topicOf('orgs'), topicOf('focus')] });
}
