// Checks run before the tests: the committed supergraph (and the API schema derived from it) match
// the subgraph schemas, and every subgraph's Prisma schema is covered by its migrations.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../gateway/dist/compose.js';
import { apiSchemaSdl } from './api-schema.mjs';

const supergraph = composeSupergraph();
for (const [file, expected] of [['supergraph.graphql', supergraph], ['api.graphql', apiSchemaSdl(supergraph)]]) {
  const committed = readFileSync(new URL(`../schema/${file}`, import.meta.url), 'utf8');
  if (committed !== expected) {
    console.error(`schema/${file} is stale: run \`pnpm compose\` and commit the result.`);
    process.exit(1);
  }
}
console.log('supergraph and API schema: up to date');
execFileSync(process.execPath, [new URL('./check-migrations.mjs', import.meta.url).pathname], { stdio: 'inherit' });
