// The inbound half of provider sync, on its own in-memory PGlite calendar database: a whole
// flowforge.integrations.calendar_events.synced batch is applied in ONE transaction with set-based
// statements, re-applying it changes nothing, and conflicts follow the same rules as before.
import { CALENDAR_SYNC_CONFLICT, consumeOnce, createEvent, IntegrationsEvents, writeEvents, type CalendarEventsSyncedData, type CalendarSyncConflictData, type EventEnvelope } from '@flowforge/events';
import type { SubgraphEvents } from '@flowforge/runtime';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MEMORY_DATA_DIR, openDatabase, type Database } from '../../../packages/db/src/index.js';
import type { Tx } from '../src/data/db.js';
import { applySyncBatch } from '../src/events/integration-sync.js';
import { Prisma, PrismaClient } from '../src/generated/prisma/client.js';

const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

type Item = CalendarEventsSyncedData['items'][number];

const item = (n: number, patch: Partial<Item> = {}): Item => ({
  externalId: `g${n}`, etag: `"e${n}-1"`, updatedAt: new Date(Date.now() - 60_000).toISOString(), title: `Meeting ${n}`, description: null,
  startsAt: new Date(Date.UTC(2030, 0, 1, 8) + n * 300_000).toISOString(), endsAt: new Date(Date.UTC(2030, 0, 1, 8) + n * 300_000 + 1_800_000).toISOString(),
  timezone: 'Europe/Berlin', allDay: false, startDate: null, endDate: null, busy: true, previousEtag: null, ...patch,
});

