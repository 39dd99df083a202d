// Checks run before the tests: the committed supergraph matches the subgraph schemas, and every
// subgraph's Prisma schema is covered by its migrations.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../gateway/dist/compose.js';

const committed = readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8');
if (committed !== composeSupergraph()) {
  console.error('schema/supergraph.graphql is stale: run `pnpm compose` and commit the result.');
  process.exit(1);
}
console.log('supergraph: up to date');
execFileSync(process.execPath, [new URL('./check-migrations.mjs', import.meta.url).pathname], { stdio: 'inherit' });
