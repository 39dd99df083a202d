import type { FocusSessionFact, Prisma, PrismaClient } from '../generated/prisma/client.js';

export type FactRow = FocusSessionFact;
export type FactInput = Omit<Prisma.FocusSessionFactUncheckedCreateInput, 'createdAt' | 'updatedAt'>;

/** The focus_session_facts projection (insights' own copy of ended sessions). Scoped by organization. */
export class FactRepository {
  constructor(readonly db: PrismaClient) {}

  /**
   * Applies one event exactly once for `consumer`: the processed_events row and the fact commit
   * together, so a redelivered event changes nothing. Returns false when it was already applied.
   */
  async applyOnce(consumer: string, eventId: string, fact: FactInput): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const inserted = await tx.processedEvent.createMany({ data: [{ consumer, eventId }], skipDuplicates: true });
      if (inserted.count === 0) return false;
      const { sessionId, ...rest } = fact;
      await tx.focusSessionFact.upsert({ where: { sessionId }, create: fact, update: rest });
      return true;
    });
  }

  forUser(organizationId: string, userId: string, since: Date): Promise<FactRow[]> {
    return this.db.focusSessionFact.findMany({ where: { organizationId, userId, startedAt: { gte: since } }, orderBy: { startedAt: 'asc' } });
  }

  /** Training data of an organization: only users who have not opted out. */
  async forTraining(organizationId: string, since: Date, optedOut: ReadonlySet<string>): Promise<FactRow[]> {
    const rows = await this.db.focusSessionFact.findMany({ where: { organizationId, startedAt: { gte: since } }, orderBy: [{ startedAt: 'asc' }, { sessionId: 'asc' }] });
    return rows.filter((row) => !optedOut.has(row.userId));
  }

  async insertMany(rows: FactInput[]): Promise<number> {
    return (await this.db.focusSessionFact.createMany({ data: rows, skipDuplicates: true })).count;
  }

  organizationsWithFacts(): Promise<string[]> {
    return this.db.focusSessionFact.findMany({ distinct: ['organizationId'], select: { organizationId: true } }).then((rows) => rows.map((r) => r.organizationId));
  }
}
