import { gqlOk, startStackProcess } from '@flowforge/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT_BASE = Number(process.env.FLOWFORGE_TEST_PORT_BASE ?? 14000) + 100;

describe('embedded mode (PGlite, no services)', () => {
  it('keeps accounts, organizations and sessions across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flowforge-embedded-'));
    let stack = await startStackProcess({ portBase: PORT_BASE, dataDir, embedded: true });
    const email = `restart-${Date.now()}@example.test`;
    try {
      const signUp = await gqlOk('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', { i: { email, password: 'persist me please', name: 'Persistent' } }, undefined, stack.gatewayUrl);
      const org = await gqlOk('mutation { createOrganization(input: { name: "Durable" }) { accessToken } }', {}, signUp.signUp.accessToken, stack.gatewayUrl);
      const token = org.createOrganization.accessToken;
      const { id } = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 30 }) { id } }', {}, token, stack.gatewayUrl)).startFocusSession;
      await gqlOk('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 3 }) { id } }', { id }, token, stack.gatewayUrl);
    } finally {
      await stack.stop();
    }

    stack = await startStackProcess({ portBase: PORT_BASE, dataDir, embedded: true });
    try {
      // The signing keys persisted too, so logging in again just works.
      const logIn = await gqlOk('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', { i: { email, password: 'persist me please' } }, undefined, stack.gatewayUrl);
      const me = (await gqlOk('{ me { name activeOrganization { name } focusSessions { edges { node { rating state } } } } }', {}, logIn.logIn.accessToken, stack.gatewayUrl)).me;
      expect(me).toEqual({ name: 'Persistent', activeOrganization: { name: 'Durable' }, focusSessions: { edges: [{ node: { rating: 3, state: 'COMPLETED' } }] } });
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
