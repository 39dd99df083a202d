import type { TeamResolvers } from '../generated/graphql.js';

/**
 * A team is orgs' entity; insights only adds fields to it. What the gateway hands us: its key, plus
 * `memberUserIds` and `organization { id }` from orgs when a field @requires them (burnoutRisk).
 */
export interface TeamReference {
  id: string;
  memberUserIds?: readonly string[];
  organization?: { id: string };
}

export const Team: TeamResolvers = {
  __resolveReference: (reference) => reference,
  burnoutRisk: (team, _args, { identity, advice }) => {
    const { id, memberUserIds, organization } = team as TeamReference;
    if (!memberUserIds || !organization) throw new Error('Team.burnoutRisk needs memberUserIds and organization { id } from orgs (@requires).');
    return advice.teamSummary(identity, { id, organizationId: organization.id, memberUserIds });
  },
};
