import path from 'node:path';

/** Where a subgraph's data lives. */
export type DatabaseTarget =
  /** One shared Postgres (DATABASE_URL); the subgraph owns the Postgres schema named like it. */
  | { kind: 'postgres'; url: string; schema: string }
  /** Embedded PGlite, one database per subgraph (schema `public`), persisted in `dataDir`. */
  | { kind: 'pglite'; dataDir: string };

/** `memory://` data dir: a throwaway in-memory PGlite (FLOWFORGE_DATA_DIR=memory). */
export const MEMORY_DATA_DIR = 'memory://';

const SUBGRAPH_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Throws unless `name` can be used unquoted as a Postgres schema name and as a directory name. */
export function assertSubgraphName(name: string): void {
  if (!SUBGRAPH_NAME.test(name)) {
    throw new Error(
      `Invalid subgraph name ${JSON.stringify(name)}: expected lowercase letters, digits and _ (it is used as the Postgres schema name)`,
    );
  }
}

/**
 * Decides where `subgraph` keeps its data:
 * - `DATABASE_URL` set: Postgres, schema = subgraph name (a `?schema=` in the URL is ignored by
 *   Prisma 7's adapter and by us).
 * - otherwise PGlite in `${FLOWFORGE_DATA_DIR ?? '.data'}/pglite/<subgraph>` (absolute, resolved
 *   against process.cwd()), or in memory when FLOWFORGE_DATA_DIR is `memory`.
 */
export function resolveDatabaseTarget(subgraph: string, env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  assertSubgraphName(subgraph);
  const url = env['DATABASE_URL'];
  if (url !== undefined && url.trim() !== '') {
    return { kind: 'postgres', url: url.trim(), schema: subgraph };
  }
  const base = env['FLOWFORGE_DATA_DIR'];
  if (base === 'memory' || base === MEMORY_DATA_DIR) {
    return { kind: 'pglite', dataDir: MEMORY_DATA_DIR };
  }
  const root = base !== undefined && base.trim() !== '' ? base : '.data';
  return { kind: 'pglite', dataDir: path.resolve(process.cwd(), root, 'pglite', subgraph) };
}
