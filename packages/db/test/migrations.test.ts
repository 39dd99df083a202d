import { describeWithService } from '@flowforge/testing';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

import {
  applyMigrations,
  migrationChecksum,
  openDatabase,
  pgExecutor,
  pgliteExecutor,
  resolveDatabaseTarget,
} from '../src/index.js';

const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `ff-db-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Writes a Prisma-layout migrations dir: <dir>/<name>/migration.sql. */
async function writeMigrations(dir: string, migrations: Record<string, string>): Promise<void> {
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name), { recursive: true });
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
}

const INIT = `-- CreateTable
CREATE TABLE "focus_sessions" (
    "id" UUID NOT NULL,
    "note" TEXT,
    CONSTRAINT "focus_sessions_pkey" PRIMARY KEY ("id")
);
`;
const SECOND = `-- CreateIndex
CREATE INDEX "focus_sessions_note_idx" ON "focus_sessions"("note");
`;

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('resolveDatabaseTarget', () => {
  it('uses Postgres with the subgraph schema when DATABASE_URL is set', () => {
    expect(resolveDatabaseTarget('focus', { DATABASE_URL: 'postgresql://u:p@h:5432/d?schema=x' })).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@h:5432/d?schema=x',
      schema: 'focus',
    });
  });

  it('uses PGlite under FLOWFORGE_DATA_DIR (default .data), absolute', () => {
    expect(resolveDatabaseTarget('habits', {})).toEqual({
      kind: 'pglite',
      dataDir: path.resolve(process.cwd(), '.data', 'pglite', 'habits'),
    });
    expect(resolveDatabaseTarget('habits', { FLOWFORGE_DATA_DIR: '/tmp/x' })).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/x/pglite/habits',
    });
    expect(resolveDatabaseTarget('habits', { FLOWFORGE_DATA_DIR: 'memory' })).toEqual({
      kind: 'pglite',
      dataDir: 'memory://',
    });
  });

  it('rejects names that cannot be a schema name', () => {
    expect(() => resolveDatabaseTarget('Focus; drop', {})).toThrow(/Invalid subgraph name/);
  });
});

describe('applyMigrations on PGlite (in memory)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite('memory://');
    await db.waitReady;
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies once and is idempotent, recording rows like Prisma', async () => {
    const dir = await tempDir('idem');
    await writeMigrations(dir, { '20250101000000_init': INIT });
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    await writeFile(path.join(dir, 'schema.snapshot.prisma'), '// ignored\n');

    const first = await applyMigrations(pgliteExecutor(db), dir);
    expect(first).toEqual({ applied: ['20250101000000_init'], alreadyApplied: 0 });
    const second = await applyMigrations(pgliteExecutor(db), dir);
    expect(second).toEqual({ applied: [], alreadyApplied: 1 });

    await writeMigrations(dir, { '20250102000000_index': SECOND });
    const third = await applyMigrations(pgliteExecutor(db), dir);
    expect(third).toEqual({ applied: ['20250102000000_index'], alreadyApplied: 1 });

    const rows = await db.query<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.rows).toEqual([
      { migration_name: '20250101000000_init', checksum: migrationChecksum(INIT), finished: true, applied_steps_count: 1 },
      { migration_name: '20250102000000_index', checksum: migrationChecksum(SECOND), finished: true, applied_steps_count: 1 },
    ]);
    await db.query(`INSERT INTO focus_sessions (id) VALUES ('8d5e8f6e-8a38-4b1b-9d5a-0c1f1c7a1a11')`);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const fresh = new PGlite('memory://');
    try {
      const dir = await tempDir('checksum');
      await writeMigrations(dir, { '20250101000000_init': INIT });
      await applyMigrations(pgliteExecutor(fresh), dir);
      await writeFile(path.join(dir, '20250101000000_init', 'migration.sql'), `${INIT}\n-- edited\n`);
      await expect(applyMigrations(pgliteExecutor(fresh), dir)).rejects.toThrow(
        /Migration 20250101000000_init was modified after it was applied/,
      );
      // CRLF checkout of the same file is accepted, as Prisma does.
      await writeFile(path.join(dir, '20250101000000_init', 'migration.sql'), INIT.replace(/\n/g, '\r\n'));
      await expect(applyMigrations(pgliteExecutor(fresh), dir)).resolves.toEqual({ applied: [], alreadyApplied: 1 });
    } finally {
      await fresh.close();
    }
  });

  it('rolls back a failing file, records the failure and refuses to continue', async () => {
    const fresh = new PGlite('memory://');
    try {
      const dir = await tempDir('failed');
      await writeMigrations(dir, {
        '20250101000000_init': INIT,
        '20250102000000_bad': 'CREATE TABLE "half_done" ("id" INT);\nSELECT no_such_function();\n',
        '20250103000000_later': 'CREATE TABLE "later" ("id" INT);\n',
      });
      await expect(applyMigrations(pgliteExecutor(fresh), dir)).rejects.toThrow(/Migration 20250102000000_bad failed/);
      const tables = await fresh.query<{ half: string | null; later: string | null; init: string | null }>(
        `SELECT to_regclass('half_done')::text AS half, to_regclass('later')::text AS later, to_regclass('focus_sessions')::text AS init`,
      );
      expect(tables.rows[0]).toEqual({ half: null, later: null, init: 'focus_sessions' });
      await expect(applyMigrations(pgliteExecutor(fresh), dir)).rejects.toThrow(
        /Migration 20250102000000_bad failed earlier/,
      );
      // Resolving it the Prisma way (rolled back) lets a fixed file apply.
      await fresh.exec(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '20250102000000_bad'`);
      await writeMigrations(dir, { '20250102000000_bad': 'CREATE TABLE "half_done" ("id" INT);\n' });
      await expect(applyMigrations(pgliteExecutor(fresh), dir)).resolves.toEqual({
        applied: ['20250102000000_bad', '20250103000000_later'],
        alreadyApplied: 1,
      });
    } finally {
      await fresh.close();
    }
  });

  it('names a migration folder without migration.sql', async () => {
    const dir = await tempDir('nosql');
    await mkdir(path.join(dir, '20250101000000_empty'));
    await expect(applyMigrations(pgliteExecutor(db), dir)).rejects.toThrow(/20250101000000_empty has no migration.sql/);
  });
});

