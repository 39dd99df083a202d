import { startDatabaseSubgraph, type Logger, type StartOptions } from '@flowforge/runtime';
import { resolve } from 'node:path';
import type { Context } from './context.js';
import { FactRepository } from './data/facts.js';
import { AiModelRepository } from './data/models.js';
import { SettingsRepository } from './data/settings.js';
import { ACTIVITY_CONSUMER, ActivityHandler, HABITS_CONSUMER, HABITS_TOPIC, type Publish } from './events/activity.js';
import { FOCUS_FACTS_CONSUMER, FOCUS_TOPIC, FocusFactsProjection } from './events/focus-facts.js';
import { NoteClassifier } from './ml/note-model.js';
import { AdviceService } from './services/advice.js';
import { PrismaClient } from './generated/prisma/client.js';
import { initBackend } from './ml/backend.js';
import { FocusTrainer, focusTrainerSettings } from './ml/focus-trainer.js';
import { resolvers } from './resolvers/index.js';
import { ForecastService } from './services/forecast.js';
import { InsightsService } from './services/insights.js';
import { ModelRegistry } from './services/registry.js';
import { RetrainScheduler, TrainingService, trainingSettings } from './services/training.js';

/** Everything insights runs besides HTTP; built by the subgraph's setup and by tests directly. */
export async function createInsightsServices(db: PrismaClient, tools: { env: NodeJS.ProcessEnv; log: Logger; publish?: Publish }) {
  const { env, log } = tools;
  const backend = await initBackend(env, log);
  const models = new AiModelRepository(db);
  const facts = new FactRepository(db);
  const settings = new SettingsRepository(db);
  const registry = new ModelRegistry(models, resolve(env.FLOWFORGE_DATA_DIR ?? '.data'), log);
  const trainer = new FocusTrainer(focusTrainerSettings(env), log);
  const training = new TrainingService({ facts, settings, models, registry, trainer, log }, trainingSettings(env));
  const scheduler = new RetrainScheduler((org) => training.trainFocusForecast(org), Number(env.INSIGHTS_RETRAIN_DEBOUNCE_MS ?? 10_000), log);
  const projection = new FocusFactsProjection(facts, (org) => scheduler.markDirty(org));
  const insights = new InsightsService({ models, facts, settings, training, scheduler, env });
  const forecasts = new ForecastService({ facts, settings, registry, log });
  const notes = new NoteClassifier(log, { epochs: Number(env.INSIGHTS_NOTE_EPOCHS ?? 60) });
  const advice = new AdviceService({ db, settings, notes });
  const activity = new ActivityHandler(tools.publish ?? (async () => undefined));
  return { backend, models, facts, settings, registry, trainer, training, scheduler, projection, insights, forecasts, notes, advice, activity };
}

export function startInsightsSubgraph(options: StartOptions = {}) {
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'insights',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    async setup(db, tools) {
      const services = await createInsightsServices(db, { ...tools, publish: (tx, list) => tools.events.publish(tx as never, list) });
      tools.onClose(() => {
        services.trainer.close(); // a training in progress is terminated, nothing is registered
        return services.scheduler.stop();
      });
      await tools.events.subscribe(FOCUS_FACTS_CONSUMER, [FOCUS_TOPIC], services.projection.handleInTransaction);
      await tools.events.subscribe(ACTIVITY_CONSUMER, [FOCUS_TOPIC], services.activity.handleFocus);
      await tools.events.subscribe(HABITS_CONSUMER, [HABITS_TOPIC], services.activity.handleHabits);
      const { models, settings, facts, insights, forecasts, advice, notes } = services;
      return (base) => ({ ...base, models, settings, facts, insights, forecasts, advice, notes });
    },
  }, options);
}
