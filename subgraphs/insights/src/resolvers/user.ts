import type { UserResolvers } from '../generated/graphql.js';
import { productivityAnomalies } from '../services/forecast.js';
import { adviceUserFields } from './advice.js';

/** What the gateway hands us for a User: its key, plus `timezone` when a field @requires it. */
export interface UserReference {
  id: string;
  timezone?: string;
  /** When a field @requires them (goalForecasts, ask): the user's goals from the habits subgraph. */
  goals?: ({ id: string; title: string; target: number; startDate: string; deadline: string } | null)[] | null;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  insightsOptOut: (user, _args, { settings }) => settings.optedOut(user.id),
  focusForecast: (user, { from, to }, { identity, forecasts }) => forecasts.forecast(identity, user, new Date(from), new Date(to)),
  productivityAnomalies: (user, { from, to }, { identity, facts }) => productivityAnomalies(facts, identity, user, from, to),
  ...adviceUserFields,
};
