import type { SubgraphContext } from '@flowforge/runtime';
import type { AiModelRepository } from './data/models.js';
import type { InsightsService } from './services/insights.js';

export interface Context extends SubgraphContext {
  models: AiModelRepository;
  insights: InsightsService;
}
