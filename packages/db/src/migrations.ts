import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * One database session. Must be a single connection (not a pool): the advisory lock and
 * search_path are session state.
 */
export interface MigrationExecutor {
  /** Extended-protocol query with $1.. parameters; returns the rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Simple-protocol script (several statements). Postgres runs such a script as ONE implicit
   * transaction unless the script itself contains BEGIN/COMMIT.
   */
  exec(sql: string): Promise<void>;
}

export interface ApplyMigrationsOptions {
  /**
   * Postgres schema that receives `_prisma_migrations` and the migrated tables (created if
   * missing; the session's search_path is set to it). Omit for PGlite (schema public).
   */
  schema?: string;
  /** Take pg_advisory_lock(72707369) like Prisma does (default true). */
  lock?: boolean;
  log?: (message: string) => void;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations applied by this call, in order. */
  applied: string[];
  /** Number of local migrations that were already applied. */
  alreadyApplied: number;
}

export interface LocalMigration {
  name: string;
  sqlPath: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
}

/** The key Prisma's schema engine uses for its advisory lock. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const MIGRATIONS_TABLE = '_prisma_migrations';

/** sha256 hex of the bytes, as Prisma stores it in `_prisma_migrations.checksum`. */
export function migrationChecksum(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Prisma also accepts a checksum computed with the other line-ending convention. */
function checksumMatches(recorded: string, migration: LocalMigration): boolean {
  if (recorded === migration.checksum) return true;
  const lf = migration.sql.replace(/\r\n/g, '\n');
  if (recorded === migrationChecksum(lf)) return true;
  return recorded === migrationChecksum(lf.replace(/\n/g, '\r\n'));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Reads `<migrationsDir>/<name>/migration.sql` for every sub-directory, in lexical (byte) order.
 * Files in migrationsDir itself (migration_lock.toml, schema.snapshot.prisma) are ignored.
 */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Migrations directory not found: ${migrationsDir}`);
    }
    throw error;
  }
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const sqlPath = path.join(migrationsDir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await readFile(sqlPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`Migration ${name} has no migration.sql (${sqlPath})`);
      }
      throw error;
    }
    migrations.push({ name, sqlPath, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) });
  }
  return migrations;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const pgError = error as Error & { detail?: string; hint?: string; where?: string };
    return [pgError.message, pgError.detail, pgError.hint, pgError.where].filter(Boolean).join('\n');
  }
  return String(error);
}

/**
 * Applies pending Prisma-layout migrations (`<dir>/<name>/migration.sql`) and records them in
 * Prisma's own `_prisma_migrations` table, so `prisma migrate status/deploy` agree with it.
 *
 * - Holds pg_advisory_lock(72707369) (Prisma's key) for the whole run: concurrent starters wait,
 *   then find the work done.
 * - Each file runs as one simple-protocol script = one implicit transaction; the row's
 *   finished_at is set in that same transaction. A failure leaves a row with finished_at NULL and
 *   the error in `logs` (as Prisma does), and later runs refuse to continue until it is resolved.
 * - Refuses to run when a recorded migration failed or its checksum differs from the file.
 * - Migrations recorded in the database but absent locally are only logged (a newer deployment
 *   may have applied them; Prisma's `migrate deploy` tolerates that too).
 */
export async function applyMigrations(
  executor: MigrationExecutor,
  migrationsDir: string,
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const log = options.log ?? (() => {});
  const local = await readMigrations(migrationsDir);
  const table = options.schema !== undefined ? `${quoteIdent(options.schema)}.${quoteIdent(MIGRATIONS_TABLE)}` : quoteIdent(MIGRATIONS_TABLE);
  const where = options.schema !== undefined ? `schema "${options.schema}"` : 'database';
  const lock = options.lock ?? true;

  if (lock) await executor.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  try {
    if (options.schema !== undefined) {
      await executor.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
      await executor.exec(`SET search_path TO ${quoteIdent(options.schema)}`);
    }
    // Same DDL as Prisma's schema engine.
    await executor.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`);
    const rows = (
      await executor.query<MigrationRow>(
        `SELECT "id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at" FROM ${table} ORDER BY "started_at" ASC`,
      )
    ).filter((row) => row.rolled_back_at === null || row.rolled_back_at === undefined);

    const failed = rows.find((row) => row.finished_at === null || row.finished_at === undefined);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} failed earlier in ${where} and blocks further migrations` +
          (failed.logs ? `:\n${failed.logs}\n` : '. ') +
          `Fix the cause, then mark it rolled back (UPDATE ${table} SET rolled_back_at = now() WHERE id = '${failed.id}') ` +
          `so it is applied again, or reset the database (embedded mode: delete its data dir).`,
      );
    }

    const applied = new Map<string, MigrationRow>();
    for (const row of rows) applied.set(row.migration_name, row);
    const localNames = new Set(local.map((m) => m.name));
    for (const row of rows) {
      if (!localNames.has(row.migration_name)) {
        log(`migration ${row.migration_name} is recorded in ${where} but not found in ${migrationsDir}`);
      }
    }
    for (const migration of local) {
      const row = applied.get(migration.name);
      if (row && !checksumMatches(row.checksum, migration)) {
        throw new Error(
          `Migration ${migration.name} was modified after it was applied to ${where}: ` +
            `recorded checksum ${row.checksum}, file ${migration.sqlPath} has ${migration.checksum}. ` +
            `Applied migrations must not be edited; restore the file and add a new migration instead.`,
        );
      }
    }

    const pending = local.filter((m) => !applied.has(m.name));
    const done: string[] = [];
    for (const migration of pending) {
      const id = randomUUID();
      const started = Date.now();
      await executor.query(
        `INSERT INTO ${table} ("id", "checksum", "migration_name", "started_at", "applied_steps_count") VALUES ($1, $2, $3, now(), 0)`,
        [id, migration.checksum, migration.name],
      );
      try {
        // The script and its bookkeeping commit together (one implicit transaction).
        await executor.exec(
          `${migration.sql}\n;\nUPDATE ${table} SET "finished_at" = now(), "applied_steps_count" = 1 WHERE "id" = '${id}';`,
        );
      } catch (error) {
        const message = errorMessage(error);
        try {
          await executor.exec('ROLLBACK'); // in case the script opened an explicit transaction
        } catch {
          // no transaction open
        }
        try {
          await executor.query(`UPDATE ${table} SET "logs" = $1 WHERE "id" = $2`, [message, id]);
        } catch {
          // keep the original error
        }
        throw new Error(`Migration ${migration.name} failed in ${where}: ${message}`, { cause: error });
      }
      done.push(migration.name);
      log(`applied migration ${migration.name} to ${where} in ${Date.now() - started} ms`);
    }
    return { applied: done, alreadyApplied: local.length - pending.length };
  } finally {
    if (lock) {
      try {
        await executor.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
      } catch {
        // the session is probably gone, and its lock with it
      }
    }
  }
}

