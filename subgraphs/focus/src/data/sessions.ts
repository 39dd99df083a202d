import { badInput } from '@flowforge/runtime';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

const details = { pauses: { orderBy: { startedAt: 'asc' } }, interruptions: { orderBy: { occurredAt: 'asc' } } } as const satisfies Prisma.FocusSessionInclude;
export type SessionWithDetails = Prisma.FocusSessionGetPayload<{ include: typeof details }>;
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface PageRequest {
  first: number;
  after?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export const MAX_PAGE_SIZE = 100;

function encodeCursor(session: { startedAt: Date; id: string }): string {
  return Buffer.from(`${session.startedAt.toISOString()}|${session.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  const [startedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(startedAt ?? '');
  if (!id || Number.isNaN(date.getTime())) throw badInput('after is not a cursor returned by this API; use pageInfo.endCursor.', 'after');
  return { startedAt: date, id };
}

/** Focus session storage. Every query is scoped by organization and user. */
export class SessionRepository {
  constructor(readonly db: PrismaClient) {}

  findOwned(organizationId: string, userId: string, id: string, tx: Tx | PrismaClient = this.db): Promise<SessionWithDetails | null> {
    return tx.focusSession.findFirst({ where: { id, organizationId, userId }, include: details });
  }

  findInOrganization(organizationId: string, id: string): Promise<SessionWithDetails | null> {
    return this.db.focusSession.findFirst({ where: { id, organizationId }, include: details });
  }

  findOpen(organizationId: string, userId: string): Promise<SessionWithDetails | null> {
    return this.db.focusSession.findFirst({ where: { organizationId, userId, state: { in: ['ACTIVE', 'PAUSED'] } }, include: details });
  }

  reload(id: string, tx: Tx | PrismaClient = this.db): Promise<SessionWithDetails> {
    return tx.focusSession.findUniqueOrThrow({ where: { id }, include: details });
  }

  /** Newest first, keyset-paginated on (startedAt, id) so pages stay stable while sessions are added. */
  async page(organizationId: string, userId: string, request: PageRequest) {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > MAX_PAGE_SIZE) {
      throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
    }
    if (request.from && request.to && request.from > request.to) throw badInput('from must not be after to.', 'from');
    const cursor = request.after ? decodeCursor(request.after) : null;
    const rows = await this.db.focusSession.findMany({
      where: {
        organizationId,
        userId,
        startedAt: { ...(request.from && { gte: request.from }), ...(request.to && { lte: request.to }) },
        ...(cursor && { OR: [{ startedAt: { lt: cursor.startedAt } }, { startedAt: cursor.startedAt, id: { lt: cursor.id } }] }),
      },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: request.first + 1,
      include: details,
    });
    const nodes = rows.slice(0, request.first);
    const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > request.first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Completed sessions started within [start, end), for statistics. */
  completedBetween(organizationId: string, userId: string, start: Date, end: Date) {
    return this.db.focusSession.findMany({
      where: { organizationId, userId, state: 'COMPLETED', startedAt: { gte: start, lt: end } },
      select: { startedAt: true, endedAt: true, actualMinutes: true, rating: true, state: true },
    });
  }
}
