import { addMember, createOrganization, errorCode, gql, gqlOk, signUp, type TestUser } from '@flowforge/testing';
import { randomUUID } from 'node:crypto';

type Role = 'ADMIN' | 'MANAGER' | 'USER' | 'VIEWER';

interface Org {
  admin: TestUser;
  orgId: string;
  workspaceId: string;
  members: Record<Role, TestUser & { membershipId: string }>;
}

async function organizationWithEveryRole(): Promise<Org> {
  const admin = await signUp();
  const orgId = await createOrganization(admin);
  const members = {
    ADMIN: await addMember(admin, 'ADMIN'),
    MANAGER: await addMember(admin, 'MANAGER'),
    USER: await addMember(admin, 'USER'),
    VIEWER: await addMember(admin, 'VIEWER'),
  };
  const workspaceId = (await gqlOk('{ me { activeOrganization { workspaces { id } } } }', {}, admin.accessToken)).me.activeOrganization.workspaces[0].id;
  return { admin, orgId, workspaceId, members };
}

const invite = (role: Role) => ['mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }', { i: { email: `${randomUUID()}@example.test`, role } }] as const;

describe('what each role may do', () => {
  let org: Org;
  beforeAll(async () => {
    org = await organizationWithEveryRole();
  });

  const expectations: [string, (o: Org) => readonly [string, Record<string, unknown>], Role[]][] = [
    ['invite a USER', () => invite('USER'), ['ADMIN', 'MANAGER']],
    ['invite an ADMIN', () => invite('ADMIN'), ['ADMIN']],
    ['create a workspace', () => ['mutation($n: String!) { createWorkspace(name: $n) { id } }', { n: `ws-${randomUUID()}` }], ['ADMIN']],
    ['create a team', (o) => ['mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: { name: `team-${randomUUID()}`, workspaceId: o.workspaceId } }], ['ADMIN', 'MANAGER']],
    ['list members', (o) => ['query($id: ID!) { organization(id: $id) { members { role } } }', { id: o.orgId }], ['ADMIN', 'MANAGER', 'USER', 'VIEWER']],
    ['start a focus session', () => ['mutation { startFocusSession(input: { plannedMinutes: 5 }) { id } }', {}], ['ADMIN', 'MANAGER', 'USER']],
  ];

  for (const [action, operation, allowed] of expectations) {
    it.each(['ADMIN', 'MANAGER', 'USER', 'VIEWER'] as Role[])(`${action}: %s`, async (role) => {
      const [query, variables] = operation(org);
      const result = await gql(query, variables, org.members[role].accessToken);
      if (allowed.includes(role)) expect(result.errors).toBeUndefined();
      else expect(errorCode(result)).toBe('FORBIDDEN');
    });
  }

  it('only an ADMIN changes roles or removes other members', async () => {
    const target = await addMember(org.admin, 'USER');
    for (const role of ['MANAGER', 'USER', 'VIEWER'] as Role[]) {
      const token = org.members[role].accessToken;
      expect(errorCode(await gql('mutation($id: ID!) { changeMemberRole(membershipId: $id, role: ADMIN) { id } }', { id: target.membershipId }, token))).toBe('FORBIDDEN');
      expect(errorCode(await gql('mutation($id: ID!) { removeMember(membershipId: $id) }', { id: target.membershipId }, token))).toBe('FORBIDDEN');
    }
    const changed = await gqlOk('mutation($id: ID!) { changeMemberRole(membershipId: $id, role: VIEWER) { role } }', { id: target.membershipId }, org.members.ADMIN.accessToken);
    expect(changed.changeMemberRole.role).toBe('VIEWER');
    expect((await gqlOk('mutation($id: ID!) { removeMember(membershipId: $id) }', { id: target.membershipId }, org.admin.accessToken)).removeMember).toBe(true);
    // The removed member's token still names the organization: orgs reads membership live (FORBIDDEN),
    // and once the member.left event reaches the gateway the token itself is refused (UNAUTHENTICATED).
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(errorCode(await gql('query($id: ID!) { organization(id: $id) { name } }', { id: org.orgId }, target.accessToken)));
  });

  it('a role change takes effect at once: tokens issued before it are refused until refreshed', async () => {
    const target = await addMember(org.admin, 'MANAGER');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // token times have whole seconds
    await gqlOk('mutation($id: ID!) { changeMemberRole(membershipId: $id, role: VIEWER) { role } }', { id: target.membershipId }, org.admin.accessToken);
    let refused: Awaited<ReturnType<typeof gql>> | undefined;
    for (let attempt = 0; attempt < 50 && !refused; attempt += 1) {
      const result = await gql('{ me { id } }', {}, target.accessToken);
      if (result.status === 401) refused = result;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused?.errors?.[0]?.message).toMatch(/membership in this organization changed.*refreshSession/);
    const refreshed = await gqlOk('mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken role } }', { t: target.refreshToken });
    expect(refreshed.refreshSession.role).toBe('VIEWER');
    expect(errorCode(await gql('mutation { startFocusSession(input: { plannedMinutes: 5 }) { id } }', {}, refreshed.refreshSession.accessToken))).toBe('FORBIDDEN');
  });

  it('any member may leave, but the last ADMIN may not', async () => {
    const leaver = await addMember(org.admin, 'USER');
    expect((await gqlOk('mutation($id: ID!) { removeMember(membershipId: $id) }', { id: leaver.membershipId }, leaver.accessToken)).removeMember).toBe(true);

    const solo = await signUp();
    await createOrganization(solo);
    const mine = (await gqlOk('{ me { memberships { id } } }', {}, solo.accessToken)).me.memberships[0].id;
    const demote = await gql('mutation($id: ID!) { changeMemberRole(membershipId: $id, role: USER) { id } }', { id: mine }, solo.accessToken);
    expect(errorCode(demote)).toBe('BAD_USER_INPUT');
    expect(demote.errors?.[0]?.message).toMatch(/last ADMIN/);
  });

  it('a MANAGER cannot hand out ADMIN, and invitations are single-use and addressed', async () => {
    const [inviteAdmin, variables] = invite('ADMIN');
    const denied = await gql(inviteAdmin, variables, org.members.MANAGER.accessToken);
    expect(errorCode(denied)).toBe('FORBIDDEN');

    const invitee = await signUp();
    const outsider = await signUp();
    const { token } = (await gqlOk('mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }', { i: { email: invitee.email, role: 'USER' } }, org.admin.accessToken)).inviteMember;
    const ACCEPT = 'mutation($t: String!) { acceptInvitation(token: $t) { role activeOrganization { id } } }';
    expect(errorCode(await gql(ACCEPT, { t: token }, outsider.accessToken))).toBe('FORBIDDEN');
    const accepted = (await gqlOk(ACCEPT, { t: token }, invitee.accessToken)).acceptInvitation;
    expect(accepted).toEqual({ role: 'USER', activeOrganization: { id: org.orgId } });
    expect(errorCode(await gql(ACCEPT, { t: token }, invitee.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('requires sign-in for everything but signing in', async () => {
    for (const query of ['mutation { startFocusSession(input: { plannedMinutes: 5 }) { id } }', 'mutation { createOrganization(input: { name: "x" }) { accessToken } }']) {
      expect(errorCode(await gql(query))).toBe('UNAUTHENTICATED');
    }
    expect((await gqlOk('{ me { id } }')).me).toBeNull();
  });
});
