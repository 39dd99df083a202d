import type { Identity } from '@flowforge/auth';
import { badInput, notFound, requireId, requirePermission } from '@flowforge/runtime';
import { localDate, localDayBounds } from '@flowforge/time';
import type { ProfileStore } from '../data/profiles.js';
import { goalRow, habitRow, toDbDate, type Db, type GoalRow } from '../data/rows.js';
import { evaluateGoal, validateCreateGoal, validateManualValue, validateUpdateGoal, type CreateGoalInput, type GoalMetric, type UpdateGoalInput } from '../domain/goal.js';
import { isCompletedValue } from '../domain/progress.js';
import { GOAL_PROGRESS_CHANGED, habitsEvent, type EventTools } from '../events/envelope.js';
import type { PrismaClient } from '../generated/prisma/client.js';

type Source = 'CREATED' | 'MANUAL' | 'FOCUS_SESSION' | 'HABIT_CHECK_IN' | 'RECOMPUTE';
const NOT_FOUND = 'No goal with that id among your goals in the active organization.';
const round = (n: number) => Math.round(n * 100) / 100;

/** Goals of the caller in their active organization, and how their progress moves. */
export class GoalService {
  constructor(
    private readonly db: PrismaClient,
    private readonly profiles: ProfileStore,
    private readonly events: EventTools,
  ) {}

  async get(identity: Identity, id: string): Promise<GoalRow> {
    const member = requirePermission(identity, 'domain:own:read');
    const goal = await this.db.goal.findFirst({ where: { id: requireId(id, 'id'), organizationId: member.organizationId, userId: member.userId } });
    if (!goal) throw notFound(NOT_FOUND);
    return goalRow(goal);
  }

  /** For entity references: null instead of an error when it is not the caller's. */
  async findOwned(identity: Identity, id: string): Promise<GoalRow | null> {
    const member = requirePermission(identity, 'domain:own:read');
    const goal = await this.db.goal.findFirst({ where: { id, organizationId: member.organizationId, userId: member.userId } });
    return goal && goalRow(goal);
  }

