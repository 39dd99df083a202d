import { Prisma, type Calendar } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type CalendarRow = Calendar;

export const DEFAULT_CALENDAR_NAME = 'Calendar';

/** Calendars, scoped by organization and user; the default one is created on first use. */
export class CalendarRepository {
  listOwned(db: Db, organizationId: string, userId: string): Promise<CalendarRow[]> {
    return db.calendar.findMany({ where: { organizationId, userId, deletedAt: null }, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] });
  }

  findOwned(db: Db, organizationId: string, userId: string, id: string): Promise<CalendarRow | null> {
    return db.calendar.findFirst({ where: { id, organizationId, userId, deletedAt: null } });
  }

  findById(db: Db, id: string): Promise<CalendarRow | null> {
    return db.calendar.findUnique({ where: { id } });
  }

  create(db: Db, organizationId: string, userId: string, data: { name: string; color: string; isDefault?: boolean }): Promise<CalendarRow> {
    return db.calendar.create({ data: { organizationId, userId, ...data } });
  }

  /**
   * The user's default calendar, created when missing. Two concurrent first uses meet at the
   * partial unique index calendars_one_default_per_user: the loser reads the winner's row.
   * Outside a transaction (a failed insert would abort the caller's transaction on Postgres).
   */
  async ensureDefault(db: Db, organizationId: string, userId: string): Promise<CalendarRow> {
    const existing = await db.calendar.findFirst({ where: { organizationId, userId, isDefault: true, deletedAt: null } });
    if (existing) return existing;
    try {
      return await this.create(db, organizationId, userId, { name: DEFAULT_CALENDAR_NAME, color: '#4f46e5', isDefault: true });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const winner = await db.calendar.findFirst({ where: { organizationId, userId, isDefault: true, deletedAt: null } });
        if (winner) return winner;
      }
      throw error;
    }
  }
}
