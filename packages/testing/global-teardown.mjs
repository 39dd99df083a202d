// Stops the run's stack. Its log stays with the run: written to <dataDir>/stack.log, and the lines at
// level error are printed here, so a failure inside a subgraph (an INTERNAL_SERVER_ERROR reference
// in a test) can be read in CI's output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown() {
  const stack = globalThis.flowforgeStack;
  if (!stack) return;
  await stack.stop();
  const output = stack.output();
  const file = join(stack.dataDir, 'stack.log');
  writeFileSync(file, output);
  const errors = output.split('\n').filter((line) => line.includes('"level":"error"'));
  if (errors.length > 0) {
    process.stderr.write(`\nThe test stack logged ${errors.length} error line(s) (whole log: ${file}):\n${errors.slice(0, 40).map((line) => line.slice(0, 2000)).join('\n')}\n`);
  }
}
