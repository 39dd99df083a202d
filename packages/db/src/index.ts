export { resolveDatabaseTarget, MEMORY_DATA_DIR, type DatabaseTarget } from './target.js';
export {
  applyMigrations,
  readMigrations,
  migrationChecksum,
  PRISMA_ADVISORY_LOCK_KEY,
  type MigrationExecutor,
  type ApplyMigrationsOptions,
  type ApplyMigrationsResult,
  type LocalMigration,
} from './migrations.js';
export { openDatabase, pgExecutor, pgliteExecutor, type Database, type OpenDatabaseOptions } from './open.js';
