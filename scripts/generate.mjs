// Generates what is not committed: each subgraph's Prisma client and its typed resolvers, and the
// SDK's typed operations (packages/sdk/src/generated, from schema/operations and schema/api.graphql).
// Runs offline: Prisma 7's CLI wants to download a schema engine at start for every command, and
// `generate` never uses it, so PRISMA_SCHEMA_ENGINE_BINARY points it at a file that exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const subgraphs = readdirSync(join(root, 'subgraphs')).filter((name) => existsSync(join(root, 'subgraphs', name, 'prisma', 'schema.prisma')));
for (const name of subgraphs) {
  const dir = join(root, 'subgraphs', name);
  execFileSync(join(dir, 'node_modules', '.bin', 'prisma'), ['generate', '--no-hints'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/dev/null', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
execFileSync(join(root, 'node_modules', '.bin', 'graphql-codegen'), ['--config', 'codegen.yml', '--silent'], { cwd: root, stdio: 'inherit' });
console.log(`generated Prisma clients (${subgraphs.join(', ')}), resolver types and the SDK in ${Date.now() - started} ms`);
