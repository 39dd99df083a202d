import type { Logger, Route } from '@flowforge/runtime';
import { FEED_PATH_PREFIX, type FeedService } from '../services/feeds.js';

/**
 * GET /feeds/calendar/<token>.ics: the feed as text/calendar. Unknown, malformed and revoked
 * tokens all answer 404 (nothing tells them apart). The token is the only credential: this
 * route does not need the gateway's internal token, and the gateway proxies it as it is.
 */
export function calendarFeedRoute(feeds: () => FeedService | undefined, log: () => Logger | undefined): Route {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(FEED_PATH_PREFIX)) return false;
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('No calendar feed at this address (it may have been revoked).\n');
      return true;
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Use GET.\n');
      return true;
    }
    const token = url.pathname.slice(FEED_PATH_PREFIX.length).replace(/\.ics$/, '');
    const service = feeds();
    if (!service) return notFound();
    try {
      const body = await service.render(token);
      if (body === null) return notFound();
      res.writeHead(200, {
        'content-type': 'text/calendar; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'private, no-store',
        'content-disposition': 'inline; filename="flowforge.ics"',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      log()?.({ level: 'error', msg: 'calendar feed failed', error: error instanceof Error ? error.stack : String(error) });
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Something went wrong on our side; it has been logged.\n');
    }
    return true;
  };
}
