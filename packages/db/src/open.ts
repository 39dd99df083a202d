import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { applyMigrations, type ApplyMigrationsResult, type MigrationExecutor } from './migrations.js';
import { assertSubgraphName, MEMORY_DATA_DIR, type DatabaseTarget } from './target.js';

export interface OpenDatabaseOptions {
  /** The subgraph's `prisma/migrations` directory. */
  migrationsDir: string;
  log?: (message: string) => void;
  /** Postgres pool size shared by Prisma and `query` (default 10). */
  poolSize?: number;
}

export interface Database {
  readonly target: DatabaseTarget;
  /** Pass to `new PrismaClient({ adapter })`. */
  readonly adapter: SqlDriverAdapterFactory;
  /** What the startup migration run did. */
  readonly migrations: ApplyMigrationsResult;
  /**
   * Raw SQL for tests and health checks ($1.. parameters). Bare table names resolve to the
   * subgraph's schema in both modes (Postgres: the pool's search_path is the subgraph schema).
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Closes the pool / PGlite. Call after `prisma.$disconnect()`. Idempotent. */
  close(): Promise<void>;
}

/** Executor on one dedicated pg connection (a Client or a checked-out PoolClient). */
export function pgExecutor(client: pg.ClientBase): MigrationExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const result = await client.query(sql, params === undefined ? undefined : [...params]);
      return result.rows as R[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** Executor on a PGlite instance (a PGlite is a single session). */
export function pgliteExecutor(db: PGlite): MigrationExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const result = await db.query<R>(sql, params === undefined ? undefined : [...params]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

/**
 * Opens the subgraph's database and applies its migrations before returning.
 * Postgres: one pg.Pool (search_path = the subgraph schema) shared by the Prisma adapter
 * (`new PrismaPg(pool, { schema })`) and `query`; migrations run on a separate dedicated connection.
 * PGlite: one PGlite instance per data dir in this process (reference-counted), guarded by a lock
 * file against a second process.
 */
export async function openDatabase(target: DatabaseTarget, options: OpenDatabaseOptions): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target, options) : openPglite(target, options);
}

async function openPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  options: OpenDatabaseOptions,
): Promise<Database> {
  const log = options.log ?? (() => {});
  assertSubgraphName(target.schema);

  const migrationClient = new pg.Client({ connectionString: target.url });
  migrationClient.on('error', (error) => log(`migration connection error: ${error.message}`));
  await migrationClient.connect();
  let migrations: ApplyMigrationsResult;
  try {
    migrations = await applyMigrations(pgExecutor(migrationClient), options.migrationsDir, {
      schema: target.schema,
      log,
    });
  } finally {
    await migrationClient.end().catch(() => {});
  }

  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    // Prisma's SQL is schema-qualified anyway; this makes raw SQL with bare names match PGlite mode.
    // (An `options` parameter in DATABASE_URL takes precedence over this.)
    options: `-c search_path=${target.schema}`,
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (error) => log(`postgres pool error: ${error.message}`));
  const adapter = new PrismaPg(pool, { schema: target.schema });

  let closed: Promise<void> | undefined;
  return {
    target,
    adapter,
    migrations,
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const result = await pool.query(sql, params === undefined ? undefined : [...params]);
      return result.rows as R[];
    },
    close(): Promise<void> {
      closed ??= pool.end();
      return closed;
    },
  };
}

interface OpenPglite {
  db: PGlite;
  refs: number;
  closing: boolean;
  /** Serialises migration runs on this instance. */
  ready: Promise<unknown>;
  releaseLock: () => Promise<void>;
}

/** Open PGlite instances by absolute data dir (memory:// ones are never shared). */
const openPglites = new Map<string, Promise<OpenPglite>>();

/**
 * Creating a PGlite cluster (initdb in WASM) takes seconds of CPU; copying one takes milliseconds.
 * The first new data dir under a parent creates an empty cluster at `<parent>/.template` once, and
 * every new data dir starts as a copy of it, so six subgraphs start as fast as one.
 */
const templates = new Map<string, Promise<string>>();

