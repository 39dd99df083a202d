// Test helper (not a test): a focus database of its own (in-memory PGlite, or a throwaway Postgres
// schema) with the focus migrations applied, its Prisma client, and an effects table that consumers
// write to so tests can count how often each event's effect happened.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createEvent, FocusEvents, type EventEnvelope, type FocusSessionEventData } from '@flowforge/events';
import { MEMORY_DATA_DIR, openDatabase, type Database } from '../../../packages/db/src/index.js';
import { PrismaClient } from '../src/generated/prisma/client.js';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface EventDb {
  database: Database;
  db: PrismaClient;
  schema: string | null;
  effects(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export async function openEventDb(databaseUrl?: string): Promise<EventDb> {
  const schema = databaseUrl ? `evt_test_${randomUUID().replace(/-/g, '').slice(0, 12)}` : null;
  const database = await openDatabase(
    databaseUrl && schema ? { kind: 'postgres', url: databaseUrl, schema } : { kind: 'pglite', dataDir: MEMORY_DATA_DIR },
    { migrationsDir: MIGRATIONS },
  );
  await database.query('create table effects (event_id uuid not null, consumer text not null, applied_at timestamptz not null default now())');
  const db = new PrismaClient({ adapter: database.adapter });
  return {
    database,
    db,
    schema,
    async effects() {
      const rows = await database.query<{ event_id: string; n: number }>('select event_id::text as event_id, count(*)::int as n from effects group by event_id');
      return new Map(rows.map((row) => [row.event_id, Number(row.n)]));
    },
    async close() {
      await db.$disconnect();
      if (schema) await database.query(`drop schema if exists ${schema} cascade`);
      await database.close();
    },
  };
}

/** The effect a consumer applies: one row per application. */
export const applyEffect = (consumer: string, event: EventEnvelope) => (tx: Tx) =>
  tx.$executeRawUnsafe('insert into effects (event_id, consumer) values ($1::uuid, $2)', event.id, consumer).then(() => undefined);

/** A real focus-session change: create and end a session, returning its `ended` event (not yet written). */
export async function endSessionChange(tx: Tx, organizationId: string, userId: string): Promise<EventEnvelope<FocusSessionEventData>> {
  const startedAt = new Date(Date.now() - 25 * 60_000);
  const session = await tx.focusSession.create({
    data: { organizationId, userId, plannedMinutes: 25, state: 'COMPLETED', startedAt, endedAt: new Date(), actualMinutes: 25, category: 'Writing' },
  });
  return createEvent<FocusSessionEventData>({
    domain: 'focus',
    type: FocusEvents.ended,
    subject: session.id,
    tenant: organizationId,
    data: {
      sessionId: session.id, userId, organizationId, state: 'COMPLETED', plannedMinutes: 25, actualMinutes: 25, category: 'Writing', rating: null,
      notes: null, pauseCount: 0, interruptionCount: 0, startedAt: startedAt.toISOString(), endedAt: session.endedAt!.toISOString(), focusBlockId: null,
    },
  });
}
