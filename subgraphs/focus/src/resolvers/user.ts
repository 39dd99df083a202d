import type { Identity } from '@flowforge/auth';
import { requireMember, requirePermission } from '@flowforge/runtime';
import { addDays, localDate, localDayBounds } from '@flowforge/time';
import { dailyStats, focusStreak, weeklyStats } from '../domain/stats.js';
import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key, plus `timezone` when a field @requires it. */
export interface UserReference {
  id: string;
  timezone?: string;
}

/** Whose sessions the caller may read: their own, or (ADMIN/MANAGER) a member's, always inside the active organization. */
export function readScope(identity: Identity, userId: string) {
  const member = requireMember(identity);
  requirePermission(identity, userId === member.userId ? 'focus:own:read' : 'focus:members:read');
  return { organizationId: member.organizationId, userId };
}

const STREAK_LOOKBACK_DAYS = 366;

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,

  focusSessions(user, { first, after, from, to }, { identity, sessions }) {
    const scope = readScope(identity, user.id);
    return sessions.page(scope.organizationId, scope.userId, { first: first ?? 20, after, from: from ? new Date(from) : null, to: to ? new Date(to) : null });
  },

  async focusStats(user, { from, to }, { identity, sessions }) {
    const scope = readScope(identity, user.id);
    const timeZone = user.timezone ?? 'UTC';
    const today = localDate(new Date(), timeZone);
    // Validates from/to (format, order, length) before touching the database.
    dailyStats([], { timeZone, from, to });
    const earliest = [from, addDays(today, -STREAK_LOOKBACK_DAYS)].sort()[0]!;
    const latest = [to, today].sort().at(-1)!;
    const rows = await sessions.completedBetween(scope.organizationId, scope.userId, localDayBounds(earliest, timeZone).start, localDayBounds(latest, timeZone).end);
    const range = { timeZone, from, to };
    const days = dailyStats(rows, range);
    const inRange = days.filter((day) => day.sessions > 0);
    const rated = rows.filter((row) => row.rating !== null && localDate(row.startedAt, timeZone) >= from && localDate(row.startedAt, timeZone) <= to);
    const streak = focusStreak(rows, { timeZone, today });
    return {
      timezone: timeZone,
      days,
      weeks: weeklyStats(rows, range),
      totalMinutes: Math.round(inRange.reduce((sum, day) => sum + day.focusMinutes, 0) * 10) / 10,
      sessions: inRange.reduce((sum, day) => sum + day.sessions, 0),
      averageRating: rated.length ? Math.round((rated.reduce((sum, row) => sum + (row.rating ?? 0), 0) / rated.length) * 100) / 100 : null,
      currentStreak: streak.current,
      longestStreak: streak.longest,
    };
  },
};
