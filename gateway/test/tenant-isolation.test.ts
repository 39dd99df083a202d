import { addMember, createOrganization, errorCode, gql, gqlOk, signUp } from '@flowforge/testing';

describe('tenant isolation through the gateway', () => {
  it('a member of org A can neither read nor change anything of org B', async () => {
    const adminA = await signUp();
    const orgA = await createOrganization(adminA, 'A');
    const memberA = await addMember(adminA, 'USER');
    const started = await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, memberA.accessToken);
    const sessionA = started.startFocusSession.id;

    const adminB = await signUp();
    const orgB = await createOrganization(adminB, 'B');

    // Reading org A directly, or through entity references, is refused.
    expect(errorCode(await gql('query($id: ID!) { organization(id: $id) { name members { id } } }', { id: orgA }, adminB.accessToken))).toBe('FORBIDDEN');
    expect(errorCode(await gql('query($id: ID!) { focusSession(id: $id) { id } }', { id: sessionA }, adminB.accessToken))).toBe('NOT_FOUND');
    // A's member's sessions are invisible from B, even to B's ADMIN.
    const viaUser = await gql('query($id: ID!) { focusSession(id: $id) { user { id } } }', { id: sessionA }, adminB.accessToken);
    expect(viaUser.data?.focusSession ?? null).toBeNull();

    // Changing A's things from B: unknown from where B stands.
    for (const mutation of ['pauseFocusSession', 'resumeFocusSession', 'endFocusSession']) {
      expect(errorCode(await gql(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id: sessionA }, adminB.accessToken))).toBe('NOT_FOUND');
    }
    expect(errorCode(await gql('mutation($id: ID!) { changeMemberRole(membershipId: $id, role: VIEWER) { id } }', { id: memberA.membershipId }, adminB.accessToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql('mutation($id: ID!) { removeMember(membershipId: $id) }', { id: memberA.membershipId }, adminB.accessToken))).toBe('NOT_FOUND');
    // Switching into an organization one does not belong to is refused.
    expect(errorCode(await gql('mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken } }', { id: orgA }, adminB.accessToken))).toBe('FORBIDDEN');

    // And A is untouched.
    const stillThere = await gqlOk('query($id: ID!) { focusSession(id: $id) { state } organization(id: "' + orgA + '") { members { role } } }', { id: sessionA }, memberA.accessToken);
    expect(stillThere.focusSession.state).toBe('ACTIVE');
    expect(stillThere.organization.members.map((m: { role: string }) => m.role).sort()).toEqual(['ADMIN', 'USER']);
    expect(orgB).not.toBe(orgA);
  });

  it('another member\'s profile is visible only to people who share an organization', async () => {
    const alice = await signUp({ name: 'Alice' });
    await createOrganization(alice);
    const bob = await addMember(alice, 'USER');
    const stranger = await signUp();
    await createOrganization(stranger);

    const seen = await gqlOk('{ me { activeOrganization { members { user { name email } } } } }', {}, bob.accessToken);
    expect(seen.me.activeOrganization.members.map((m: { user: { name: string } }) => m.user.name)).toContain('Alice');
    const strangersView = await gqlOk('{ me { activeOrganization { members { user { id } } } } }', {}, stranger.accessToken);
    expect(strangersView.me.activeOrganization.members.map((m: { user: { id: string } }) => m.user.id)).not.toContain(alice.id);
  });
});
