import { startDatabaseSubgraph, type Logger, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { FocusBlockRepository } from './data/blocks.js';
import { CalendarRepository } from './data/calendars.js';
import { CalendarEventRepository } from './data/events.js';
import { ProfileRepository } from './data/profiles.js';
import { subscribeConsumers } from './events/consumers.js';
import { subscribeIntegrationSync } from './events/integration-sync.js';
import { PrismaClient } from './generated/prisma/client.js';
import { calendarFeedRoute } from './http/feed-route.js';
import { resolvers } from './resolvers/index.js';
import { CalendarService } from './services/calendar.js';
import { FeedService, publicBaseUrl } from './services/feeds.js';
import { FocusTimeService } from './services/focus-time.js';

export function startCalendarSubgraph(options: StartOptions = {}) {
  // The feed route is served beside /graphql; it needs the services built in setup.
  let feeds: FeedService | undefined;
  let log: Logger | undefined;
  return startDatabaseSubgraph<Context, PrismaClient>({
    name: 'calendar',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    routes: [calendarFeedRoute(() => feeds, () => log)],
    async setup(db, tools) {
      log = tools.log;
      const events = new CalendarEventRepository();
      const blocks = new FocusBlockRepository();
      const profiles = new ProfileRepository();
      const calendar = new CalendarService(db, new CalendarRepository(), events, tools.events);
      const focusTime = new FocusTimeService(db, calendar, blocks, profiles, tools.events);
      feeds = new FeedService(db, events, blocks, publicBaseUrl(tools.env));
      await subscribeConsumers(tools.events, profiles, tools.log);
      await subscribeIntegrationSync(tools.events);
      return (base) => ({ ...base, calendar, focusTime, feeds: feeds! });
    },
  }, options);
}
