import type { Identity } from '@flowforge/auth';
import { requirePermission, servicePort } from '@flowforge/runtime';
import { createHash, randomBytes } from 'node:crypto';
import { attendeesOf, type CalendarEventRepository } from '../data/events.js';
import type { FocusBlockRepository } from '../data/blocks.js';
import { renderCalendar, type IcsEvent } from '../domain/ics.js';
import type { CalendarFeed, PrismaClient } from '../generated/prisma/client.js';

export type CalendarFeedRow = CalendarFeed;

/** The URL path feeds are served at, by the calendar subgraph and (proxied) by the gateway. */
export const FEED_PATH_PREFIX = '/feeds/calendar/';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const MAX_FEED_EVENTS = 5000;
const BLOCKS_BACK_DAYS = 30;
const BLOCKS_AHEAD_DAYS = 180;
const DAY = 86_400_000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Where feed URLs point: FLOWFORGE_PUBLIC_URL (the gateway's public origin) when set, else the
 * local gateway (which proxies /feeds/calendar/* to this subgraph).
 */
export function publicBaseUrl(env: NodeJS.ProcessEnv): string {
  return (env.FLOWFORGE_PUBLIC_URL ?? `http://localhost:${servicePort('gateway', env)}`).replace(/\/+$/, '');
}

/** Secret, revocable ICS feed URLs (read-only export of the user's events and focus blocks). */
export class FeedService {
  constructor(
    private readonly db: PrismaClient,
    private readonly events: CalendarEventRepository,
    private readonly blocks: FocusBlockRepository,
    private readonly baseUrl: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A new 256-bit token; the previous feed stops working. Only the token's SHA-256 is stored. */
  async create(identity: Identity): Promise<{ url: string; feed: CalendarFeedRow }> {
    const member = requirePermission(identity, 'domain:own:write');
    const token = randomBytes(32).toString('base64url');
    const feed = await this.db.$transaction(async (tx) => {
      await tx.calendarFeed.updateMany({ where: { organizationId: member.organizationId, userId: member.userId, revokedAt: null }, data: { revokedAt: this.clock() } });
      return tx.calendarFeed.create({ data: { organizationId: member.organizationId, userId: member.userId, tokenHash: hashToken(token) } });
    });
    return { url: `${this.baseUrl}${FEED_PATH_PREFIX}${token}.ics`, feed };
  }

  async revoke(identity: Identity): Promise<boolean> {
    const member = requirePermission(identity, 'domain:own:write');
    const { count } = await this.db.calendarFeed.updateMany({ where: { organizationId: member.organizationId, userId: member.userId, revokedAt: null }, data: { revokedAt: this.clock() } });
    return count > 0;
  }

  async current(identity: Identity): Promise<CalendarFeedRow | null> {
    const member = requirePermission(identity, 'domain:own:read');
    return this.db.calendarFeed.findFirst({ where: { organizationId: member.organizationId, userId: member.userId, revokedAt: null } });
  }

  /** The feed's iCalendar text, or null for an unknown or revoked token. */
  async render(token: string): Promise<string | null> {
    if (!TOKEN.test(token)) return null;
    const feed = await this.db.calendarFeed.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!feed || feed.revokedAt) return null;
    const now = this.clock();
    const [rows, blocks] = await Promise.all([
      this.events.allLive(this.db, feed.organizationId, feed.userId, MAX_FEED_EVENTS),
      this.blocks.active(this.db, feed.organizationId, feed.userId, new Date(now.getTime() - BLOCKS_BACK_DAYS * DAY), new Date(now.getTime() + BLOCKS_AHEAD_DAYS * DAY)),
    ]);
    const live = new Set(rows.map((r) => r.id));
    const events: IcsEvent[] = rows
      .filter((r) => !r.recurringEventId || live.has(r.recurringEventId))
      .map((r) => ({
        uid: `${r.recurringEventId ?? r.id}@flowforge`,
        summary: r.title,
        description: r.description,
        timezone: r.timezone,
        allDay: r.allDay,
        startsAt: r.startsAt,
        endsAt: r.endsAt,
        startDate: r.startDate,
        endDate: r.endDate,
        rrule: r.rrule,
        exdates: r.exdates,
        recurrenceId: r.originalStartsAt,
        busy: r.busy,
        sequence: r.sequence,
        updatedAt: r.updatedAt,
        createdAt: r.createdAt,
        attendees: attendeesOf(r),
      }));
    for (const block of blocks) {
      events.push({ uid: `focus-block-${block.id}@flowforge`, summary: 'Focus time', timezone: 'UTC', allDay: false, startsAt: block.startsAt, endsAt: block.endsAt, busy: true, sequence: 0, updatedAt: block.updatedAt, createdAt: block.createdAt, categories: 'FOCUS' });
    }
    await this.db.calendarFeed.update({ where: { id: feed.id }, data: { lastAccessedAt: now } });
    return renderCalendar({ name: 'FlowForge', events, now });
  }
}