describe('openDatabase on PGlite', () => {
  it('migrates before returning and survives a restart on a persistent data dir', async () => {
    const migrationsDir = await tempDir('mig');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT });
    const dataRoot = await tempDir('data');
    const target = resolveDatabaseTarget('focus', { FLOWFORGE_DATA_DIR: dataRoot });

    const first = await openDatabase(target, { migrationsDir });
    expect(first.migrations.applied).toEqual(['20250101000000_init']);
    expect(first.adapter.provider).toBe('postgres');
    await first.query(`INSERT INTO focus_sessions (id, note) VALUES ($1, $2)`, ['8d5e8f6e-8a38-4b1b-9d5a-0c1f1c7a1a11', 'kept']);
    // A second open in the same process shares the instance instead of corrupting the dir.
    const again = await openDatabase(target, { migrationsDir });
    expect(again.migrations).toEqual({ applied: [], alreadyApplied: 1 });
    await again.close();
    await first.close();

    const reopened = await openDatabase(target, { migrationsDir });
    try {
      expect(reopened.migrations).toEqual({ applied: [], alreadyApplied: 1 });
      expect(await reopened.query(`SELECT note FROM focus_sessions`)).toEqual([{ note: 'kept' }]);
    } finally {
      await reopened.close();
    }
  });

  it('shares one instance between concurrent opens of a data dir', async () => {
    const migrationsDir = await tempDir('conc');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT });
    const target = resolveDatabaseTarget('focus', { FLOWFORGE_DATA_DIR: await tempDir('concdata') });
    const [a, b] = await Promise.all([openDatabase(target, { migrationsDir }), openDatabase(target, { migrationsDir })]);
    expect([...a.migrations.applied, ...b.migrations.applied]).toEqual(['20250101000000_init']);
    await a.query(`INSERT INTO focus_sessions (id) VALUES ('8d5e8f6e-8a38-4b1b-9d5a-0c1f1c7a1a11')`);
    expect(await b.query(`SELECT count(*)::int AS n FROM focus_sessions`)).toEqual([{ n: 1 }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a data dir locked by another live process', async () => {
    const migrationsDir = await tempDir('locked');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT });
    const target = resolveDatabaseTarget('focus', { FLOWFORGE_DATA_DIR: await tempDir('lockeddata') });
    if (target.kind !== 'pglite') throw new Error('expected pglite');
    const { hostname } = await import('node:os');
    const { readFileSync } = await import('node:fs');
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // not Linux
    }
    await mkdir(target.dataDir, { recursive: true });
    const lockPath = `${target.dataDir}.lock`;
    await writeFile(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), boot }));
    await expect(openDatabase(target, { migrationsDir })).rejects.toThrow(/is in use by process/);
    // A lock left by a dead process is taken over.
    await writeFile(lockPath, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), boot }));
    const db = await openDatabase(target, { migrationsDir });
    await db.close();
  });

  it('works in memory', async () => {
    const migrationsDir = await tempDir('mem');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT });
    const db = await openDatabase(resolveDatabaseTarget('focus', { FLOWFORGE_DATA_DIR: 'memory' }), { migrationsDir });
    try {
      expect(db.migrations.applied).toEqual(['20250101000000_init']);
      expect(await db.query(`SELECT count(*)::int AS n FROM focus_sessions`)).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});

