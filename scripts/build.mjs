// Transpile every workspace package's src/ to dist/ with esbuild (no bundling, no type checks:
// `pnpm typecheck` does those). Takes about a second, so `pnpm start` can always build first.
import { build } from 'esbuild';
import { readdirSync, existsSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageDirs = ['gateway', ...['subgraphs', 'packages'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(group, name)))]
  .map((dir) => join(root, dir))
  .filter((dir) => existsSync(join(dir, 'src')) && existsSync(join(dir, 'package.json')));

function tsFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const started = Date.now();
await Promise.all(packageDirs.map(async (dir) => {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: tsFiles(join(dir, 'src')),
    outdir: join(dir, 'dist'),
    outbase: join(dir, 'src'),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    logLevel: 'warning',
  });
}));
console.log(`built ${packageDirs.length} packages in ${Date.now() - started} ms (${packageDirs.map((d) => relative(root, d)).join(', ')})`);