function pgliteTemplate(parent: string): Promise<string> {
  let template = templates.get(parent);
  if (!template) {
    template = (async () => {
      const dir = path.join(parent, '.template');
      if (existsSync(path.join(dir, 'PG_VERSION'))) return dir;
      const building = `${dir}-${process.pid}-${Date.now()}`;
      const db = new PGlite(building);
      await db.waitReady;
      await db.close();
      try {
        await rename(building, dir);
      } catch {
        await rm(building, { recursive: true, force: true }); // another process won the race: use theirs
      }
      return dir;
    })();
    templates.set(parent, template);
    template.catch(() => templates.delete(parent));
  }
  return template;
}

async function createPglite(dataDir: string | undefined): Promise<OpenPglite> {
  let releaseLock = async (): Promise<void> => {};
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await acquireDataDirLock(dataDir);
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await cp(await pgliteTemplate(path.dirname(dataDir)), dataDir, { recursive: true });
    }
  }
  try {
    const db = new PGlite(dataDir ?? MEMORY_DATA_DIR);
    await db.waitReady;
    return { db, refs: 0, closing: false, ready: Promise.resolve(), releaseLock };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

async function acquirePglite(key: string | undefined): Promise<OpenPglite> {
  if (key === undefined) {
    const entry = await createPglite(undefined);
    entry.refs = 1;
    return entry;
  }
  for (;;) {
    let opening = openPglites.get(key);
    if (!opening) {
      opening = createPglite(key);
      openPglites.set(key, opening);
      opening.catch(() => {
        if (openPglites.get(key) === opening) openPglites.delete(key);
      });
    }
    const entry = await opening;
    if (!entry.closing) {
      entry.refs += 1;
      return entry;
    }
    await entry.ready; // being closed by its last user: wait, then open afresh
  }
}

async function openPglite(
  target: Extract<DatabaseTarget, { kind: 'pglite' }>,
  options: OpenDatabaseOptions,
): Promise<Database> {
  const log = options.log ?? (() => {});
  const key = target.dataDir === MEMORY_DATA_DIR ? undefined : path.resolve(target.dataDir);
  const entry = await acquirePglite(key);

  // One migration run at a time per PGlite (advisory locks do not block within one session).
  const run = entry.ready.then(() => applyMigrations(pgliteExecutor(entry.db), options.migrationsDir, { log }));
  entry.ready = run.catch(() => {});
  let migrations: ApplyMigrationsResult;
  try {
    migrations = await run;
  } catch (error) {
    await release(entry, key);
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    target,
    adapter: new PrismaPGlite(entry.db),
    migrations,
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const result = await entry.db.query<R>(sql, params === undefined ? undefined : [...params]);
      return result.rows;
    },
    close(): Promise<void> {
      closed ??= release(entry, key);
      return closed;
    },
  };
}

async function release(entry: OpenPglite, key: string | undefined): Promise<void> {
  entry.refs -= 1;
  if (entry.refs > 0) return;
  entry.closing = true;
  const closing = (async () => {
    try {
      if (!entry.db.closed) await entry.db.close();
    } finally {
      if (key !== undefined) openPglites.delete(key);
      await entry.releaseLock();
    }
  })();
  entry.ready = closing.catch(() => {});
  await closing;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no postmaster.pid: two processes on one data dir would corrupt it. `<dataDir>.lock`
 * holds {pid, host, boot}; a lock whose process is gone (or from another boot) is taken over.
 */
async function acquireDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), boot: bootId() });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(mine);
      await handle.close();
      return async () => {
        try {
          if ((await readFile(lockPath, 'utf8')) === mine) await unlink(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: unknown; host?: unknown; boot?: unknown } = {};
    try {
      holder = JSON.parse(await readFile(lockPath, 'utf8')) as typeof holder;
    } catch {
      // unreadable or half-written: treat as stale
    }
    const live =
      typeof holder.pid === 'number' &&
      holder.pid !== process.pid &&
      holder.host === hostname() &&
      holder.boot === bootId() &&
      processAlive(holder.pid);
    if (live) {
      throw new Error(
        `PGlite data dir ${dataDir} is in use by process ${String(holder.pid)} (PGlite allows one process per data dir). ` +
          `Stop that process, or set FLOWFORGE_DATA_DIR to another directory. If no such process runs, delete ${lockPath}.`,
      );
    }
    await unlink(lockPath).catch(() => {});
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
