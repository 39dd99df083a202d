import { INTERNAL_TOKEN_HEADER, signInternalToken } from '@flowforge/auth';
import { SERVICE_OFFSETS, SUBGRAPH_NAMES } from '@flowforge/runtime';
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import { randomUUID } from 'node:crypto';

const subgraphUrl = (name: keyof typeof SERVICE_OFFSETS) => `http://127.0.0.1:${Number(process.env.FLOWFORGE_TEST_PORT_BASE) + SERVICE_OFFSETS[name]}/graphql`;

async function post(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
  return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string }; message: string }[] } };
}

describe('subgraphs answer only the gateway', () => {
  it.each(SUBGRAPH_NAMES)('%s refuses a request without the internal token', async (name) => {
    const { status, body } = await post(subgraphUrl(name));
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an internal token signed by any key other than the gateway\'s', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const publicKey = await importJWK({ ...jwk, d: undefined }, 'EdDSA');
    const impostor = { kid: 'impostor', privateKey: privateKey as never, publicKey: publicKey as never, publicJwk: jwk };
    const token = await signInternalToken(impostor, { userId: randomUUID(), organizationId: randomUUID(), workspaceId: null, role: 'ADMIN', sessionId: null });
    const { status, body } = await post(subgraphUrl('focus'), { [INTERNAL_TOKEN_HEADER]: token });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toMatch(/only answers the FlowForge gateway/);
  });
});
