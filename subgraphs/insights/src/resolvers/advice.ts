import type { Identity } from '@flowforge/auth';
import { badInput, requireMember, requireUser } from '@flowforge/runtime';
import type { InsightResolvers, QueryResolvers, UserResolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';

export const adviceQueries: QueryResolvers = {
  analyzeNote: async (_parent, { text }, { identity, notes }) => {
    requireUser(identity as Identity);
    if (text.length > 1000) throw badInput('text can have at most 1000 characters.', 'text');
    const a = await notes.analyze(text);
    return { ...a, sentiment: a.sentiment.toUpperCase() as 'NEGATIVE' | 'NEUTRAL' | 'POSITIVE' };
  },
  organizationBurnoutSummary: (_parent, _args, { identity, advice }) => advice.organizationSummary(identity),
};

export const adviceUserFields: UserResolvers = {
  burnoutRisk: (user, _args, { identity, advice }) => advice.burnout(identity, user),
  habitForecast: (user, { days }, { identity, advice }) => advice.habitForecast(identity, user, days ?? 7),
  goalForecasts: async (user, _args, { identity, advice }) => (await advice.goalForecasts(identity, user)) as never,
  ask: (user, { question }, { identity, advice }) => advice.ask(identity, user, question),
  insights: (user, { first }, { identity, advice }) => advice.insights(identity, user, first ?? 20),
};

export const Insight: InsightResolvers<Context> = {
  async __resolveReference(reference, { identity, advice }) {
    requireMember(identity);
    return advice.insight(identity, reference.id);
  },
};
