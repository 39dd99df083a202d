import type { SubgraphContext } from '@flowforge/runtime';
import type { HabitRepository } from './data/habits.js';
import type { HabitService } from './services/habits.js';

export interface Context extends SubgraphContext {
  habits: HabitRepository;
  habitService: HabitService;
}
