import { PoisonEventError, type EventEnvelope } from '@flowforge/events';
import { localDate } from '@flowforge/time';
import type { ProfileStore } from '../data/profiles.js';
import type { Db } from '../data/rows.js';
import type { GoalService } from '../services/goals.js';
import { FOCUS_SESSION_ENDED, USER_PROFILE_CHANGED } from './envelope.js';

/** Consumer group of the habits subgraph on the focus and orgs topics. */
export const CONSUMER = 'goals';

interface SessionEnded { sessionId: string; userId: string; organizationId: string; actualMinutes: number | null; endedAt: string }
interface ProfileChanged { userId: string; timezone?: string | null }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the habits subgraph does with other domains' events:
 * - flowforge.focus.session.ended: records the session in focus_session_facts (once per session id)
 *   and recomputes the user's FOCUS_MINUTES / FOCUS_SESSIONS goals whose local period holds it;
 * - flowforge.orgs.user.profile_changed: updates the user_profiles time-zone projection (older
 *   events never overwrite newer ones).
 * Runs inside consumeOnce (tools.events.subscribe): the effect and the processed_events row commit
 * together, so a redelivered event changes nothing. Anything else is ignored. Malformed events throw PoisonEventError: dead-lettered at once, never retried.
 */
export function createEventHandler(profiles: ProfileStore, goals: GoalService) {
  return async (event: EventEnvelope, tx: Db): Promise<void> => {
    if (event.type === FOCUS_SESSION_ENDED) {
      const data = event.data as SessionEnded;
      const endedAt = new Date(data?.endedAt);
      if (!UUID.test(data?.sessionId ?? '') || !UUID.test(data?.userId ?? '') || !UUID.test(data?.organizationId ?? '') || Number.isNaN(endedAt.getTime())) {
        throw new PoisonEventError(`${event.type} ${event.id} lacks sessionId, userId, organizationId or endedAt`);
      }
      const minutes = Number.isFinite(data.actualMinutes) ? Math.max(0, Number(data.actualMinutes)) : 0;
      {
        const { count } = await tx.focusSessionFact.createMany({
          data: [{ sessionId: data.sessionId, organizationId: data.organizationId, userId: data.userId, actualMinutes: minutes, endedAt }],
          skipDuplicates: true,
        });
        if (count === 0) return; // the same session again under another event id
        const timeZone = await profiles.zoneOf(data.userId, null, tx);
        const day = localDate(endedAt, timeZone);
        const affected = await tx.goal.count({
          where: { organizationId: data.organizationId, userId: data.userId, metric: { in: ['FOCUS_MINUTES', 'FOCUS_SESSIONS'] }, startDate: { lte: new Date(`${day}T00:00:00Z`) }, deadline: { gte: new Date(`${day}T00:00:00Z`) } },
        });
        if (affected > 0) await goals.recompute(tx, { organizationId: data.organizationId, userId: data.userId, metrics: ['FOCUS_MINUTES', 'FOCUS_SESSIONS'] }, 'FOCUS_SESSION', data.sessionId, timeZone);
      }
      return;
    }
    if (event.type === USER_PROFILE_CHANGED) {
      const data = event.data as ProfileChanged;
      if (!UUID.test(data?.userId ?? '')) throw new PoisonEventError(`${event.type} ${event.id} lacks userId`);
      if (!data.timezone) return;
      await profiles.apply(tx, data.userId, data.timezone, new Date(event.time));
    }
  };
}
