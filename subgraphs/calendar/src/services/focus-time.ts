import type { Identity } from '@flowforge/auth';
import { badInput, forbidden, notFound, requireId, requirePermission, type SubgraphEvents } from '@flowforge/runtime';
import { addDays, dayNumber, localDayBounds, weekStart } from '@flowforge/time';
import type { FocusBlockRepository, FocusBlockRow } from '../data/blocks.js';
import type { Db, Tx } from '../data/db.js';
import type { ProfileRepository } from '../data/profiles.js';
import { computeFreeBusy } from '../domain/availability.js';
import { requireLocalDate, validateRange } from '../domain/event.js';
import type { Interval } from '../domain/intervals.js';
import { scheduleFocusBlocks, type Unplaced } from '../domain/scheduler.js';
import { parseClock, toWorkingMinutes, type WorkingHours } from '../domain/working-hours.js';
import { focusBlocksScheduled } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CalendarService } from './calendar.js';

export const MAX_SCHEDULE_DAYS = 31;
export const MAX_WEEKLY_TARGET = 3000;
export const MIN_BLOCK = 15;
export const MAX_BLOCK = 480;
export const MAX_PREFERRED_WINDOWS = 10;

export interface ScheduleFocusTimeInput {
  from: string;
  to: string;
  weeklyTargetMinutes: number;
  minBlockMinutes?: number | null;
  maxBlockMinutes?: number | null;
  preferredHours?: readonly { start: string; end: string }[] | null;
}

export interface ValidScheduleInput {
  from: string;
  to: string;
  weeklyTargetMinutes: number;
  minBlockMinutes: number;
  maxBlockMinutes: number;
  preferredHours: { start: number; end: number }[];
}

function wholeNumber(value: number, field: string, min: number, max: number, what = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(`${field} must be a whole number from ${min} to ${max}${what}; got ${value}.`, field);
  return value;
}

/** Checks scheduleFocusTime's input; errors name the field. */
export function validateScheduleInput(input: ScheduleFocusTimeInput): ValidScheduleInput {
  const from = requireLocalDate(input.from, 'from');
  const to = requireLocalDate(input.to, 'to');
  const days = dayNumber(to, 'to') - dayNumber(from, 'from');
  if (days < 0) throw badInput('to must not be before from.', 'to');
  if (days + 1 > MAX_SCHEDULE_DAYS) throw badInput(`from..to can span at most ${MAX_SCHEDULE_DAYS} days; got ${days + 1}.`, 'to');
  const weeklyTargetMinutes = wholeNumber(input.weeklyTargetMinutes, 'weeklyTargetMinutes', 1, MAX_WEEKLY_TARGET, ' (minutes per ISO week)');
  const minBlockMinutes = wholeNumber(input.minBlockMinutes ?? 30, 'minBlockMinutes', MIN_BLOCK, MAX_BLOCK);
  const maxBlockMinutes = input.maxBlockMinutes ?? Math.max(120, minBlockMinutes);
  if (Number.isInteger(maxBlockMinutes) && maxBlockMinutes < minBlockMinutes) throw badInput(`maxBlockMinutes (${maxBlockMinutes}) must not be less than minBlockMinutes (${minBlockMinutes}).`, 'maxBlockMinutes');
  wholeNumber(maxBlockMinutes, 'maxBlockMinutes', minBlockMinutes, MAX_BLOCK);
  const windows = input.preferredHours ?? [];
  if (windows.length > MAX_PREFERRED_WINDOWS) throw badInput(`preferredHours can have at most ${MAX_PREFERRED_WINDOWS} windows.`, 'preferredHours');
  const preferredHours = windows.map((w, i) => {
    const start = parseClock(w.start, `preferredHours.${i}.start`);
    const end = parseClock(w.end, `preferredHours.${i}.end`);
    if (end <= start) throw badInput(`preferredHours[${i}].end must be after its start.`, `preferredHours.${i}.end`);
    return { start, end };
  });
  return { from, to, weeklyTargetMinutes, minBlockMinutes, maxBlockMinutes, preferredHours };
}

export interface ScheduleOutcome {
  placed: FocusBlockRow[];
  unplaced: Unplaced[];
  kept: number;
  moved: number;
  created: number;
  cancelled: number;
  timezone: string;
}

export interface FreeBusyView {
  timezone: string;
  workingHours: WorkingHours;
  busy: { startsAt: Date; endsAt: Date }[];
  free: { startsAt: Date; endsAt: Date }[];
}

const toView = (i: Interval) => ({ startsAt: new Date(i.start), endsAt: new Date(i.end) });

