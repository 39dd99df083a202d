import { loadSigningKey, signAccessToken } from '@flowforge/auth';
import { errorCode, gatewayUrl, gql, gqlOk, signUp } from '@flowforge/testing';

const ME = '{ me { id email name timezone } }';
const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }';

describe('sign-up, log-in and sessions through the gateway', () => {
  it('signs up, then reads the profile with the access token', async () => {
    const user = await signUp({ timezone: 'Europe/Berlin', name: 'Ada' });
    const data = await gqlOk(ME, {}, user.accessToken);
    expect(data.me).toEqual({ id: user.id, email: user.email, name: 'Ada', timezone: 'Europe/Berlin' });
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const user = await signUp();
    const result = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', { i: { email: user.email.toUpperCase(), password: 'another password 1', name: 'Twin' } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/already exists/);
  });

  it('rejects weak passwords, bad emails and unknown time zones with BAD_USER_INPUT naming the field', async () => {
    const cases = [
      { email: 'a@b.test', password: 'short', name: 'X', field: 'password' },
      { email: 'not-an-email', password: 'long enough password', name: 'X', field: 'email' },
      { email: 'tz@b.test', password: 'long enough password', name: 'X', timezone: 'Mars/Olympus', field: 'timezone' },
    ];
    for (const { field, ...input } of cases) {
      const result = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', { i: input });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
  });

  it('logs in with the right password only, with the same answer for unknown emails', async () => {
    const user = await signUp();
    const ok = await gqlOk('mutation($i: LogInInput!) { logIn(input: $i) { accessToken user { id } } }', { i: { email: user.email, password: user.password } });
    expect(ok.logIn.user.id).toBe(user.id);
    const wrong = await gql('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', { i: { email: user.email, password: 'wrong password!!' } });
    const unknown = await gql('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', { i: { email: 'nobody@example.test', password: 'wrong password!!' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
  });

  it('rotates refresh tokens, and reuse of an old one revokes the whole family', async () => {
    const user = await signUp();
    const first = (await gqlOk(REFRESH, { t: user.refreshToken })).refreshSession;
    expect(first.refreshToken).not.toBe(user.refreshToken);
    const second = (await gqlOk(REFRESH, { t: first.refreshToken })).refreshSession;

    const replay = await gql(REFRESH, { t: user.refreshToken });
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    expect(replay.errors?.[0]?.message).toMatch(/already used/);
    // The thief's replay ended the family: even the newest token no longer works.
    expect(errorCode(await gql(REFRESH, { t: second.refreshToken }))).toBe('UNAUTHENTICATED');
    // Another sign-in of the same user is a different family and is unaffected.
    const other = await gqlOk('mutation($i: LogInInput!) { logIn(input: $i) { refreshToken } }', { i: { email: user.email, password: user.password } });
    expect((await gqlOk(REFRESH, { t: other.logIn.refreshToken })).refreshSession.accessToken).toBeTruthy();
  });

  it('logOut ends the sign-in', async () => {
    const user = await signUp();
    expect((await gqlOk('mutation($t: String!) { logOut(refreshToken: $t) }', { t: user.refreshToken }, user.accessToken)).logOut).toBe(true);
    expect(errorCode(await gql(REFRESH, { t: user.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('answers 401 UNAUTHENTICATED for a forged, malformed or expired access token', async () => {
    const user = await signUp();
    const [header, payload] = user.accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    for (const token of [forged, 'not-a-jwt']) {
      const result = await gql(ME, {}, token);
      expect(result.status).toBe(401);
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
    }
    const key = await loadSigningKey('access', { FLOWFORGE_DATA_DIR: process.env.FLOWFORGE_TEST_DATA_DIR });
    const { token: expired } = await signAccessToken(key, { userId: user.id, organizationId: null, workspaceId: null, role: null, sessionId: user.id }, new Date(Date.now() - 3600_000));
    const result = await gql(ME, {}, expired);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.message).toMatch(/expired.*refreshSession/);
  });

  it('publishes the verification key at /.well-known/jwks.json', async () => {
    const response = await fetch(new URL('/.well-known/jwks.json', gatewayUrl()));
    const jwks = (await response.json()) as { keys: { kty: string; crv: string; kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });
});
