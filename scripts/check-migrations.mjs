#!/usr/bin/env node
// Usage: node scripts/check-migrations.mjs [subgraph...]
//   (default: every subgraphs/<name> that has a prisma/schema.prisma)
//
// Exits 1 when a subgraph has no migrations, has migrations but no
// prisma/migrations/schema.snapshot.prisma, or when its prisma/schema.prisma differs from the
// snapshot in a way that changes the database (= a migration is missing: run
// `node scripts/migrate-new.mjs <subgraph> <name>`).
//
// Offline and quick: a snapshot identical to the schema needs no Prisma call at all; otherwise
// prisma@6.19's WASM engine decides whether the difference matters (comments, formatting and
// generator changes do not). Subgraphs are checked in parallel (about 0.7 s per Prisma call). See
// packages/prisma-tools/migrate-lib.mjs for how the offline diff works.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import {
  REPO_ROOT,
  diffSchemas,
  listMigrations,
  listSubgraphs,
  readIfExists,
  subgraphPaths,
} from '../packages/prisma-tools/migrate-lib.mjs';

const started = Date.now();
const requested = process.argv.slice(2);
const subgraphs = requested.length > 0 ? requested : await listSubgraphs();
if (subgraphs.length === 0) {
  console.error('check-migrations: no subgraphs/*/prisma/schema.prisma found');
  process.exit(1);
}

async function check(subgraph) {
  const paths = subgraphPaths(subgraph);
  const rel = (p) => path.relative(REPO_ROOT, p);
  if (!existsSync(paths.schemaPath)) return { subgraph, ok: false, message: `no ${rel(paths.schemaPath)}` };
  const migrations = await listMigrations(paths.migrationsDir);
  if (migrations.length === 0) {
    return {
      subgraph,
      ok: false,
      message: `no migrations in ${rel(paths.migrationsDir)}: run node scripts/migrate-new.mjs ${subgraph} init`,
    };
  }
  const snapshot = await readIfExists(paths.snapshotPath);
  if (snapshot === null) {
    return {
      subgraph,
      ok: false,
      message: `missing ${rel(paths.snapshotPath)} (the schema as of the last migration; restore it from version control)`,
    };
  }
  const schema = await readFile(paths.schemaPath, 'utf8');
  if (schema === snapshot) return { subgraph, ok: true, message: `up to date (${migrations.length} migrations)` };
  const diff = await diffSchemas({ fromText: snapshot, toText: schema, label: subgraph });
  if (diff.empty) {
    return { subgraph, ok: true, message: `up to date (${migrations.length} migrations; schema edits do not change the database)` };
  }
  const preview = diff.sql.trim().split('\n').slice(0, 20).map((line) => `    ${line}`).join('\n');
  return {
    subgraph,
    ok: false,
    message:
      `${rel(paths.schemaPath)} changed since the last migration (${migrations.at(-1)}); ` +
      `run node scripts/migrate-new.mjs ${subgraph} <name>. Missing SQL:\n${preview}`,
  };
}

const results = await Promise.all(
  subgraphs.map((subgraph) =>
    check(subgraph).catch((error) => ({ subgraph, ok: false, message: error.message })),
  ),
);
for (const r of results) {
  (r.ok ? console.log : console.error)(`${r.ok ? 'ok  ' : 'FAIL'} ${r.subgraph}: ${r.message}`);
}
const failed = results.filter((r) => !r.ok);
const elapsed = Date.now() - started;
if (failed.length > 0) {
  console.error(`check-migrations: ${failed.length} of ${results.length} subgraphs need attention (${elapsed} ms)`);
  process.exit(1);
}
console.log(`check-migrations: ${results.length} subgraphs up to date (${elapsed} ms)`);
