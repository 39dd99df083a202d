/**
 * Envelope encryption for provider tokens (AES-256-GCM). Each secret gets its own random data key
 * (DEK); the DEK is wrapped by a key-encryption key (KEK) from env. The blob stores the wrapped DEK
 * beside the ciphertext, and the row stores the KEK's version, so rotating the KEK re-wraps 32-byte
 * DEKs without touching the ciphertexts, and previous KEKs stay readable until every row is re-wrapped.
 *
 * Blob layout: [1 format][12 wrap iv][32 wrapped DEK][16 wrap tag][12 iv][n ciphertext][16 tag].
 * The data is bound to its row and column through GCM's additional data (a ciphertext copied to
 * another row or column does not decrypt).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FORMAT = 1;
const IV = 12;
const TAG = 16;
const DEK = 32;
const HEADER = 1 + IV + DEK + TAG;
const WRAP_AAD = Buffer.from('flowforge.integrations.dek.v1');

export interface Kek {
  version: number;
  key: Buffer;
}

/** The KEK's version: the first 31 bits of its SHA-256 (stable, needs no bookkeeping, never reveals the key). */
export function kekVersion(key: Buffer): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) & 0x7fffffff;
}

function parseKek(text: string, name: string): Kek {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded (e.g. \`openssl rand -base64 32\`); it decodes to ${key.length} bytes.`);
  return { version: kekVersion(key), key };
}

function gcm(key: Buffer, iv: Buffer, data: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function ungcm(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export class TokenCipher {
  private readonly byVersion: Map<number, Kek>;

  constructor(readonly current: Kek, previous: readonly Kek[] = []) {
    this.byVersion = new Map([...previous, current].map((kek) => [kek.version, kek]));
  }

  get version(): number {
    return this.current.version;
  }

  private kek(version: number): Kek {
    const kek = this.byVersion.get(version);
    if (!kek) throw new Error(`No key-encryption key with version ${version} is configured (set it in INTEGRATIONS_KEK_PREVIOUS).`);
    return kek;
  }

  encrypt(plaintext: string, context: string): Buffer {
    const dek = randomBytes(DEK);
    const wrapIv = randomBytes(IV);
    const wrapped = gcm(this.current.key, wrapIv, dek, WRAP_AAD);
    const iv = randomBytes(IV);
    const data = gcm(dek, iv, Buffer.from(plaintext, 'utf8'), Buffer.from(context));
    dek.fill(0);
    return Buffer.concat([Buffer.from([FORMAT]), wrapIv, wrapped.ciphertext, wrapped.tag, iv, data.ciphertext, data.tag]);
  }

  decrypt(blob: Uint8Array, version: number, context: string): string {
    const buffer = Buffer.from(blob);
    if (buffer[0] !== FORMAT || buffer.length < HEADER + IV + TAG) throw new Error('Not an encrypted token blob.');
    const dek = this.unwrap(buffer, version);
    const iv = buffer.subarray(HEADER, HEADER + IV);
    const ciphertext = buffer.subarray(HEADER + IV, buffer.length - TAG);
    const tag = buffer.subarray(buffer.length - TAG);
    try {
      return ungcm(dek, iv, ciphertext, tag, Buffer.from(context)).toString('utf8');
    } finally {
      dek.fill(0);
    }
  }

  /** The same blob with its DEK wrapped by the current KEK (the ciphertext is unchanged). */
  rewrap(blob: Uint8Array, version: number): Buffer {
    const buffer = Buffer.from(blob);
    const dek = this.unwrap(buffer, version);
    const wrapIv = randomBytes(IV);
    const wrapped = gcm(this.current.key, wrapIv, dek, WRAP_AAD);
    dek.fill(0);
    return Buffer.concat([Buffer.from([FORMAT]), wrapIv, wrapped.ciphertext, wrapped.tag, buffer.subarray(HEADER)]);
  }

  private unwrap(buffer: Buffer, version: number): Buffer {
    const kek = this.kek(version);
    return ungcm(kek.key, buffer.subarray(1, 1 + IV), buffer.subarray(1 + IV, 1 + IV + DEK), buffer.subarray(1 + IV + DEK, HEADER), WRAP_AAD);
  }
}

function dataDirectory(env: NodeJS.ProcessEnv): string {
  return resolve(env.FLOWFORGE_DATA_DIR && env.FLOWFORGE_DATA_DIR !== 'memory' ? env.FLOWFORGE_DATA_DIR : '.data');
}

/**
 * INTEGRATIONS_KEK (base64, 32 bytes) and INTEGRATIONS_KEK_PREVIOUS (comma-separated, still readable).
 * Without INTEGRATIONS_KEK: refused in production with real services (unless FLOWFORGE_ALLOW_DEV_KEYS=1);
 * otherwise generated once under `<data dir>/keys/integrations.kek` (or kept in memory for a
 * `memory` data dir), like the development signing keys.
 */
export function loadTokenCipher(env: NodeJS.ProcessEnv = process.env): TokenCipher {
  const previous = (env.INTEGRATIONS_KEK_PREVIOUS ?? '').split(',').filter((s) => s.trim()).map((s, i) => parseKek(s, `INTEGRATIONS_KEK_PREVIOUS[${i}]`));
  if (env.INTEGRATIONS_KEK) return new TokenCipher(parseKek(env.INTEGRATIONS_KEK, 'INTEGRATIONS_KEK'), previous);
  if (env.NODE_ENV === 'production' && env.DATABASE_URL && env.FLOWFORGE_ALLOW_DEV_KEYS !== '1') {
    throw new Error('INTEGRATIONS_KEK is not set. In production with real services the integrations subgraph needs its token key-encryption key from env (`openssl rand -base64 32`); set FLOWFORGE_ALLOW_DEV_KEYS=1 to generate one under the data directory instead.');
  }
  if (env.FLOWFORGE_DATA_DIR === 'memory') return new TokenCipher(parseKek(randomBytes(32).toString('base64'), 'generated'), previous);
  const dir = join(dataDirectory(env), 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'integrations.kek');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    try {
      writeFileSync(path, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code !== 'EEXIST') throw inner;
    }
    text = readFileSync(path, 'utf8');
  }
  return new TokenCipher(parseKek(text, path), previous);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
