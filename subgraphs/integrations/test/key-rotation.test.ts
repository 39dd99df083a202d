// Key rotation is an operator command (`pnpm integrations:rotate-key`), not GraphQL: the mutation is
// gone from the schema, and the command re-wraps every tenant's tokens in the database the
// subgraph uses (here an embedded PGlite data dir), concurrently-safe per row.
import { parse, type ObjectTypeDefinitionNode } from 'graphql';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openDatabase, resolveDatabaseTarget } from '../../../packages/db/src/index.js';
import { rotateKeyCommand } from '../src/cli/rotate-key.js';
import { TokenCipher } from '../src/crypto/token-cipher.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { resolvers } from '../src/resolvers/index.js';
import { rotateEncryptionKey } from '../src/services/key-rotation.js';
import { accessContext, refreshContext } from '../src/services/tokens.js';
import { newKek } from './harness.js';

const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
const read = (relative: string) => readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8');

describe('integrations key rotation', () => {
  it('is not part of the GraphQL API (subgraph schema, resolvers, supergraph)', () => {
    const document = parse(read('../schema.graphql'));
    const types = document.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === 'ObjectTypeDefinition');
    const mutation = types.find((t) => t.name.value === 'Mutation')!;
    expect(mutation.fields!.map((f) => f.name.value)).not.toContain('rotateEncryptionKey');
    expect(mutation.fields!.map((f) => f.name.value)).toEqual(expect.arrayContaining(['connectProvider', 'disconnectProvider']));
    expect(types.map((t) => t.name.value)).not.toContain('KeyRotationResult');
    expect(Object.keys(resolvers.Mutation ?? {})).not.toContain('rotateEncryptionKey');
    const supergraph = read('../../../schema/supergraph.graphql');
    expect(supergraph).not.toMatch(/rotateEncryptionKey|KeyRotationResult/);
  });

  describe('pnpm integrations:rotate-key', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flowforge-rotate-'));
    const env = { FLOWFORGE_DATA_DIR: dataDir };
    const oldKek = newKek();
    const newKekValue = newKek();
    const lost = newKek(); // a key nobody configured any more
    const tokens = new Map<string, { access: string; refresh: string }>();

    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    /** Opens the database the way the subgraph (and the command) does. */
    async function open() {
      const database = await openDatabase(resolveDatabaseTarget('integrations', env), { migrationsDir: MIGRATIONS });
      return { database, db: new PrismaClient({ adapter: database.adapter }), async close() {
        await this.db.$disconnect();
        await database.close();
      } };
    }

    async function seed(db: PrismaClient, cipher: TokenCipher, organizationId: string) {
      const row = await db.providerConnection.create({ data: { organizationId, userId: randomUUID(), provider: 'GOOGLE_CALENDAR', status: 'CONNECTED', externalAccountId: `${randomUUID()}@example.com` } });
      const access = `ya29.${randomUUID()}`;
      const refresh = `1//${randomUUID()}`;
      tokens.set(row.id, { access, refresh });
      await db.providerConnection.update({ where: { id: row.id }, data: {
        accessTokenCiphertext: new Uint8Array(cipher.encrypt(access, accessContext(row.id))),
        refreshTokenCiphertext: new Uint8Array(cipher.encrypt(refresh, refreshContext(row.id))),
        tokenKeyVersion: cipher.version,
      } });
      return row.id;
    }

    it('re-wraps every tenant\'s tokens under the new KEK, printing progress and a summary (no tokens)', async () => {
      const handle = await open();
      const oldCipher = new TokenCipher({ version: oldKek.version, key: oldKek.key });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await seed(handle.db, oldCipher, randomUUID())); // five tenants
      const pending = await handle.db.oAuthState.create({ data: { stateHash: randomUUID(), organizationId: randomUUID(), userId: randomUUID(), provider: 'GOOGLE_CALENDAR', redirectUri: 'http://x/cb', codeVerifierCiphertext: new Uint8Array(oldCipher.encrypt('verifier', 'state')), keyVersion: oldKek.version, expiresAt: new Date(Date.now() + 600_000) } });
      await handle.close();

      const lines: string[] = [];
      const { code, result } = await rotateKeyCommand({ env: { ...env, INTEGRATIONS_KEK: newKekValue.base64, INTEGRATIONS_KEK_PREVIOUS: oldKek.base64 }, out: (line) => lines.push(line) });
      expect(code).toBe(0);
      expect(result).toMatchObject({ keyVersion: newKekValue.version, connections: 5, oauthStates: 1, rewrapped: 6, skipped: 0, failures: [], remaining: 0 });
      const output = lines.join('\n');
      expect(output).toContain(`PGlite at ${join(dataDir, 'pglite', 'integrations')}`);
      expect(output).toMatch(/5 of 6/);
      expect(output).toMatch(/6 of 6/);
      expect(output).toMatch(/re-wrapped 6, skipped 0 .*failed 0; remaining under an older key: 0/);
      for (const { access, refresh } of tokens.values()) {
        expect(output).not.toContain(access);
        expect(output).not.toContain(refresh);
      }

      // Only the new key is needed now.
      const after = await open();
      const onlyNew = new TokenCipher({ version: newKekValue.version, key: newKekValue.key });
      for (const id of ids) {
        const row = await after.db.providerConnection.findUniqueOrThrow({ where: { id } });
        expect(row.tokenKeyVersion).toBe(newKekValue.version);
        expect(onlyNew.decrypt(row.accessTokenCiphertext!, row.tokenKeyVersion!, accessContext(id))).toBe(tokens.get(id)!.access);
        expect(onlyNew.decrypt(row.refreshTokenCiphertext!, row.tokenKeyVersion!, refreshContext(id))).toBe(tokens.get(id)!.refresh);
      }
      const state = await after.db.oAuthState.findUniqueOrThrow({ where: { id: pending.id } });
      expect(onlyNew.decrypt(state.codeVerifierCiphertext, state.keyVersion, 'state')).toBe('verifier');
      await after.close();
    }, 60_000);

    it('leaves a row the running service re-keyed meanwhile alone (conditional on the old version), and reports rows it cannot unwrap', async () => {
      const handle = await open();
      const oldCipher = new TokenCipher({ version: oldKek.version, key: oldKek.key });
      const current = new TokenCipher({ version: newKekValue.version, key: newKekValue.key }, [{ version: oldKek.version, key: oldKek.key }]);
      const racing = await seed(handle.db, oldCipher, randomUUID());
      const orphan = await seed(handle.db, new TokenCipher({ version: lost.version, key: lost.key }), randomUUID());
      // The service refreshes `racing` between the command's read and its update: it writes new tokens under the current key.
      const refreshed = `ya29.refreshed-${randomUUID()}`;
      let raced = false;
      const db = new Proxy(handle.db, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (property !== 'providerConnection') return value;
          return new Proxy(value, {
            get(model, name) {
              const method = Reflect.get(model, name);
              if (name !== 'findMany') return typeof method === 'function' ? method.bind(model) : method;
              return async (args: unknown) => {
                const rows = await method.call(model, args);
                if (!raced && rows.length > 0) {
                  raced = true;
                  await target.providerConnection.update({ where: { id: racing }, data: { accessTokenCiphertext: new Uint8Array(current.encrypt(refreshed, accessContext(racing))), tokenKeyVersion: current.version } });
                }
                return rows;
              };
            },
          });
        },
      }) as PrismaClient;
      const result = await rotateEncryptionKey(db, current);
      expect(raced).toBe(true);
      expect(result).toMatchObject({ connections: 2, rewrapped: 0, skipped: 1, remaining: 1 });
      expect(result.failures).toEqual([{ kind: 'connection', id: orphan, keyVersion: lost.version, error: expect.stringContaining(`No key-encryption key with version ${lost.version}`) }]);
      const row = await handle.db.providerConnection.findUniqueOrThrow({ where: { id: racing } });
      expect(current.decrypt(row.accessTokenCiphertext!, row.tokenKeyVersion!, accessContext(racing))).toBe(refreshed); // the service's write stands
      await handle.close();

      // The command says which rows failed and exits with 2; the lost key fixes it.
      const lines: string[] = [];
      const failed = await rotateKeyCommand({ env: { ...env, INTEGRATIONS_KEK: newKekValue.base64, INTEGRATIONS_KEK_PREVIOUS: oldKek.base64 }, out: (line) => lines.push(line) });
      expect(failed.code).toBe(2);
      expect(lines.join('\n')).toContain(`could not re-wrap connection ${orphan}`);
      const fixed = await rotateKeyCommand({ env: { ...env, INTEGRATIONS_KEK: newKekValue.base64, INTEGRATIONS_KEK_PREVIOUS: `${oldKek.base64},${lost.base64}` }, out: () => {} });
      expect(fixed).toMatchObject({ code: 0, result: { rewrapped: 1, remaining: 0 } });
      expect((await rotateKeyCommand({ env, out: () => {} })).code).toBe(1); // no INTEGRATIONS_KEK: refuses
    }, 60_000);
  });
});
