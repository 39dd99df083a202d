import type { EventEnvelope } from '@flowforge/events';
import { startDatabaseSubgraph, type Logger, type StartOptions } from '@flowforge/runtime';
import { resolve } from 'node:path';
import type { Context } from './context.js';
import { FactRepository } from './data/facts.js';
import { AiModelRepository } from './data/models.js';
import { SettingsRepository } from './data/settings.js';
import { FOCUS_FACTS_CONSUMER, FOCUS_TOPIC, FocusFactsProjection } from './events/focus-facts.js';
import { PrismaClient } from './generated/prisma/client.js';
import { initBackend } from './ml/backend.js';
import { resolvers } from './resolvers/index.js';
import { ForecastService } from './services/forecast.js';
import { InsightsService } from './services/insights.js';
import { ModelRegistry } from './services/registry.js';
import { RetrainScheduler, TrainingService, trainingSettings } from './services/training.js';

/** The part of the event backbone insights uses; present in setup's tools once packages/events lands. */
interface EventsTool {
  subscribe(consumer: string, topics: readonly string[], handler: (event: EventEnvelope, tx: never) => Promise<void>): Promise<unknown> | unknown;
}

/** Everything insights runs besides HTTP; built by the subgraph's setup and by tests directly. */
export async function createInsightsServices(db: PrismaClient, tools: { env: NodeJS.ProcessEnv; log: Logger }) {
  const { env, log } = tools;
  const backend = await initBackend(env, log);
  const models = new AiModelRepository(db);
  const facts = new FactRepository(db);
  const settings = new SettingsRepository(db);
  const registry = new ModelRegistry(models, resolve(env.FLOWFORGE_DATA_DIR ?? '.data'), log);
  const training = new TrainingService({ facts, settings, models, registry, log }, trainingSettings(env));
  const scheduler = new RetrainScheduler((org) => training.trainFocusForecast(org), Number(env.INSIGHTS_RETRAIN_DEBOUNCE_MS ?? 10_000), log);
  const projection = new FocusFactsProjection(facts, (org) => scheduler.markDirty(org));
  const insights = new InsightsService({ models, facts, settings, training, scheduler, env });
  const forecasts = new ForecastService({ facts, settings, registry, log });
  return { backend, models, facts, settings, registry, training, scheduler, projection, insights, forecasts };
}

export function startInsightsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'insights',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    async setup(db, tools) {
      const services = await createInsightsServices(db, tools);
      const events = (tools as unknown as { events?: EventsTool }).events;
      if (events) {
        await events.subscribe(FOCUS_FACTS_CONSUMER, [FOCUS_TOPIC], services.projection.handleInTransaction);
        tools.log({ msg: 'subscribed to focus events', consumer: FOCUS_FACTS_CONSUMER, topic: FOCUS_TOPIC });
      } else {
        tools.log({ level: 'warn', msg: 'no event backbone in setup tools: focus_session_facts is fed only by seedDemoFocusHistory until it lands' });
      }
      const { models, settings, facts, insights, forecasts } = services;
      return (base) => ({ ...base, models, settings, facts, insights, forecasts });
    },
  }, options);
}
