/**
 * Re-wraps every stored provider token (and every in-flight OAuth PKCE verifier) under the current
 * key-encryption key (INTEGRATIONS_KEK). This touches EVERY tenant's rows: it is an operator action
 * (`pnpm integrations:rotate-key`, src/cli/rotate-key.ts), not part of the GraphQL API.
 *
 * Only the 32-byte data keys are re-wrapped; the ciphertexts stay. Safe while the service runs:
 * each row is updated on its own, conditionally on the key version it was read with, so a row the
 * service rewrote meanwhile (a token refresh writes under the current key) is left alone and counted
 * as skipped. Reads keep working throughout as long as the previous KEK stays listed in
 * INTEGRATIONS_KEK_PREVIOUS; drop it once a run reports remaining 0. A row that cannot be unwrapped
 * (its KEK is not configured) is reported and left as it is; the run goes on.
 */
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { PrismaClient } from '../generated/prisma/client.js';

export interface KeyRotationProgress {
  /** Rows looked at so far (tokens, then OAuth states), of `total`. */
  done: number;
  total: number;
  rewrapped: number;
  skipped: number;
  failed: number;
}

export interface KeyRotationResult {
  /** Version (fingerprint) of the KEK everything is wrapped under now. */
  keyVersion: number;
  /** Connections with tokens under an older key when the run started. */
  connections: number;
  /** In-flight OAuth states under an older key when the run started. */
  oauthStates: number;
  rewrapped: number;
  /** Changed by the service meanwhile (already under the current key): nothing to do. */
  skipped: number;
  /** Could not be unwrapped (e.g. their KEK is missing from INTEGRATIONS_KEK_PREVIOUS). */
  failures: { kind: 'connection' | 'oauth-state'; id: string; keyVersion: number; error: string }[];
  /** Connections still under an older key after the run (0 when done). */
  remaining: number;
  durationMs: number;
}

export interface KeyRotationOptions {
  /** Rows per read (default 200). */
  batchSize?: number;
  /** Called after every batch (and once at the end). */
  onProgress?: (progress: KeyRotationProgress) => void;
}

// A connection's user tokens (token_key_version) and Slack bot token (bot_token_key_version) each have their own key version.
const userTokensOld = (version: number) => ({ tokenKeyVersion: { not: version }, OR: [{ accessTokenCiphertext: { not: null } }, { refreshTokenCiphertext: { not: null } }] });
const botTokensOld = (version: number) => ({ botTokenKeyVersion: { not: version }, OR: [{ botTokenCiphertext: { not: null } }, { botRefreshTokenCiphertext: { not: null } }] });
const tokenRows = (version: number) => ({ OR: [userTokensOld(version), botTokensOld(version)] });
const stateRows = (version: number) => ({ keyVersion: { not: version }, consumedAt: null });
const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

export async function rotateEncryptionKey(db: PrismaClient, cipher: TokenCipher, options: KeyRotationOptions = {}): Promise<KeyRotationResult> {
  const started = Date.now();
  const version = cipher.version;
  const batchSize = options.batchSize ?? 200;
  const connections = await db.providerConnection.count({ where: tokenRows(version) });
  const oauthStates = await db.oAuthState.count({ where: stateRows(version) });
  const progress: KeyRotationProgress = { done: 0, total: connections + oauthStates, rewrapped: 0, skipped: 0, failed: 0 };
  const failures: KeyRotationResult['failures'] = [];
  const report = () => options.onProgress?.({ ...progress });

  // Keyset pagination by id: every row is visited once, whatever happens to it.
  let after: string | undefined;
  for (;;) {
    const rows = await db.providerConnection.findMany({
      where: { ...tokenRows(version), ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, tokenKeyVersion: true, accessTokenCiphertext: true, refreshTokenCiphertext: true, botTokenKeyVersion: true, botTokenCiphertext: true, botRefreshTokenCiphertext: true },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      const old = row.tokenKeyVersion;
      const oldBot = row.botTokenKeyVersion;
      const user = old !== null && old !== version && Boolean(row.accessTokenCiphertext || row.refreshTokenCiphertext);
      const bot = oldBot !== null && oldBot !== version && Boolean(row.botTokenCiphertext || row.botRefreshTokenCiphertext);
      try {
        const { count } = await db.providerConnection.updateMany({
          // Conditional on the versions we read: a concurrent refresh (already under the new key) wins.
          where: { id: row.id, tokenKeyVersion: old, botTokenKeyVersion: oldBot },
          data: {
            ...(user ? {
              tokenKeyVersion: version,
              ...(row.accessTokenCiphertext ? { accessTokenCiphertext: new Uint8Array(cipher.rewrap(row.accessTokenCiphertext, old!)) } : {}),
              ...(row.refreshTokenCiphertext ? { refreshTokenCiphertext: new Uint8Array(cipher.rewrap(row.refreshTokenCiphertext, old!)) } : {}),
            } : {}),
            ...(bot ? {
              botTokenKeyVersion: version,
              ...(row.botTokenCiphertext ? { botTokenCiphertext: new Uint8Array(cipher.rewrap(row.botTokenCiphertext, oldBot!)) } : {}),
              ...(row.botRefreshTokenCiphertext ? { botRefreshTokenCiphertext: new Uint8Array(cipher.rewrap(row.botRefreshTokenCiphertext, oldBot!)) } : {}),
            } : {}),
          },
        });
        if (count === 1) progress.rewrapped++;
        else progress.skipped++;
      } catch (error) {
        progress.failed++;
        failures.push({ kind: 'connection', id: row.id, keyVersion: (user ? old : oldBot) ?? 0, error: message(error) });
      }
      progress.done++;
    }
    after = rows.at(-1)!.id;
    report();
  }

  after = undefined;
  for (;;) {
    const states: { id: string; keyVersion: number; codeVerifierCiphertext: Uint8Array }[] = await db.oAuthState.findMany({
      where: { ...stateRows(version), ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, keyVersion: true, codeVerifierCiphertext: true },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    if (states.length === 0) break;
    for (const state of states) {
      try {
        const { count } = await db.oAuthState.updateMany({
          where: { id: state.id, keyVersion: state.keyVersion, consumedAt: null },
          data: { keyVersion: version, codeVerifierCiphertext: new Uint8Array(cipher.rewrap(state.codeVerifierCiphertext, state.keyVersion)) },
        });
        if (count === 1) progress.rewrapped++;
        else progress.skipped++;
      } catch (error) {
        progress.failed++;
        failures.push({ kind: 'oauth-state', id: state.id, keyVersion: state.keyVersion, error: message(error) });
      }
      progress.done++;
    }
    after = states.at(-1)!.id;
    report();
  }

  const remaining = await db.providerConnection.count({ where: tokenRows(version) });
  report();
  return { keyVersion: version, connections, oauthStates, rewrapped: progress.rewrapped, skipped: progress.skipped, failures, remaining, durationMs: Date.now() - started };
}
