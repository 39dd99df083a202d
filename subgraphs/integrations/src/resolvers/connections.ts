import { requireMember } from '@flowforge/runtime';
import type { MutationResolvers, ProviderConnectionResolvers } from '../generated/graphql.js';

export const connectionMutations: MutationResolvers = {
  createProviderConnection: (_parent, { provider, scopes }, { identity, integrations }) => integrations.create(identity, provider, scopes),
};

export const ProviderConnection: ProviderConnectionResolvers = {
  async __resolveReference(reference, { identity, connections }) {
    const member = requireMember(identity);
    return connections.findOwned(member.organizationId, member.userId, reference.id);
  },
  user: (connection) => ({ id: connection.userId }),
};
