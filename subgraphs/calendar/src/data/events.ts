import type { CalendarEvent, Prisma } from '../generated/prisma/client.js';
import type { Attendee, ValidEvent } from '../domain/event.js';
import type { Db } from './db.js';

export type CalendarEventRow = CalendarEvent;

/** The stored fields of a row in the domain's shape (for validation on top of them). */
export function toValidEvent(row: CalendarEventRow): ValidEvent {
  return {
    title: row.title,
    description: row.description,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    timezone: row.timezone,
    allDay: row.allDay,
    startDate: row.startDate,
    endDate: row.endDate,
    rrule: row.rrule,
    attendees: attendeesOf(row),
    busy: row.busy,
  };
}

export function attendeesOf(row: Pick<CalendarEventRow, 'attendees'>): Attendee[] {
  return Array.isArray(row.attendees) ? (row.attendees as unknown as Attendee[]) : [];
}

export function eventData(event: ValidEvent) {
  return { ...event, attendees: event.attendees as unknown as Prisma.InputJsonValue };
}

/** Calendar event storage. Every query is scoped by organization and user and skips soft-deleted rows. */
export class CalendarEventRepository {
  findOwned(db: Db, organizationId: string, userId: string, id: string): Promise<CalendarEventRow | null> {
    return db.calendarEvent.findFirst({ where: { id, organizationId, userId, deletedAt: null } });
  }

  /** Single events and edited occurrences overlapping [from, to), plus every series that starts before `to`. */
  async inRange(db: Db, organizationId: string, userId: string, from: Date, to: Date): Promise<{ singles: CalendarEventRow[]; series: CalendarEventRow[]; overrides: { recurringEventId: string; originalStartsAt: Date }[] }> {
    const live = { organizationId, userId, deletedAt: null, calendar: { deletedAt: null } } satisfies Prisma.CalendarEventWhereInput;
    const [singles, series] = await Promise.all([
      db.calendarEvent.findMany({ where: { ...live, rrule: null, startsAt: { lt: to }, endsAt: { gt: from } }, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] }),
      db.calendarEvent.findMany({ where: { ...live, rrule: { not: null }, startsAt: { lt: to } }, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] }),
    ]);
    const overrides = series.length === 0 ? [] : await db.calendarEvent.findMany({
      where: { recurringEventId: { in: series.map((s) => s.id) }, deletedAt: null },
      select: { recurringEventId: true, originalStartsAt: true },
    });
    return { singles, series, overrides: overrides.filter((o): o is { recurringEventId: string; originalStartsAt: Date } => o.recurringEventId !== null && o.originalStartsAt !== null) };
  }

  /** Every live event of the user (for the ICS feed), series first. */
  allLive(db: Db, organizationId: string, userId: string, limit: number): Promise<CalendarEventRow[]> {
    return db.calendarEvent.findMany({
      where: { organizationId, userId, deletedAt: null, calendar: { deletedAt: null } },
      orderBy: [{ recurringEventId: { sort: 'asc', nulls: 'first' } }, { startsAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  findOverride(db: Db, seriesId: string, originalStartsAt: Date): Promise<CalendarEventRow | null> {
    return db.calendarEvent.findFirst({ where: { recurringEventId: seriesId, originalStartsAt } });
  }
}
