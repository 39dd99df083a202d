/**
 * Projections of the other events insights uses, and the break suggestions they trigger:
 *  - flowforge.focus.session.started|paused|resumed|ended -> focus_session_activity (state, pauses);
 *    started and resumed also write a BREAK_SUGGESTION insight and publish
 *    flowforge.insights.insight.created { insightId, userId, organizationId, kind, title } (the
 *    gateway's insightCreated subscription reads data.userId and data.insightId);
 *  - flowforge.habits.habit.checked_in / check_in_undone -> habit_checkin_facts;
 *  - flowforge.habits.goal.progress_changed -> goal_progress_facts.
 * Runs inside the backbone's consumeOnce transaction (applied once per event id).
 */
import { createEvent, type EventEnvelope } from '@flowforge/events';
import { localDate, localDayBounds } from '@flowforge/time';
import { suggestBreak } from '../domain/breaks.js';
import { sessionQuality } from '../domain/focus-features.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { MalformedEventError } from './focus-facts.js';

export const ACTIVITY_CONSUMER = 'focus-activity';
export const HABITS_CONSUMER = 'habits-facts';
export const HABITS_TOPIC = 'flowforge.habits';
export const INSIGHT_CREATED = 'flowforge.insights.insight.created';

export type InsightsTx = Pick<PrismaClient, 'focusSessionActivity' | 'focusSessionFact' | 'habitCheckInFact' | 'goalProgressFact' | 'insight' | 'insightsUserSetting'>;
export type Publish = (tx: unknown, events: readonly EventEnvelope[]) => Promise<void>;

const data = (event: EventEnvelope) => (event.data ?? {}) as Record<string, unknown>;
const str = (d: Record<string, unknown>, key: string, type: string): string => {
  const v = d[key];
  if (typeof v !== 'string' || v.length === 0) throw new MalformedEventError(`${type}: data.${key} is missing or invalid`);
  return v;
};
const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export class ActivityHandler {
  constructor(private readonly publish: Publish, private readonly now: () => Date = () => new Date()) {}

  readonly handleFocus = async (event: EventEnvelope, txClient: unknown): Promise<void> => {
    const kind = /^flowforge\.focus\.session\.(started|paused|resumed|ended)$/.exec(event.type)?.[1];
    if (!kind) return;
    const tx = txClient as InsightsTx;
    const d = data(event);
    const sessionId = str(d, 'sessionId', event.type);
    const userId = str(d, 'userId', event.type);
    const organizationId = str(d, 'organizationId', event.type);
    const at = new Date(event.time);
    const state = kind === 'paused' ? 'PAUSED' : kind === 'ended' ? 'COMPLETED' : 'ACTIVE';
    const focusedMinutes = num(d.actualMinutes);
    const plannedMinutes = Math.round(num(d.plannedMinutes, 50));
    const startedAt = typeof d.startedAt === 'string' ? new Date(d.startedAt) : at;
    await tx.focusSessionActivity.upsert({
      where: { sessionId },
      create: { sessionId, organizationId, userId, state, startedAt, plannedMinutes, pauses: kind === 'paused' ? 1 : 0, focusedMinutes, lastEventAt: at },
      update: { state, focusedMinutes, lastEventAt: at, ...(kind === 'paused' && { pauses: { increment: 1 } }) },
    });
    if (kind === 'started' || kind === 'resumed') await this.suggest(tx, { sessionId, userId, organizationId, plannedMinutes, focusedMinutes, at, resumed: kind === 'resumed' });
  };

  /** Writes a break suggestion insight and publishes insight.created in the same transaction. */
  async suggest(tx: InsightsTx, s: { sessionId: string; userId: string; organizationId: string; plannedMinutes: number; focusedMinutes: number; at: Date; resumed: boolean }) {
    const now = this.now();
    const timeZone = (await tx.insightsUserSetting.findUnique({ where: { userId: s.userId } }))?.timezone ?? 'UTC';
    const rows = await tx.focusSessionFact.findMany({ where: { organizationId: s.organizationId, userId: s.userId, startedAt: { gte: new Date(now.getTime() - 90 * 86_400_000) } } });
    const todayStart = localDayBounds(localDate(now, timeZone), timeZone).start;
    const todayMinutes = rows.filter((r) => r.startedAt >= todayStart).reduce((sum, r) => sum + r.actualMinutes, 0);
    const suggestion = suggestBreak({ now: s.at > now ? now : s.at, plannedMinutes: s.plannedMinutes, focusedSoFar: s.focusedMinutes, todayMinutes, history: rows.map((r) => ({ actualMinutes: r.actualMinutes, quality: sessionQuality(r) })) });
    const title = `Break in ${Math.max(0, Math.round((suggestion.breakAt.getTime() - now.getTime()) / 60_000))} minutes for ${suggestion.breakMinutes} minutes`;
    const insight = await tx.insight.create({
      data: {
        organizationId: s.organizationId, userId: s.userId, kind: 'BREAK_SUGGESTION', sessionId: s.sessionId, title, body: suggestion.explanation,
        data: { breakAt: suggestion.breakAt.toISOString(), breakMinutes: suggestion.breakMinutes, sustainableMinutes: suggestion.sustainableMinutes, basedOnSessions: suggestion.basedOnSessions, trigger: s.resumed ? 'resumed' : 'started' } as Prisma.InputJsonObject,
      },
    });
    await this.publish(tx, [createEvent({
      domain: 'insights', type: INSIGHT_CREATED, subject: insight.id, tenant: s.organizationId,
      data: { insightId: insight.id, userId: s.userId, organizationId: s.organizationId, kind: insight.kind, title, sessionId: s.sessionId },
    })]);
    return insight;
  }

  readonly handleHabits = async (event: EventEnvelope, txClient: unknown): Promise<void> => {
    const tx = txClient as InsightsTx;
    const d = data(event);
    if (event.type === 'flowforge.habits.habit.checked_in') {
      const habitId = str(d, 'habitId', event.type);
      const date = str(d, 'date', event.type).slice(0, 10);
      const row = { organizationId: str(d, 'organizationId', event.type), userId: str(d, 'userId', event.type), value: Math.round(num(d.value, 1)), targetValue: Math.round(num(d.targetValue, 1)), completed: d.completed !== false, recordedAt: new Date(event.time) };
      await tx.habitCheckInFact.upsert({ where: { habitId_date: { habitId, date } }, create: { habitId, date, ...row }, update: row });
    } else if (event.type === 'flowforge.habits.habit.check_in_undone') {
      await tx.habitCheckInFact.deleteMany({ where: { habitId: str(d, 'habitId', event.type), date: str(d, 'date', event.type).slice(0, 10) } });
    } else if (event.type === 'flowforge.habits.goal.progress_changed') {
      await tx.goalProgressFact.createMany({
        data: [{ eventId: event.id, goalId: str(d, 'goalId', event.type), organizationId: str(d, 'organizationId', event.type), userId: str(d, 'userId', event.type), metric: String(d.metric ?? ''), value: num(d.value), target: num(d.target), status: typeof d.status === 'string' ? d.status : null, recordedAt: new Date(event.time) }],
        skipDuplicates: true,
      });
    }
  };
}
