import { randomUUID } from 'node:crypto';

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors: { message: string; extensions?: { code?: string; [key: string]: unknown }; path?: (string | number)[] }[] | undefined;
}

export function gatewayUrl(): string {
  const url = process.env.FLOWFORGE_TEST_GATEWAY_URL;
  if (!url) throw new Error('FLOWFORGE_TEST_GATEWAY_URL is not set: the jest global setup starts the stack and sets it.');
  return url;
}

/** Sends one GraphQL request to the gateway, the way any client would. */
export async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string, url = gatewayUrl()): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors };
}

/** Like gql, but fails the test with the server's errors when there are any. */
export async function gqlOk<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string, url?: string): Promise<T> {
  const result = await gql<T>(query, variables, token, url);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result)}`);
  return result.data;
}

export function errorCode(result: GraphQLResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

const SESSION = 'accessToken refreshToken user { id email }';

export async function signUp(options: { timezone?: string; name?: string; url?: string } = {}): Promise<TestUser> {
  const email = `user-${randomUUID()}@example.test`;
  const password = 'correct horse battery staple';
  const data = await gqlOk<{ signUp: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { ${SESSION} } }`,
    { input: { email, password, name: options.name ?? 'Test User', timezone: options.timezone } }, undefined, options.url);
  return { id: data.signUp.user.id, email, password, accessToken: data.signUp.accessToken, refreshToken: data.signUp.refreshToken };
}

/** Creates an organization with `user` as ADMIN; returns the org id and the user's new access token (acting in it). */
export async function createOrganization(user: TestUser, name = 'Acme'): Promise<string> {
  const data = await gqlOk<{ createOrganization: { accessToken: string; activeOrganization: { id: string } } }>(
    'mutation($name: String!) { createOrganization(input: { name: $name }) { accessToken activeOrganization { id } } }', { name }, user.accessToken);
  user.accessToken = data.createOrganization.accessToken;
  return data.createOrganization.activeOrganization.id;
}

/** Invites a fresh user into the admin's active organization with `role`, accepts, and returns the member acting in it. */
export async function addMember(admin: TestUser, role: 'ADMIN' | 'MANAGER' | 'USER' | 'VIEWER'): Promise<TestUser & { membershipId: string }> {
  const member = await signUp();
  const invite = await gqlOk<{ inviteMember: { token: string } }>(
    'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { token } }', { input: { email: member.email, role } }, admin.accessToken);
  const accepted = await gqlOk<{ acceptInvitation: { accessToken: string; user: { memberships: { id: string; organization: { id: string } }[] }; activeOrganization: { id: string } } }>(
    'mutation($token: String!) { acceptInvitation(token: $token) { accessToken activeOrganization { id } user { memberships { id organization { id } } } } }', { token: invite.inviteMember.token }, member.accessToken);
  member.accessToken = accepted.acceptInvitation.accessToken;
  const orgId = accepted.acceptInvitation.activeOrganization.id;
  const membershipId = accepted.acceptInvitation.user.memberships.find((m) => m.organization.id === orgId)!.id;
  return { ...member, membershipId };
}
