import { badInput, requireMember, requireUser } from '@flowforge/runtime';
import { parseGoal } from '../domain/goal-parser.js';
import type { AiModelResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const modelQueries: QueryResolvers = {
  aiModels: (_parent, { name }, { identity, insights }) => insights.list(identity, name),
  parseGoal: (_parent, { text, today }, { identity }) => {
    requireUser(identity);
    if (text.length > 500) throw badInput('text can have at most 500 characters.', 'text');
    if (today != null && !/^\d{4}-\d{2}-\d{2}$/.test(today)) throw badInput('today must be a date like 2026-11-27.', 'today');
    return parseGoal(text, today ?? new Date().toISOString().slice(0, 10));
  },
};

export const modelMutations: MutationResolvers = {
  registerAiModel: (_parent, { input }, { identity, insights }) => insights.register(identity, input),
  setInsightsOptOut: (_parent, { optOut }, { identity, insights }) => insights.setOptOut(identity, optOut),
  retrainFocusForecast: (_parent, _args, { identity, insights }) => insights.retrainNow(identity),
  promoteAiModel: (_parent, { id }, { identity, insights }) => insights.promote(identity, id),
  seedDemoFocusHistory: (_parent, { weeks, simulatedMembers, seed }, { identity, insights }) =>
    insights.seedDemo(identity, { weeks: weeks ?? 8, simulatedMembers: simulatedMembers ?? 0, seed: seed ?? 1 }),
};

export const AiModel: AiModelResolvers = {
  async __resolveReference(reference, { identity, models }) {
    const member = requireMember(identity);
    return models.findInOrganization(member.organizationId, reference.id);
  },
};
