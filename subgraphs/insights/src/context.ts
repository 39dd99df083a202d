import type { SubgraphContext } from '@flowforge/runtime';
import type { FactRepository } from './data/facts.js';
import type { AiModelRepository } from './data/models.js';
import type { SettingsRepository } from './data/settings.js';
import type { NoteClassifier } from './ml/note-model.js';
import type { AdviceService } from './services/advice.js';
import type { ForecastService } from './services/forecast.js';
import type { InsightsService } from './services/insights.js';

export interface Context extends SubgraphContext {
  models: AiModelRepository;
  settings: SettingsRepository;
  facts: FactRepository;
  insights: InsightsService;
  forecasts: ForecastService;
  advice: AdviceService;
  notes: NoteClassifier;
}