  async list(identity: Identity, userId: string): Promise<GoalRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) return [];
    const rows = await this.db.goal.findMany({ where: { organizationId: member.organizationId, userId }, orderBy: [{ deadline: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(goalRow);
  }

  async create(identity: Identity, input: CreateGoalInput): Promise<GoalRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const timeZone = await this.profiles.zoneOf(member.userId);
    const valid = validateCreateGoal(input, localDate(new Date(), timeZone));
    return this.events.transaction(async (tx) => {
      await this.assertOwnHabits(tx, member.organizationId, member.userId, valid.habitIds);
      const { habitIds, ...fields } = valid;
      const created = await tx.goal.create({
        data: {
          organizationId: member.organizationId, userId: member.userId, ...fields,
          startDate: toDbDate(fields.startDate), deadline: toDbDate(fields.deadline),
          habits: { create: habitIds.map((habitId) => ({ habitId })) },
        },
      });
      const goal = goalRow(created);
      await tx.goalProgress.create({ data: { goalId: goal.id, value: 0, delta: 0, source: 'CREATED' } });
      if (goal.metric !== 'MANUAL') await this.setProgress(tx, goal, await this.derivedProgress(tx, goal, timeZone), 'RECOMPUTE', null, timeZone);
      return goalRow(await tx.goal.findUniqueOrThrow({ where: { id: goal.id } }));
    });
  }

  async update(identity: Identity, id: string, input: UpdateGoalInput): Promise<GoalRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const timeZone = await this.profiles.zoneOf(member.userId);
    return this.events.transaction(async (tx) => {
      const current = await this.owned(tx, member.organizationId, member.userId, id);
      const valid = validateUpdateGoal({ metric: current.metric, startDate: current.startDate }, input, localDate(new Date(), timeZone));
      const { habitIds, deadline, ...fields } = valid;
      if (habitIds) {
        await this.assertOwnHabits(tx, member.organizationId, member.userId, habitIds);
        await tx.goalHabit.deleteMany({ where: { goalId: current.id } });
        await tx.goalHabit.createMany({ data: habitIds.map((habitId) => ({ goalId: current.id, habitId })) });
      }
      const updated = goalRow(await tx.goal.update({ where: { id: current.id }, data: { ...fields, ...(deadline && { deadline: toDbDate(deadline) }) } }));
      if (updated.metric !== 'MANUAL') await this.setProgress(tx, updated, await this.derivedProgress(tx, updated, timeZone), 'RECOMPUTE', null, timeZone);
      return goalRow(await tx.goal.findUniqueOrThrow({ where: { id: current.id } }));
    });
  }

  async recordProgress(identity: Identity, goalId: string, value: number): Promise<GoalRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const valid = validateManualValue(value);
    const timeZone = await this.profiles.zoneOf(member.userId);
    return this.events.transaction(async (tx) => {
      const goal = await this.owned(tx, member.organizationId, member.userId, goalId, 'goalId');
      if (goal.metric !== 'MANUAL') {
        throw badInput(`Only MANUAL goals take recordGoalProgress; this ${goal.metric} goal's progress comes from ${goal.metric === 'HABIT_COMPLETIONS' ? 'your check-ins' : 'your focus sessions'}.`, 'goalId');
      }
      await this.setProgress(tx, goal, valid, 'MANUAL', null, timeZone);
      return goalRow(await tx.goal.findUniqueOrThrow({ where: { id: goal.id } }));
    });
  }

  async delete(identity: Identity, id: string): Promise<string> {
    const member = requirePermission(identity, 'domain:own:write');
    const { count } = await this.db.goal.deleteMany({ where: { id: requireId(id, 'id'), organizationId: member.organizationId, userId: member.userId } });
    if (count === 0) throw notFound(NOT_FOUND);
    return id.toLowerCase();
  }

  history(goalId: string, first: number, order: 'asc' | 'desc' = 'asc') {
    if (!Number.isInteger(first) || first < 1 || first > 1000) throw badInput('first must be between 1 and 1000.', 'first');
    return this.db.goalProgress.findMany({ where: { goalId }, orderBy: [{ recordedAt: order }, { id: order }], take: first });
  }

  async linkedHabits(goal: GoalRow) {
    const links = await this.db.goalHabit.findMany({ where: { goalId: goal.id, habit: { organizationId: goal.organizationId, userId: goal.userId } }, include: { habit: true }, orderBy: { habit: { createdAt: 'asc' } } });
    return links.map((link) => habitRow(link.habit));
  }

  zoneFor(goal: { userId: string; requiredTimezone?: string | null }): Promise<string> {
    return this.profiles.zoneOf(goal.userId, goal.requiredTimezone);
  }

  private async owned(tx: Db, organizationId: string, userId: string, id: string, field = 'id'): Promise<GoalRow> {
    const goal = await tx.goal.findFirst({ where: { id: requireId(id, field), organizationId, userId } });
    if (!goal) throw notFound(NOT_FOUND);
    return goalRow(goal);
  }

  private async assertOwnHabits(tx: Db, organizationId: string, userId: string, habitIds: readonly string[]) {
    if (habitIds.length === 0) return;
    const found = await tx.habit.findMany({ where: { id: { in: [...habitIds] }, organizationId, userId }, select: { id: true } });
    const missing = habitIds.filter((id) => !found.some((h) => h.id === id));
    if (missing.length) throw badInput(`habitIds: no habit of yours in the active organization has the id ${missing.join(', ')}.`, 'habitIds');
  }

  /** Progress computed from this subgraph's own data (focus facts from events, check-ins) over the goal's local period. */
  async derivedProgress(tx: Db, goal: GoalRow, timeZone: string): Promise<number> {
    if (goal.metric === 'FOCUS_MINUTES' || goal.metric === 'FOCUS_SESSIONS') {
      const start = localDayBounds(goal.startDate, timeZone).start;
      const end = localDayBounds(goal.deadline, timeZone).end;
      const facts = await tx.focusSessionFact.aggregate({
        where: { organizationId: goal.organizationId, userId: goal.userId, endedAt: { gte: start, lt: end } },
        _sum: { actualMinutes: true },
        _count: true,
      });
      return goal.metric === 'FOCUS_SESSIONS' ? facts._count : round(facts._sum.actualMinutes ?? 0);
    }
    if (goal.metric === 'HABIT_COMPLETIONS') {
      const links = await tx.goalHabit.findMany({ where: { goalId: goal.id }, select: { habitId: true } });
      const checkIns = await tx.habitCheckIn.findMany({
        where: {
          organizationId: goal.organizationId, userId: goal.userId,
          date: { gte: toDbDate(goal.startDate), lte: toDbDate(goal.deadline) },
          ...(links.length ? { habitId: { in: links.map((l) => l.habitId) } } : {}),
        },
        select: { value: true, habit: { select: { targetValue: true } } },
      });
      return checkIns.filter((c) => isCompletedValue(c.value, c.habit.targetValue)).length;
    }
    return goal.progress;
  }

  /** Recomputes the derived goals of a user with the given metrics, attributing the change to `source`. */
  async recompute(tx: Db, scope: { organizationId: string; userId: string; metrics: GoalMetric[]; habitId?: string }, source: Source, sourceId: string | null, timeZone: string): Promise<void> {
    const goals = await tx.goal.findMany({
      where: {
        organizationId: scope.organizationId, userId: scope.userId, metric: { in: scope.metrics },
        // A habit's change only matters to goals linking it, or linking nothing (= all habits).
        ...(scope.habitId ? { OR: [{ habits: { some: { habitId: scope.habitId } } }, { habits: { none: {} } }] } : {}),
      },
    });
    for (const goal of goals.map(goalRow)) await this.setProgress(tx, goal, await this.derivedProgress(tx, goal, timeZone), source, sourceId, timeZone);
  }

  /** Stores a new progress value with a history row and a progress_changed event, when it moved. */
  private async setProgress(tx: Db, goal: GoalRow, value: number, source: Source, sourceId: string | null, timeZone: string): Promise<boolean> {
    if (Math.abs(value - goal.progress) < 1e-9) return false;
    const now = new Date();
    await tx.goal.update({ where: { id: goal.id }, data: { progress: value } });
    await tx.goalProgress.create({ data: { goalId: goal.id, value, delta: round(value - goal.progress), source, sourceId, recordedAt: now } });
    const evaluation = evaluateGoal(goal, value, localDate(now, timeZone));
    await this.events.publish(tx, [habitsEvent(GOAL_PROGRESS_CHANGED, goal.id, goal.organizationId, {
      goalId: goal.id, userId: goal.userId, organizationId: goal.organizationId, metric: goal.metric,
      previous: goal.progress, value, target: goal.target, status: evaluation.status, source, sourceId,
    }, now)]);
    return true;
  }
}
