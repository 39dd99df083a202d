import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gqlOk, signUp } from '@flowforge/testing';

const GATEWAY_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PORT = Number(process.env.FLOWFORGE_TEST_PORT_BASE) + 200;

/** A second gateway in front of the test stack's subgraphs, with small limits (in Redis when REDIS_URL is set). */
async function startLimitedGateway() {
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    env: {
      ...process.env,
      FLOWFORGE_DATA_DIR: process.env.FLOWFORGE_TEST_DATA_DIR,
      FLOWFORGE_PORT_BASE: process.env.FLOWFORGE_TEST_PORT_BASE,
      FLOWFORGE_SERVICE: 'gateway',
      PORT: String(PORT),
      RATE_LIMIT_USER_BURST: '5',
      RATE_LIMIT_USER_PER_MINUTE: '6',
      RATE_LIMIT_ANONYMOUS_BURST: '3',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Up to 60 s: a loaded CI machine can take a while to start a gateway process.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`the rate-limited gateway exited during startup (code ${child.exitCode})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the rate-limited gateway was not healthy within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${PORT}/graphql`, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

describe('rate limits at the gateway', () => {
  it('answers 429 with Retry-After and RateLimit headers once a user spends the burst', async () => {
    const user = await signUp();
    const gateway = await startLimitedGateway();
    try {
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 7; i += 1) {
        const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` }, body: JSON.stringify({ query: '{ me { id } }' }) });
        statuses.push(response.status);
        if (response.status === 429) limited ??= response;
        else expect(((await response.json()) as { data: { me: { id: string } } }).data.me.id).toBe(user.id);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited!.headers.get('ratelimit-limit')).toBe('5');
      const body = (await limited!.json()) as { errors: { extensions: { code: string }; message: string }[] };
      expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
      expect(body.errors[0]!.message).toMatch(/Try again in \d+ s/);
      // Another user has a bucket of their own.
      const other = await signUp();
      expect((await gqlOk('{ me { id } }', {}, other.accessToken, gateway.url)).me.id).toBe(other.id);
    } finally {
      await gateway.stop();
    }
  }, 90_000);
});