describe('calendar: applying integrations sync batches', () => {
  let database: Database;
  let db: PrismaClient;
  let operations: string[];
  let counted: PrismaClient;
  let transactions = 0;
  const organizationId = randomUUID();
  const userId = randomUUID();
  const connectionId = randomUUID();

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: MEMORY_DATA_DIR }, { migrationsDir: MIGRATIONS });
    db = new PrismaClient({ adapter: database.adapter });
    operations = [];
    // Counts every statement the consumer sends (model operations and raw SQL).
    counted = db.$extends({ query: { $allOperations: ({ model, operation, args, query }) => (operations.push(`${model ?? ''}.${operation}`), query(args)) } }) as unknown as PrismaClient;
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.close();
  });

  const events: Pick<SubgraphEvents<Tx>, 'publish'> = { publish: (tx, list) => writeEvents(tx, list) };
  const batch = (data: Partial<CalendarEventsSyncedData>): EventEnvelope<CalendarEventsSyncedData> => createEvent({
    domain: 'integrations', type: IntegrationsEvents.calendarEventsSynced, subject: connectionId, tenant: organizationId,
    data: { connectionId, userId, organizationId, provider: 'GOOGLE_CALENDAR', source: 'GOOGLE', items: [], deletedExternalIds: [], ...data },
  });
  /** As the subgraph's durable consumer runs it: consumeOnce (one transaction) around applySyncBatch. */
  const consume = async (event: EventEnvelope) => {
    let result: Awaited<ReturnType<typeof applySyncBatch>> | null = null;
    const runner = { $transaction: <T>(fn: (tx: Tx) => Promise<T>, options?: { maxWait?: number; timeout?: number }) => (transactions++, counted.$transaction((tx) => fn(tx as unknown as Tx), options)) };
    const ran = await consumeOnce<Tx>(runner as never, 'integration-sync', event, async (tx) => void (result = await applySyncBatch(event, tx, events)));
    return { ran, result: result as Awaited<ReturnType<typeof applySyncBatch>> | null };
  };
  const outbox = async () => (await db.$queryRawUnsafe<{ envelope: EventEnvelope }[]>('select envelope from outbox_events order by created_at, id')).map((r) => r.envelope);
  const rows = () => db.calendarEvent.findMany({ where: { organizationId, userId, source: 'GOOGLE' }, orderBy: { externalId: 'asc' } });

  it('imports a 600-item batch in one transaction with a handful of set-based statements, and a redelivery or re-application changes nothing', async () => {
    const items = Array.from({ length: 600 }, (_, i) => item(i));
    const event = batch({ items });
    operations.length = 0;
    transactions = 0;
    const first = await consume(event);
    expect(first.ran).toBe(true);
    expect(first.result).toEqual({ created: 600, updated: 0, deleted: 0, conflicts: 0, unchanged: 0 });
    expect(transactions).toBe(1);
    // Not one statement per item: load, calendar lookup + create, two createManyAndReturn chunks, two outbox inserts, processed_events.
    expect(operations.length).toBeLessThanOrEqual(12);
    expect(operations.filter((o) => o === 'CalendarEvent.findMany')).toHaveLength(1);
    expect(operations.filter((o) => o === 'CalendarEvent.createManyAndReturn')).toHaveLength(2);

    const stored = await rows();
    expect(stored).toHaveLength(600);
    expect(new Set(stored.map((r) => r.calendarId)).size).toBe(1);
    const calendar = await db.calendar.findUniqueOrThrow({ where: { id: stored[0]!.calendarId } });
    expect(calendar).toMatchObject({ source: 'GOOGLE', externalId: `google:${connectionId}`, name: 'Google Calendar' });
    expect(stored.find((r) => r.externalId === 'g7')).toMatchObject({ title: 'Meeting 7', etag: '"e7-1"', timezone: 'Europe/Berlin', busy: true, deletedAt: null });
    const published = await outbox();
    expect(published.filter((e) => e.type === 'flowforge.calendar.event.created')).toHaveLength(600);

    // The same event again (redelivery): consumeOnce skips it.
    expect((await consume(event)).ran).toBe(false);
    // The same batch under a new event id (a retried page): every item is already applied.
    const again = await consume(batch({ items }));
    expect(again.result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 600 });
    expect(await outbox()).toHaveLength(published.length);
    expect((await rows()).map((r) => [r.id, r.etag, r.sequence, r.updatedAt.getTime()])).toEqual(stored.map((r) => [r.id, r.etag, r.sequence, r.updatedAt.getTime()]));
  });

  it('applies edits and deletions of one page together, records conflicts by the same rules (later change wins, ties go to the provider)', async () => {
    const before = new Map((await rows()).map((r) => [r.externalId!, r]));
    // Local edits here (new etag, updatedAt) to g2 (older than the remote change) and g3 (newer).
    const remoteAt = Date.now() - 10_000;
    await db.calendarEvent.update({ where: { id: before.get('g2')!.id }, data: { title: 'Local 2', etag: 'local-2', updatedAt: new Date(remoteAt - 5_000) } });
    await db.calendarEvent.update({ where: { id: before.get('g3')!.id }, data: { title: 'Local 3', etag: 'local-3', updatedAt: new Date(remoteAt + 5_000) } });
    await db.calendarEvent.update({ where: { id: before.get('g4')!.id }, data: { title: 'Local 4', etag: 'local-4', updatedAt: new Date(remoteAt) } });
    const edit = (n: number, title: string) => item(n, { title, etag: `"e${n}-2"`, updatedAt: new Date(remoteAt).toISOString(), previousEtag: `"e${n}-1"` });
    const length = (await outbox()).length;
    const { result } = await consume(batch({
      items: [edit(1, 'Remote 1'), edit(2, 'Remote 2'), edit(3, 'Remote 3'), edit(4, 'Remote 4'), item(900, { title: 'New' }), { externalId: '', etag: 'x' } as Item, { ...item(901), startsAt: 'nope' }],
      deletedExternalIds: ['g5', 'g6', 'never-imported'],
    }));
    expect(result).toEqual({ created: 1, updated: 3, deleted: 2, conflicts: 3, unchanged: 1 });

    const after = new Map((await rows()).map((r) => [r.externalId!, r]));
    expect(after.get('g1')).toMatchObject({ title: 'Remote 1', etag: '"e1-2"', sequence: before.get('g1')!.sequence + 1 });
    expect(after.get('g2')).toMatchObject({ title: 'Remote 2', etag: '"e2-2"' }); // the provider's edit is newer
    expect(after.get('g3')).toMatchObject({ title: 'Local 3', etag: 'local-3' }); // ours is newer: kept, pushed back by integrations
    expect(after.get('g4')).toMatchObject({ title: 'Remote 4', etag: '"e4-2"' }); // a tie goes to the provider
    expect(after.get('g5')!.deletedAt).toBeInstanceOf(Date);
    expect(after.get('g5')!.etag).not.toBe(before.get('g5')!.etag);
    expect(after.get('g6')!.deletedAt).toBeInstanceOf(Date);
    expect(after.get('g900')).toMatchObject({ title: 'New', calendarId: before.get('g1')!.calendarId });
    expect(after.has('g901')).toBe(false);
    expect(after.has('never-imported')).toBe(false);

    const published = (await outbox()).slice(length);
    const conflicts = published.filter((e) => e.type === CALENDAR_SYNC_CONFLICT).map((e) => e.data as CalendarSyncConflictData);
    expect(conflicts.map((c) => [c.externalId, c.winner, c.fields])).toEqual(expect.arrayContaining([['g2', 'REMOTE', ['title']], ['g3', 'LOCAL', ['title']], ['g4', 'REMOTE', ['title']]]));
    expect(conflicts.find((c) => c.externalId === 'g3')).toMatchObject({ eventId: before.get('g3')!.id, localEtag: 'local-3', remoteEtag: '"e3-2"', local: { title: 'Local 3' }, connectionId, userId, organizationId });
    expect(conflicts.find((c) => c.externalId === 'g4')!.reason).toMatch(/same time/);
    expect(published.filter((e) => e.type === 'flowforge.calendar.event.updated')).toHaveLength(3);
    expect(published.filter((e) => e.type === 'flowforge.calendar.event.deleted')).toHaveLength(2);
    expect(published.filter((e) => e.type === 'flowforge.calendar.event.created')).toHaveLength(1);

    // Re-applying the same changes (new event id): nothing changes, no new conflicts.
    const length2 = (await outbox()).length;
    const again = await consume(batch({ items: [edit(1, 'Remote 1'), edit(2, 'Remote 2'), edit(4, 'Remote 4'), item(900, { title: 'New' })], deletedExternalIds: ['g5', 'g6'] }));
    expect(again.result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 6 });
    expect(await outbox()).toHaveLength(length2);

    // A provider change to a deleted row brings it back (the deletion is not a local edit).
    const back = await consume(batch({ items: [item(5, { title: 'Restored', etag: '"e5-3"', previousEtag: '"e5-1"' })] }));
    expect(back.result).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await db.calendarEvent.findFirstOrThrow({ where: { organizationId, userId, externalId: 'g5' } }))).toMatchObject({ title: 'Restored', deletedAt: null });
  });

  describe('field-level merge against the last synced provider version', () => {
    const remoteAt = Date.now() - 10_000;
    const at = (ms: number) => new Date(ms);
    const conflictsSince = async (length: number) => (await outbox()).slice(length).filter((e) => e.type === CALENDAR_SYNC_CONFLICT).map((e) => e.data as CalendarSyncConflictData);
    const row = async (n: number) => db.calendarEvent.findFirstOrThrow({ where: { organizationId, userId, source: 'GOOGLE', externalId: `g${n}` } });
    const remote = (n: number, patch: Partial<Item>) => item(n, { etag: `"e${n}-2"`, updatedAt: new Date(remoteAt).toISOString(), previousEtag: `"e${n}-1"`, ...patch });
    const hour = 3_600_000;

    beforeAll(async () => {
      const imported = await consume(batch({ items: [2001, 2002, 2003, 2004, 2005, 2006, 2007].map((n) => item(n)) }));
      expect(imported.result).toMatchObject({ created: 7 });
    });

    it('stores the applied provider version as the base', async () => {
      const stored = await row(2001);
      const delivered = item(2001);
      expect(stored.syncedFields).toEqual({ title: delivered.title, description: null, startsAt: delivered.startsAt, endsAt: delivered.endsAt, timezone: 'Europe/Berlin', allDay: false, startDate: null, endDate: null, busy: true, etag: delivered.etag });
    });

    it('keeps both sides when they changed different fields: the provider the title, the user busy (no conflict record)', async () => {
      const before = await row(2001);
      await db.calendarEvent.update({ where: { id: before.id }, data: { busy: false, etag: 'local-2001', updatedAt: at(remoteAt + 5_000) } });
      const length = (await outbox()).length;
      const { result } = await consume(batch({ items: [remote(2001, { title: 'Renamed there' })] }));
      expect(result).toEqual({ created: 0, updated: 1, deleted: 0, conflicts: 0, unchanged: 0 });
      const after = await row(2001);
      expect(after).toMatchObject({ title: 'Renamed there', busy: false });
      // Still differs from the provider's version: a local etag, so the next delivery is merged again.
      expect(after.etag).not.toBe('"e2001-2"');
      expect(after.etag).not.toBe('local-2001');
      expect(after.syncedFields).toMatchObject({ title: 'Renamed there', busy: true });
      expect(await conflictsSince(length)).toEqual([]);

      // The same delivery again (a retried page): nothing changes.
      const length2 = (await outbox()).length;
      const again = await consume(batch({ items: [remote(2001, { title: 'Renamed there' })] }));
      expect(again.result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 1 });
      expect(await outbox()).toHaveLength(length2);
      expect(await row(2001)).toMatchObject({ etag: after.etag, sequence: after.sequence, title: 'Renamed there', busy: false });
    });

    it('gives a field both sides changed to the later change (ties to the provider) and records only that field', async () => {
      const local = async (n: number, data: Parameters<typeof db.calendarEvent.update>[0]['data']) => db.calendarEvent.update({ where: { id: (await row(n)).id }, data: { etag: `local-${n}`, ...data } });
      await local(2002, { title: 'Local 2002', busy: false, updatedAt: at(remoteAt + 5_000) }); // ours newer
      await local(2003, { title: 'Local 2003', updatedAt: at(remoteAt - 5_000) }); // theirs newer
      await local(2004, { title: 'Same', updatedAt: at(remoteAt + 5_000) }); // both to the same value
      const length = (await outbox()).length;
      const { result } = await consume(batch({ items: [
        remote(2002, { title: 'Remote 2002', description: 'Agenda from Google' }),
        remote(2003, { title: 'Remote 2003' }),
        remote(2004, { title: 'Same' }),
      ] }));
      expect(result).toEqual({ created: 0, updated: 3, deleted: 0, conflicts: 2, unchanged: 0 });

      const r2002 = await row(2002);
      expect(r2002).toMatchObject({ title: 'Local 2002', description: 'Agenda from Google', busy: false });
      expect(await row(2003)).toMatchObject({ title: 'Remote 2003', etag: '"e2003-2"' });
      expect(await row(2004)).toMatchObject({ title: 'Same', etag: '"e2004-2"' });

      const conflicts = await conflictsSince(length);
      expect(conflicts.map((c) => [c.externalId, c.winner, c.fields]).sort()).toEqual([['g2002', 'LOCAL', ['title']], ['g2003', 'REMOTE', ['title']]]);
      // A LOCAL winner pushes back the merged version (integrations uses `local` with If-Match remoteEtag).
      const pushed = conflicts.find((c) => c.externalId === 'g2002')!;
      expect(pushed).toMatchObject({ localEtag: r2002.etag, remoteEtag: '"e2002-2"', local: { title: 'Local 2002', description: 'Agenda from Google', busy: false } });

      // The provider's answer to the push-back (previousEtag = localEtag) is adopted as it is.
      const back = await consume(batch({ items: [item(2002, { ...pushed.local, etag: '"e2002-3"', updatedAt: new Date().toISOString(), previousEtag: pushed.localEtag })] }));
      expect(back.result).toMatchObject({ updated: 1, conflicts: 0 });
      expect(await row(2002)).toMatchObject({ title: 'Local 2002', description: 'Agenda from Google', busy: false, etag: '"e2002-3"', syncedFields: expect.objectContaining({ title: 'Local 2002', busy: false }) });
    });

    it('merges the time fields as one group', async () => {
      const start = Date.parse(item(2005).startsAt);
      // 2005: the user moved it (older), the provider changed only its timezone (newer): one conflict, "time", theirs wins whole.
      await db.calendarEvent.update({ where: { id: (await row(2005)).id }, data: { startsAt: at(start + hour), endsAt: at(start + 2 * hour), etag: 'local-2005', updatedAt: at(remoteAt - 5_000) } });
      // 2006: both moved it differently, ours is newer: our times stay, together with our timezone.
      const start6 = Date.parse(item(2006).startsAt);
      await db.calendarEvent.update({ where: { id: (await row(2006)).id }, data: { startsAt: at(start6 + hour), endsAt: at(start6 + 2 * hour), timezone: 'Europe/Paris', etag: 'local-2006', updatedAt: at(remoteAt + 5_000) } });
      const length = (await outbox()).length;
      const { result } = await consume(batch({ items: [
        remote(2005, { timezone: 'America/New_York', title: 'Moved there' }),
        remote(2006, { startsAt: new Date(start6 + 3 * hour).toISOString(), endsAt: new Date(start6 + 4 * hour).toISOString() }),
      ] }));
      expect(result).toMatchObject({ updated: 1, conflicts: 2 });
      const original5 = item(2005);
      expect(await row(2005)).toMatchObject({ title: 'Moved there', startsAt: new Date(original5.startsAt), endsAt: new Date(original5.endsAt), timezone: 'America/New_York', etag: '"e2005-2"' });
      expect(await row(2006)).toMatchObject({ startsAt: at(start6 + hour), endsAt: at(start6 + 2 * hour), timezone: 'Europe/Paris', etag: 'local-2006' });
      const conflicts = await conflictsSince(length);
      expect(conflicts.map((c) => [c.externalId, c.winner, c.fields]).sort()).toEqual([['g2005', 'REMOTE', ['time']], ['g2006', 'LOCAL', ['time']]]);
      expect(conflicts.find((c) => c.externalId === 'g2006')!.local).toMatchObject({ startsAt: at(start6 + hour).toISOString(), timezone: 'Europe/Paris' });
      // The base moved to the provider's version even where ours won (the next delivery merges against it).
      expect((await row(2006)).syncedFields).toMatchObject({ startsAt: new Date(start6 + 3 * hour).toISOString() });
    });

    it('keeps the whole-event rule for rows synced before the base existed', async () => {
      const legacy = await row(2007);
      await db.calendarEvent.update({ where: { id: legacy.id }, data: { syncedFields: Prisma.DbNull, busy: false, etag: 'local-2007', updatedAt: at(remoteAt + 5_000) } });
      const length = (await outbox()).length;
      const { result } = await consume(batch({ items: [remote(2007, { title: 'Remote 2007' })] }));
      expect(result).toMatchObject({ updated: 0, conflicts: 1 });
      // Ours is newer: the whole local event wins, the provider's title included.
      expect(await row(2007)).toMatchObject({ title: 'Meeting 2007', busy: false, etag: 'local-2007', syncedFields: null });
      const [conflict] = await conflictsSince(length);
      expect(conflict).toMatchObject({ externalId: 'g2007', winner: 'LOCAL', fields: ['title', 'busy'], localEtag: 'local-2007', local: { title: 'Meeting 2007', busy: false } });
    });
  });

  it('ignores other event types and malformed batches', async () => {
    const other = createEvent({ domain: 'integrations', type: 'flowforge.integrations.sync.status_changed', subject: connectionId, tenant: organizationId, data: {} });
    expect((await consume(other)).result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 0 });
    expect((await consume(batch({ userId: 'not-a-uuid', items: [item(1000)] }))).result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 0 });
    expect((await consume(batch({ items: 'nope' as never }))).result).toEqual({ created: 0, updated: 0, deleted: 0, conflicts: 0, unchanged: 0 });
  });
});
