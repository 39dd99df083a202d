import type { SubgraphContext } from '@flowforge/runtime';
import type { CalendarService } from './services/calendar.js';
import type { FeedService } from './services/feeds.js';
import type { FocusTimeService } from './services/focus-time.js';

export interface Context extends SubgraphContext {
  calendar: CalendarService;
  focusTime: FocusTimeService;
  feeds: FeedService;
}
