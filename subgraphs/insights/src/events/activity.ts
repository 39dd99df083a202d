/**
 * Projections of the other events insights uses, and the break suggestions they trigger:
 *  - flowforge.focus.session.started|paused|resumed|ended -> focus_session_activity (state, pauses);
 *    started and resumed also write a BREAK_SUGGESTION insight and publish
 *    flowforge.insights.insight.created { insightId, userId, organizationId, kind, title } (the
 *    gateway's insightCreated subscription reads data.userId and data.insightId);
 *  - flowforge.habits.habit.checked_in / check_in_undone -> habit_checkin_facts;
 *  - flowforge.habits.habit.created / updated / archived (full state) and the optional `schedule` of
 *    checked_in -> habit_schedule_facts (newest event wins; checked_in events written before the
 *    schedule was added carry none and leave the row alone, so the forecast infers one);
 *  - flowforge.habits.goal.progress_changed -> goal_progress_facts.
 * Runs inside the backbone's consumeOnce transaction (applied once per event id).
 */
import { createEvent, HabitsEvents, type EventEnvelope } from '@flowforge/events';
import { parseSchedule } from '@flowforge/schedule';
import { localDate, localDayBounds } from '@flowforge/time';
import { suggestBreak } from '../domain/breaks.js';
import { sessionQuality } from '../domain/focus-features.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { MalformedEventError } from './focus-facts.js';

export const ACTIVITY_CONSUMER = 'focus-activity';
export const HABITS_CONSUMER = 'habits-facts';
export const HABITS_TOPIC = 'flowforge.habits';
export const INSIGHT_CREATED = 'flowforge.insights.insight.created';

export type InsightsTx = Pick<PrismaClient, 'focusSessionActivity' | 'focusSessionFact' | 'habitCheckInFact' | 'habitScheduleFact' | 'goalProgressFact' | 'insight' | 'insightsUserSetting'>;
export type Publish = (tx: unknown, events: readonly EventEnvelope[]) => Promise<void>;

const data = (event: EventEnvelope) => (event.data ?? {}) as Record<string, unknown>;
const str = (d: Record<string, unknown>, key: string, type: string): string => {
  const v = d[key];
  if (typeof v !== 'string' || v.length === 0) throw new MalformedEventError(`${type}: data.${key} is missing or invalid`);
  return v;
};
const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** data.schedule of a habit event (HabitScheduleData), validated; throws MalformedEventError. */
function readSchedule(value: unknown, type: string) {
  if (!value || typeof value !== 'object') throw new MalformedEventError(`${type}: data.schedule is missing or invalid`);
  const s = value as Record<string, unknown>;
  let rrule: string;
  try {
    rrule = parseSchedule(str(s, 'rrule', type), 'data.schedule.rrule').rule;
  } catch (error) {
    throw error instanceof MalformedEventError ? error : new MalformedEventError(`${type}: ${(error as Error).message}`);
  }
  const startDate = str(s, 'startDate', type).slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate)) throw new MalformedEventError(`${type}: data.schedule.startDate is not a date`);
  const timesPerWeek = s.timesPerWeek == null ? null : Number(s.timesPerWeek);
  if (timesPerWeek !== null && !(Number.isInteger(timesPerWeek) && timesPerWeek >= 1 && timesPerWeek <= 7)) throw new MalformedEventError(`${type}: data.schedule.timesPerWeek is invalid`);
  return { rrule, timesPerWeek, startDate, timezone: str(s, 'timezone', type) };
}

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

  /**
   * Upserts habit_schedule_facts unless a newer event already wrote the row. `full`: the event carries
   * the whole habit (created/updated/archived); otherwise (checked_in) only schedule and target.
   */
  private async projectSchedule(tx: InsightsTx, event: EventEnvelope, d: Record<string, unknown>, full: boolean): Promise<void> {
    let schedule: { rrule: string; timesPerWeek: number | null; startDate: string; timezone: string };
    try {
      schedule = readSchedule(d.schedule, event.type);
    } catch (error) {
      if (full) throw error;
      // checked_in written before the schedule was added (or, never expected, with a broken one): the
      // check-in is recorded all the same, and the forecast keeps its current schedule or infers one.
      return;
    }
    const habitId = str(d, 'habitId', event.type);
    const eventTime = new Date(event.time);
    const row = {
      organizationId: str(d, 'organizationId', event.type), userId: str(d, 'userId', event.type), ...schedule,
      targetValue: Math.round(num(d.targetValue, 1)), eventTime,
      ...(full && { title: typeof d.title === 'string' ? d.title : null, targetType: typeof d.targetType === 'string' ? d.targetType : null, archived: d.archived === true }),
    };
    const { count } = await tx.habitScheduleFact.updateMany({ where: { habitId, eventTime: { lte: eventTime } }, data: row });
    if (count === 0) await tx.habitScheduleFact.createMany({ data: [{ habitId, ...row }], skipDuplicates: true });
  }

  readonly handleHabits = async (event: EventEnvelope, txClient: unknown): Promise<void> => {
    const tx = txClient as InsightsTx;
    const d = data(event);
    if (event.type === HabitsEvents.created || event.type === HabitsEvents.updated || event.type === HabitsEvents.archived) {
      await this.projectSchedule(tx, event, d, true);
    } else if (event.type === HabitsEvents.checkedIn) {
      const habitId = str(d, 'habitId', event.type);
      const date = str(d, 'date', event.type).slice(0, 10);
      const row = { organizationId: str(d, 'organizationId', event.type), userId: str(d, 'userId', event.type), value: Math.round(num(d.value, 1)), targetValue: Math.round(num(d.targetValue, 1)), completed: d.completed !== false, recordedAt: new Date(event.time) };
      await tx.habitCheckInFact.upsert({ where: { habitId_date: { habitId, date } }, create: { habitId, date, ...row }, update: row });
      await this.projectSchedule(tx, event, d, false);
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
