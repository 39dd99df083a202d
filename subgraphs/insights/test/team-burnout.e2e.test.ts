import { addMember, createOrganization, errorCode, gql, gqlOk, signUp, type TestUser } from '@flowforge/testing';

// Team.burnoutRisk through the gateway: orgs knows who is in a team (Team.memberUserIds), insights
// has the focus facts; the gateway joins them with @requires. Every team member seeds a demo
// history of their own (synthetic sessions).
const TEAMS = `query($id: ID!) { organization(id: $id) { teams { id name burnoutRisk {
  available people minimumPeople averageScore levels { level people } signals { name averagePoints } explanation
} } } }`;

type TeamView = { id: string; name: string; burnoutRisk: Record<string, any> };
const teamsOf = async (organizationId: string, token: string) =>
  (await gqlOk<{ organization: { teams: TeamView[] } }>(TEAMS, { id: organizationId }, token)).organization.teams;

async function createTeam(admin: TestUser, organizationId: string, name: string, memberships: string[]): Promise<string> {
  const workspaceId = (await gqlOk<{ organization: { workspaces: { id: string }[] } }>('query($id: ID!) { organization(id: $id) { workspaces { id } } }', { id: organizationId }, admin.accessToken)).organization.workspaces[0]!.id;
  const team = (await gqlOk<{ createTeam: { id: string } }>('mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }', { input: { name, workspaceId } }, admin.accessToken)).createTeam.id;
  for (const membershipId of memberships) await gqlOk('mutation($t: ID!, $m: ID!) { addTeamMember(teamId: $t, membershipId: $m) { id } }', { t: team, m: membershipId }, admin.accessToken);
  return team;
}

describe('team burnout risk through the gateway', () => {
  it('shows a team of 5+ members with history as numbers, a team of 4 as unavailable, to ADMIN and MANAGER of its organization only', async () => {
    const admin = await signUp({ timezone: 'Europe/Berlin' });
    const organizationId = await createOrganization(admin, 'Team burnout');
    const members = await Promise.all(Array.from({ length: 5 }, () => addMember(admin, 'USER')));
    for (const [i, member] of members.entries()) {
      const seeded = await gqlOk<{ seedDemoFocusHistory: number }>('mutation($seed: Int!) { seedDemoFocusHistory(weeks: 8, seed: $seed) }', { seed: i + 1 }, member.accessToken);
      expect(seeded.seedDemoFocusHistory).toBeGreaterThan(10);
    }
    const five = await createTeam(admin, organizationId, 'Five', members.map((m) => m.membershipId));
    const four = await createTeam(admin, organizationId, 'Four', members.slice(0, 4).map((m) => m.membershipId));

    // What the gateway hands insights: the members' user ids, from orgs.
    const ids = await gqlOk<{ organization: { teams: { id: string; memberUserIds: string[] }[] } }>('query($id: ID!) { organization(id: $id) { teams { id memberUserIds } } }', { id: organizationId }, admin.accessToken);
    expect([...ids.organization.teams.find((t) => t.id === four)!.memberUserIds].sort()).toEqual(members.slice(0, 4).map((m) => m.id).sort());

    const teams = await teamsOf(organizationId, admin.accessToken);
    const big = teams.find((t) => t.id === five)!.burnoutRisk;
    expect(big).toMatchObject({ available: true, people: 5, minimumPeople: 5 });
    expect(big.averageScore).toBeGreaterThanOrEqual(0);
    expect(big.averageScore).toBeLessThanOrEqual(100);
    expect(big.levels.reduce((sum: number, l: { people: number }) => sum + l.people, 0)).toBe(5);
    expect(big.signals.length).toBeGreaterThanOrEqual(4);
    expect(big.explanation).toMatch(/over 5 team members/);
    expect(teams.find((t) => t.id === four)!.burnoutRisk).toMatchObject({ available: false, people: 4, averageScore: null, levels: [], signals: [] });

    // A MANAGER sees the same numbers; a USER (here a member of the team) gets FORBIDDEN.
    const manager = await addMember(admin, 'MANAGER');
    expect((await teamsOf(organizationId, manager.accessToken)).find((t) => t.id === five)!.burnoutRisk).toEqual(big);
    const asUser = await gql(TEAMS, { id: organizationId }, members[0]!.accessToken);
    expect(errorCode(asUser)).toBe('FORBIDDEN');
    expect(JSON.stringify(asUser.data)).not.toContain('averageScore":');
  }, 120_000);

  it('does not show a team of another organization', async () => {
    const admin = await signUp();
    const organizationId = await createOrganization(admin, 'Mine');
    const stranger = await signUp();
    const otherId = await createOrganization(stranger, 'Theirs');
    const members = await Promise.all(Array.from({ length: 5 }, () => addMember(stranger, 'USER')));
    for (const [i, member] of members.entries()) await gqlOk('mutation($seed: Int!) { seedDemoFocusHistory(weeks: 6, seed: $seed) }', { seed: 20 + i }, member.accessToken);
    const theirTeam = await createTeam(stranger, otherId, 'Theirs', members.map((m) => m.membershipId));
    expect((await teamsOf(otherId, stranger.accessToken)).find((t) => t.id === theirTeam)!.burnoutRisk).toMatchObject({ available: true, people: 5 });

    // Not a member of that organization: orgs does not show its teams at all.
    expect(errorCode(await gql(TEAMS, { id: otherId }, admin.accessToken))).toBe('FORBIDDEN');

    // A MANAGER there, but acting in their own organization: insights refuses the other organization's team.
    const invite = await gqlOk<{ inviteMember: { token: string } }>('mutation($input: InviteMemberInput!) { inviteMember(input: $input) { token } }', { input: { email: admin.email, role: 'MANAGER' } }, stranger.accessToken);
    const inOther = (await gqlOk<{ acceptInvitation: { accessToken: string } }>('mutation($t: String!) { acceptInvitation(token: $t) { accessToken } }', { t: invite.inviteMember.token }, admin.accessToken)).acceptInvitation.accessToken;
    const back = (await gqlOk<{ switchOrganization: { accessToken: string } }>('mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken } }', { id: organizationId }, inOther)).switchOrganization.accessToken;
    const crossed = await gql(TEAMS, { id: otherId }, back);
    expect(errorCode(crossed)).toBe('FORBIDDEN');
    expect(crossed.errors![0]!.message).toMatch(/another organization/);
    // With that organization active, the same person (a MANAGER there) sees it.
    expect((await teamsOf(otherId, inOther)).find((t) => t.id === theirTeam)!.burnoutRisk).toMatchObject({ available: true, people: 5 });
  }, 120_000);
});
