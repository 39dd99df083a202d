import type { CalendarEvent, PrismaClient } from '../generated/prisma/client.js';
import type { ValidEvent } from '../domain/event.js';

export type CalendarEventRow = CalendarEvent;

/** Calendar event storage. Every query is scoped by organization and user and skips soft-deleted rows. */
export class CalendarEventRepository {
  constructor(readonly db: PrismaClient) {}

  findOwned(organizationId: string, userId: string, id: string): Promise<CalendarEventRow | null> {
    return this.db.calendarEvent.findFirst({ where: { id, organizationId, userId, deletedAt: null } });
  }

  /** Events overlapping [from, to): they start before `to` and end after `from`. */
  overlapping(organizationId: string, userId: string, from: Date, to: Date): Promise<CalendarEventRow[]> {
    return this.db.calendarEvent.findMany({
      where: { organizationId, userId, deletedAt: null, startsAt: { lt: to }, endsAt: { gt: from } },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  create(organizationId: string, userId: string, event: ValidEvent): Promise<CalendarEventRow> {
    return this.db.calendarEvent.create({ data: { organizationId, userId, source: 'LOCAL', ...event } });
  }
}
