#!/usr/bin/env node
// Usage: node scripts/migrate-new.mjs <subgraph> <name>      (pnpm migrate:new <subgraph> <name>)
//
// Writes subgraphs/<subgraph>/prisma/migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql with the
// SQL that turns the datamodel of the last migration (prisma/migrations/schema.snapshot.prisma, or
// nothing for the first migration) into the current prisma/schema.prisma, then updates the
// snapshot (and writes migration_lock.toml when missing). Prints "no changes" and writes nothing
// when there is nothing to migrate.
//
// Runs fully offline with prisma@6.19's bundled WASM schema engine from packages/prisma-tools; see
// the comment at the top of packages/prisma-tools/migrate-lib.mjs for the exact incantation and
// the pitfalls (engineType = "client", the probe query answered by a stub adapter, why not
// --from-empty or --from-migrations).

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  LOCK_FILE_CONTENT,
  REPO_ROOT,
  diffSchemas,
  listMigrations,
  readIfExists,
  subgraphPaths,
} from '../packages/prisma-tools/migrate-lib.mjs';

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node scripts/migrate-new.mjs <subgraph> <name>   e.g. node scripts/migrate-new.mjs focus add_breaks');
  process.exit(1);
}

function utcStamp(date) {
  const p = (n) => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`
  );
}

async function writeAtomic(file, content) {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

const [subgraph, rawName, ...extra] = process.argv.slice(2);
if (!subgraph || !rawName || extra.length > 0) usage();
if (!/^[a-z][a-z0-9_]*$/.test(subgraph)) usage(`invalid subgraph name: ${subgraph}`);
// Prisma's own naming: lowercase snake_case.
const name = rawName.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
if (!name) usage(`invalid migration name: ${rawName}`);

const paths = subgraphPaths(subgraph);
if (!existsSync(paths.schemaPath)) usage(`no schema: ${path.relative(REPO_ROOT, paths.schemaPath)}`);

const started = Date.now();
const schemaText = await readFile(paths.schemaPath, 'utf8');
const existing = await listMigrations(paths.migrationsDir);
let snapshotText = await readIfExists(paths.snapshotPath);
if (existing.length === 0 && snapshotText !== null) {
  console.warn(`warning: ${path.relative(REPO_ROOT, paths.snapshotPath)} exists but there are no migrations; diffing from an empty database`);
  snapshotText = null;
}
if (existing.length > 0 && snapshotText === null) {
  console.error(
    `error: ${subgraph} has migrations but no ${path.relative(REPO_ROOT, paths.snapshotPath)} ` +
      '(the datamodel as of the last migration), so the next diff cannot be computed. ' +
      'Restore it from version control, or recreate it from the schema that matches the last migration.',
  );
  process.exit(1);
}

let result;
try {
  result = await diffSchemas({ fromText: snapshotText, toText: schemaText, label: subgraph });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

if (result.empty) {
  console.log(`${subgraph}: no changes (schema.prisma matches the last migration)`);
  process.exit(0);
}

let stamp = utcStamp(new Date());
const last = existing.at(-1);
if (last !== undefined && `${stamp}_${name}` <= last) {
  // Keep lexical order = creation order even if the clock is behind the newest migration.
  const lastStamp = last.slice(0, 14);
  if (!/^\d{14}$/.test(lastStamp)) {
    console.error(`error: cannot order the new migration after ${last}`);
    process.exit(1);
  }
  const t = Date.UTC(+lastStamp.slice(0, 4), +lastStamp.slice(4, 6) - 1, +lastStamp.slice(6, 8), +lastStamp.slice(8, 10), +lastStamp.slice(10, 12), +lastStamp.slice(12, 14));
  stamp = utcStamp(new Date(t + 1000));
}
const dirName = `${stamp}_${name}`;
const migrationDir = path.join(paths.migrationsDir, dirName);
if (existsSync(migrationDir)) {
  console.error(`error: ${path.relative(REPO_ROOT, migrationDir)} already exists`);
  process.exit(1);
}

await mkdir(migrationDir, { recursive: true });
await writeFile(path.join(migrationDir, 'migration.sql'), result.sql);
if (!existsSync(paths.lockPath)) await writeFile(paths.lockPath, LOCK_FILE_CONTENT);
await writeAtomic(paths.snapshotPath, schemaText);

console.log(`${subgraph}: wrote ${path.relative(REPO_ROOT, path.join(migrationDir, 'migration.sql'))} (${Date.now() - started} ms)`);
console.log(result.sql.trimEnd());
