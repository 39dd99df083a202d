import type { SubgraphContext } from '@flowforge/runtime';
import type { GoalService } from './services/goals.js';
import type { HabitService } from './services/habits.js';

export interface Context extends SubgraphContext {
  habitService: HabitService;
  goalService: GoalService;
}