/** Free/busy and automatic focus-time scheduling for the caller. */
export class FocusTimeService {
  constructor(
    private readonly db: PrismaClient,
    private readonly calendar: CalendarService,
    private readonly blocks: FocusBlockRepository,
    private readonly profiles: ProfileRepository,
    private readonly bus: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Busy time from events (all calendars, recurrences expanded) overlapping [from, to). */
  private async busyEvents(db: Db, organizationId: string, userId: string, from: Date, to: Date): Promise<Interval[]> {
    const occurrences = await this.calendar.occurrences(db, organizationId, userId, from, to);
    return occurrences.filter((o) => o.busy).map((o) => ({ start: o.startsAt.getTime(), end: o.endsAt.getTime() }));
  }

  async freeBusy(identity: Identity, userId: string, from: Date | string, to: Date | string): Promise<FreeBusyView> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own free/busy time.');
    const range = validateRange(from, to);
    const profile = await this.profiles.get(this.db, member.userId);
    const [events, blocks] = await Promise.all([
      this.busyEvents(this.db, member.organizationId, member.userId, range.from, range.to),
      this.blocks.active(this.db, member.organizationId, member.userId, range.from, range.to),
    ]);
    const busy = [...events, ...blocks.map((b) => ({ start: b.startsAt.getTime(), end: b.endsAt.getTime() }))];
    const result = computeFreeBusy({ start: range.from.getTime(), end: range.to.getTime() }, busy, toWorkingMinutes(profile.workingHours), profile.timezone);
    return { timezone: profile.timezone, workingHours: profile.workingHours, busy: result.busy.map(toView), free: result.free.map(toView) };
  }

  async listBlocks(identity: Identity, userId: string, from: Date | string, to: Date | string): Promise<FocusBlockRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own focus blocks.');
    const range = validateRange(from, to);
    return this.blocks.active(this.db, member.organizationId, member.userId, range.from, range.to);
  }

  async getBlock(identity: Identity, id: string): Promise<FocusBlockRow> {
    const member = requirePermission(identity, 'domain:own:read');
    const block = await this.blocks.findOwned(this.db, member.organizationId, member.userId, requireId(id, 'id'));
    if (!block) throw notFound('No focus block with that id among your blocks in the active organization.');
    return block;
  }

  /** For entity references from other subgraphs: scoped to the caller, null when not theirs. */
  async findBlock(identity: Identity, id: string): Promise<FocusBlockRow | null> {
    const member = requirePermission(identity, 'domain:own:read');
    return this.blocks.findOwned(this.db, member.organizationId, member.userId, id);
  }

  async schedule(identity: Identity, raw: ScheduleFocusTimeInput): Promise<ScheduleOutcome> {
    const member = requirePermission(identity, 'domain:own:write');
    const input = validateScheduleInput(raw);
    const now = this.clock();
    return this.bus.transaction(async (tx) => {
      // One run per user at a time (Postgres; PGlite has a single connection anyway).
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`calendar.schedule.${member.userId}`}))`;
      const profile = await this.profiles.get(tx, member.userId);
      const tz = profile.timezone;
      const weeksFrom = localDayBounds(weekStart(input.from), tz).start;
      const weeksTo = localDayBounds(addDays(weekStart(input.to), 6), tz).end;
      const busy = await this.busyEvents(tx, member.organizationId, member.userId, weeksFrom, weeksTo);
      const existing = await this.blocks.active(tx, member.organizationId, member.userId, weeksFrom, weeksTo);
      const result = scheduleFocusBlocks({
        timeZone: tz,
        workingHours: toWorkingMinutes(profile.workingHours),
        ...input,
        busy,
        existing: existing.map((b) => ({ id: b.id, start: b.startsAt.getTime(), end: b.endsAt.getTime(), status: b.status as 'SCHEDULED' | 'STARTED' })),
        now: now.getTime(),
      });
      for (const move of result.moved) await tx.focusBlock.update({ where: { id: move.id }, data: { startsAt: new Date(move.start), endsAt: new Date(move.end) } });
      if (result.cancelled.length) await tx.focusBlock.updateMany({ where: { id: { in: result.cancelled } }, data: { status: 'CANCELLED' } });
      if (result.created.length) {
        await tx.focusBlock.createMany({ data: result.created.map((b) => ({ organizationId: member.organizationId, userId: member.userId, startsAt: new Date(b.start), endsAt: new Date(b.end) })) });
      }
      const placed = await this.blocks.active(tx, member.organizationId, member.userId, localDayBounds(input.from, tz).start, localDayBounds(input.to, tz).end);
      const outcome = { placed, unplaced: result.unplaced, kept: result.kept.length, moved: result.moved.length, created: result.created.length, cancelled: result.cancelled.length, timezone: tz };
      await this.bus.publish(tx, [focusBlocksScheduled({
        userId: member.userId,
        organizationId: member.organizationId,
        from: input.from,
        to: input.to,
        timezone: tz,
        weeklyTargetMinutes: input.weeklyTargetMinutes,
        blocks: placed,
        kept: outcome.kept,
        moved: outcome.moved,
        created: outcome.created,
        cancelled: result.cancelled,
        unplacedMinutes: result.unplaced.reduce((sum, u) => sum + u.minutes, 0),
      })]);
      return outcome;
    }, { timeout: 30_000 });
  }
}
