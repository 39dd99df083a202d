import { requireMember } from '@flowforge/runtime';
import type { AiModelResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const modelQueries: QueryResolvers = {
  aiModels: (_parent, { name }, { identity, insights }) => insights.list(identity, name),
};

export const modelMutations: MutationResolvers = {
  registerAiModel: (_parent, { input }, { identity, insights }) => insights.register(identity, input),
};

export const AiModel: AiModelResolvers = {
  async __resolveReference(reference, { identity, models }) {
    const member = requireMember(identity);
    return models.findInOrganization(member.organizationId, reference.id);
  },
};
