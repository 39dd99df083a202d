import type { Identity } from '@flowforge/auth';
import { badInput, requireMember, requirePermission, type Logger } from '@flowforge/runtime';
import { addDays, dayNumber, localDate, localDayBounds } from '@flowforge/time';
import { ANOMALY_WINDOW_DAYS, detectAnomalies } from '../domain/anomaly.js';
import type { FactRepository } from '../data/facts.js';
import type { SettingsRepository } from '../data/settings.js';
import { baselineWeek, meanQuality, statsByUser } from '../domain/focus-features.js';
import { explainForecast, hourlyForecast, preferredWindows, type FocusWindow, type HourForecast } from '../domain/forecast.js';
import { FOCUS_MODEL_NAME, predictWeek } from '../ml/focus-model.js';
import type { ModelRegistry } from './registry.js';
import { HISTORY_DAYS, observationsFrom } from './training.js';

export interface Provenance { source: 'MODEL' | 'BASELINE'; modelName: string; version: string | null; route: string | null; reason: string }

export interface FocusForecastResult {
  timezone: string;
  hours: HourForecast[];
  preferredWindows: FocusWindow[];
  explanation: string;
  basedOnSessions: number;
  provenance: Provenance;
}

/** Whose data the caller may read: their own, or (ADMIN/MANAGER) a member's, inside the active organization. */
export function readScope(identity: Identity, userId: string) {
  const member = requireMember(identity);
  requirePermission(identity, userId === member.userId ? 'focus:own:read' : 'focus:members:read');
  return { organizationId: member.organizationId, userId };
}

export class ForecastService {
  constructor(private readonly deps: { facts: FactRepository; settings: SettingsRepository; registry: ModelRegistry; log: Logger }) {}

  /** The weekly profile (168 values) of one user, from the serving model or the baseline, with its provenance. */
  async weeklyProfile(organizationId: string, userId: string, timeZone: string): Promise<{ week: number[]; sessions: number; provenance: Provenance }> {
    const { facts, settings, registry, log } = this.deps;
    const rows = await facts.forUser(organizationId, userId, new Date(Date.now() - HISTORY_DAYS * 86_400_000));
    const observations = observationsFrom(rows, new Map([[userId, timeZone]]));
    const stats = statsByUser(observations).get(userId);
    const baseline = (reason: string, globalMean = meanQuality(observations)) => ({
      week: baselineWeek(stats, globalMean), sessions: rows.length,
      provenance: { source: 'BASELINE' as const, modelName: FOCUS_MODEL_NAME, version: null, route: null, reason },
    });
    if (await settings.optedOut(userId)) return baseline('you opted out of insights: no model sees your data');
    const resolution = await registry.resolve(organizationId, userId, FOCUS_MODEL_NAME);
    if (!resolution.ok) return baseline(resolution.reason);
    const config = resolution.row.config as { globalMean?: number };
    const globalMean = typeof config.globalMean === 'number' ? config.globalMean : meanQuality(observations);
    try {
      const week = predictWeek(resolution.model, stats, globalMean);
      const metrics = resolution.row.performanceMetrics as { modelMae?: number; baselineMae?: number };
      return {
        week, sessions: rows.length,
        provenance: {
          source: 'MODEL', modelName: FOCUS_MODEL_NAME, version: resolution.row.version, route: resolution.route,
          reason: `cross-validated error ${metrics.modelMae} quality points vs ${metrics.baselineMae} for the baseline on held-out sessions${resolution.route === 'canary' ? '; you are in this version\'s canary group' : ''}`,
        },
      };
    } catch (error) {
      log({ level: 'warn', msg: 'focus-forecast inference failed; serving the baseline', version: resolution.row.version, error: (error as Error).message });
      return baseline(`${FOCUS_MODEL_NAME} ${resolution.row.version} failed at prediction time (${(error as Error).message.slice(0, 120)})`, globalMean);
    }
  }

  async forecast(identity: Identity, user: { id: string; timezone?: string }, from: Date, to: Date): Promise<FocusForecastResult> {
    const scope = readScope(identity, user.id);
    const timeZone = user.timezone ?? 'UTC';
    hourlyForecast(new Array(168).fill(0), from, to, timeZone); // validates the range before any I/O
    if (user.timezone) await this.deps.settings.rememberTimezone(user.id, user.timezone);
    const { week, sessions, provenance } = await this.weeklyProfile(scope.organizationId, scope.userId, timeZone);
    const windows = preferredWindows(week);
    return {
      timezone: timeZone,
      hours: hourlyForecast(week, from, to, timeZone),
      preferredWindows: windows,
      explanation: explainForecast({ week, windows, sessions, source: provenance.source, modelName: provenance.modelName, version: provenance.version, reason: provenance.reason }),
      basedOnSessions: sessions,
      provenance,
    };
  }
}

/** Anomalous days of a user's daily focus minutes (see domain/anomaly.ts). */
export async function productivityAnomalies(facts: FactRepository, identity: Identity, user: { id: string; timezone?: string }, from: string, to: string) {
  const scope = readScope(identity, user.id);
  const timeZone = user.timezone ?? 'UTC';
  const first = dayNumberOrThrow(from, 'from');
  const last = dayNumberOrThrow(to, 'to');
  if (last < first) throw badInput('to must not be before from.', 'to');
  if (last - first > 365) throw badInput('At most 366 days.', 'to');
  const start = addDays(from, -ANOMALY_WINDOW_DAYS);
  const rows = await facts.forUser(scope.organizationId, scope.userId, localDayBounds(start, timeZone).start);
  const minutes = new Map<string, number>();
  for (const row of rows) {
    const date = localDate(row.startedAt, timeZone);
    minutes.set(date, (minutes.get(date) ?? 0) + row.actualMinutes);
  }
  const days = [];
  for (let d = start; d <= to; d = addDays(d, 1)) days.push({ date: d, minutes: minutes.get(d) ?? 0 });
  // Days before the user's first session are not "normal zero days": start the series there.
  const firstSession = rows.length ? localDate(rows[0]!.startedAt, timeZone) : to;
  return detectAnomalies(days.filter((d) => d.date >= firstSession), from, to);
}

function dayNumberOrThrow(date: string, field: string): number {
  try {
    return dayNumber(date, field);
  } catch {
    throw badInput(`${field} must be a date like 2026-11-27.`, field);
  }
}
