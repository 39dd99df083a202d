/**
 * `pnpm integrations:rotate-key` (operator command): re-wraps every stored provider token, across
 * all tenants, under the current INTEGRATIONS_KEK. Run it with the service's environment:
 *
 *   INTEGRATIONS_KEK=<new key>  INTEGRATIONS_KEK_PREVIOUS=<old key>[,<older>...]  pnpm integrations:rotate-key
 *
 * It opens the integrations database exactly as the subgraph does (DATABASE_URL → the `integrations`
 * schema of that Postgres, else the embedded PGlite under FLOWFORGE_DATA_DIR), applying pending
 * migrations first. With Postgres it is safe while the service runs (per-row conditional updates);
 * an embedded PGlite data dir belongs to one process at a time, so stop the stack first (the command
 * says so if it is running). Prints progress and a summary; never prints a token.
 *
 * Exit codes: 0 done (remaining 0), 1 error, 2 some rows could not be re-wrapped (listed).
 */
import { openDatabase, resolveDatabaseTarget } from '@flowforge/db';
import { fileURLToPath } from 'node:url';
import { loadTokenCipher } from '../crypto/token-cipher.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { rotateEncryptionKey, type KeyRotationResult } from '../services/key-rotation.js';

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export interface RotateKeyCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

/** The command without process.exit (tests call it). Returns the exit code. */
export async function rotateKeyCommand(options: RotateKeyCommandOptions = {}): Promise<{ code: number; result: KeyRotationResult | null }> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!env.INTEGRATIONS_KEK) {
    out('INTEGRATIONS_KEK is not set: set it to the NEW key (and the old one in INTEGRATIONS_KEK_PREVIOUS).');
    return { code: 1, result: null };
  }
  const cipher = loadTokenCipher(env);
  const target = resolveDatabaseTarget('integrations', env);
  out(`Integrations database: ${target.kind === 'postgres' ? `Postgres, schema ${target.schema}` : `PGlite at ${target.dataDir}`}`);
  out(`Re-wrapping tokens under key version ${cipher.version}...`);
  const database = await openDatabase(target, { migrationsDir: MIGRATIONS, log: () => {} });
  const db = new PrismaClient({ adapter: database.adapter });
  try {
    let last = -1;
    const result = await rotateEncryptionKey(db, cipher, {
      onProgress: (p) => {
        if (p.done === last) return;
        last = p.done;
        out(`  ${p.done} of ${p.total} (re-wrapped ${p.rewrapped}, skipped ${p.skipped}, failed ${p.failed})`);
      },
    });
    out(`Done in ${result.durationMs} ms: key version ${result.keyVersion}; ${result.connections} connection(s) and ${result.oauthStates} pending OAuth state(s) were under an older key; re-wrapped ${result.rewrapped}, skipped ${result.skipped} (already re-keyed by the running service), failed ${result.failures.length}; remaining under an older key: ${result.remaining}.`);
    for (const failure of result.failures) out(`  could not re-wrap ${failure.kind} ${failure.id} (key version ${failure.keyVersion}): ${failure.error}`);
    if (result.failures.length > 0 || result.remaining > 0) {
      out('Keep the previous key(s) in INTEGRATIONS_KEK_PREVIOUS, fix the above (a missing previous key?) and run again.');
      return { code: 2, result };
    }
    out('All tokens are under the current key: INTEGRATIONS_KEK_PREVIOUS can be emptied once every instance runs with the new INTEGRATIONS_KEK.');
    return { code: 0, result };
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  rotateKeyCommand().then(
    ({ code }) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rotate-key failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
