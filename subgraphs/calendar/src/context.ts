import type { SubgraphContext } from '@flowforge/runtime';
import type { CalendarEventRepository } from './data/events.js';
import type { CalendarService } from './services/calendar.js';

export interface Context extends SubgraphContext {
  events: CalendarEventRepository;
  calendar: CalendarService;
}