describeWithService('DATABASE_URL', 'applyMigrations on Postgres', (url) => {
  const schemas: string[] = [];
  const newSchema = (): string => {
    const schema = `ff_dbtest_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 8)}`;
    schemas.push(schema);
    return schema;
  };
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('applies into the subgraph schema, not public', async () => {
    const migrationsDir = await tempDir('pg');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT, '20250102000000_index': SECOND });
    const schema = newSchema();
    const db = await openDatabase({ kind: 'postgres', url, schema }, { migrationsDir });
    try {
      expect(db.migrations.applied).toEqual(['20250101000000_init', '20250102000000_index']);
      const { rows } = await admin.query<{ t: string | null; m: string | null; pub: string | null }>(
        `SELECT to_regclass($1)::text AS t, to_regclass($2)::text AS m, to_regclass('public.focus_sessions')::text AS pub`,
        [`"${schema}".focus_sessions`, `"${schema}"._prisma_migrations`],
      );
      expect(rows[0]?.t).not.toBeNull();
      expect(rows[0]?.m).not.toBeNull();
      // Bare names in db.query resolve to the subgraph schema.
      expect(await db.query(`SELECT current_schema() AS s, count(*)::int AS n FROM focus_sessions`)).toEqual([
        { s: schema, n: 0 },
      ]);
      const connected = await db.adapter.connect();
      expect(connected.getConnectionInfo?.().schemaName).toBe(schema);
      await connected.dispose();
    } finally {
      await db.close();
    }
    const again = await openDatabase({ kind: 'postgres', url, schema }, { migrationsDir });
    expect(again.migrations).toEqual({ applied: [], alreadyApplied: 2 });
    await again.close();
  });

  it('lets concurrent starters apply each migration exactly once', async () => {
    const migrationsDir = await tempDir('pgconc');
    await writeMigrations(migrationsDir, {
      '20250101000000_init': `${INIT}SELECT pg_sleep(0.2);\n`,
      '20250102000000_index': SECOND,
    });
    const schema = newSchema();
    const starters = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ kind: 'postgres', url, schema }, { migrationsDir })),
    );
    try {
      const appliedNames = starters.flatMap((db) => db.migrations.applied).sort();
      expect(appliedNames).toEqual(['20250101000000_init', '20250102000000_index']);
      const { rows } = await admin.query<{ migration_name: string }>(
        `SELECT migration_name FROM "${schema}"._prisma_migrations ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(['20250101000000_init', '20250102000000_index']);
    } finally {
      await Promise.all(starters.map((db) => db.close()));
    }
  });

  it('refuses a changed checksum on Postgres too', async () => {
    const migrationsDir = await tempDir('pgsum');
    await writeMigrations(migrationsDir, { '20250101000000_init': INIT });
    const schema = newSchema();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await applyMigrations(pgExecutor(client), migrationsDir, { schema });
      await writeFile(path.join(migrationsDir, '20250101000000_init', 'migration.sql'), `${INIT}-- edited\n`);
      await expect(applyMigrations(pgExecutor(client), migrationsDir, { schema })).rejects.toThrow(
        /20250101000000_init was modified/,
      );
      // The lock was released despite the error.
      const { rows } = await admin.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(72707369) AS ok`);
      expect(rows[0]?.ok).toBe(true);
      await admin.query(`SELECT pg_advisory_unlock(72707369)`);
    } finally {
      await client.end();
    }
  });
});
