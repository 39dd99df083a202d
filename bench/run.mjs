// `pnpm bench <name>` (after `node scripts/build.mjs`): runs bench/<name>.mjs, whose `run(args)`
// does the work. Unknown or missing name: lists the benches there are.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs')
  .map((file) => file.slice(0, -'.mjs'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);

if (!name || !available.includes(name)) {
  console.error(name ? `Unknown bench "${name}".` : 'Which bench? Usage: pnpm bench <name>');
  console.error('Available benches:');
  for (const bench of available) {
    const { description } = await import(`./${bench}.mjs`);
    console.error(`  ${bench}${description ? `  ${description}` : ''}`);
  }
  process.exit(1);
}

const bench = await import(`./${name}.mjs`);
if (typeof bench.run !== 'function') {
  console.error(`bench/${name}.mjs does not export run(args).`);
  process.exit(1);
}
try {
  await bench.run(args);
  // Benches stop what they started; exiting here keeps an idle keep-alive socket from holding the shell.
  process.exit(0);
} catch (error) {
  console.error(`bench ${name} failed: ${error?.stack ?? error}`);
  process.exit(1);
}
