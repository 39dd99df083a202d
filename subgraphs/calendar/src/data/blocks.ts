import type { FocusBlock } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type FocusBlockRow = FocusBlock;

export class FocusBlockRepository {
  findOwned(db: Db, organizationId: string, userId: string, id: string): Promise<FocusBlockRow | null> {
    return db.focusBlock.findFirst({ where: { id, organizationId, userId } });
  }

  /** SCHEDULED and STARTED blocks overlapping [from, to), by start. */
  active(db: Db, organizationId: string, userId: string, from: Date, to: Date): Promise<FocusBlockRow[]> {
    return db.focusBlock.findMany({
      where: { organizationId, userId, status: { in: ['SCHEDULED', 'STARTED'] }, startsAt: { lt: to }, endsAt: { gt: from } },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }
}
