import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** Access tokens are signed by orgs and verified by the gateway; internal tokens are signed by the gateway and verified by subgraphs. */
type CryptoKey = webcrypto.CryptoKey;

export type KeyPurpose = 'access' | 'internal';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface VerificationKey {
  kid: string;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

const ENV_NAMES: Record<KeyPurpose, string> = {
  access: 'ACCESS_TOKEN_PRIVATE_JWK',
  internal: 'INTERNAL_TOKEN_PRIVATE_JWK',
};

export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FLOWFORGE_DATA_DIR && env.FLOWFORGE_DATA_DIR !== 'memory' ? env.FLOWFORGE_DATA_DIR : '.data');
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicPart } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicPart));
  const privateKey = (await importJWK({ ...jwk, alg: SIGNING_ALGORITHM }, SIGNING_ALGORITHM)) as CryptoKey;
  const publicJwk: JWK = { ...publicPart, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  const publicKey = (await importJWK(publicJwk, SIGNING_ALGORITHM)) as CryptoKey;
  return { kid, privateKey, publicKey, publicJwk };
}

async function generateDevKey(path: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  try {
    writeFileSync(path, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
    return jwk;
  } catch (error) {
    // Another process created it first: use theirs so every process agrees on one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(path, 'utf8')) as JWK;
    throw error;
  }
}

/**
 * Production reads the private key from env (a JWK JSON string). Everywhere else a development key
 * is generated on first start under `<data dir>/keys/` and reused afterwards, so tokens survive restarts.
 */
export async function loadSigningKey(purpose: KeyPurpose, env: NodeJS.ProcessEnv = process.env): Promise<SigningKey> {
  const fromEnv = env[ENV_NAMES[purpose]];
  if (fromEnv) return fromPrivateJwk(JSON.parse(fromEnv) as JWK);
  if (env.NODE_ENV === 'production' && env.DATABASE_URL && env.FLOWFORGE_ALLOW_DEV_KEYS !== '1') {
    throw new Error(`${ENV_NAMES[purpose]} is not set. In production with real services FlowForge needs its ${purpose}-token signing key from env (a private Ed25519 JWK); set FLOWFORGE_ALLOW_DEV_KEYS=1 to generate one under the data directory instead.`);
  }
  const dir = join(dataDirectory(env), 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${purpose}.private.jwk.json`);
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    jwk = await generateDevKey(path);
  }
  return fromPrivateJwk(jwk);
}

export async function loadVerificationKey(purpose: KeyPurpose, env: NodeJS.ProcessEnv = process.env): Promise<VerificationKey> {
  const { kid, publicKey, publicJwk } = await loadSigningKey(purpose, env);
  return { kid, publicKey, publicJwk };
}
