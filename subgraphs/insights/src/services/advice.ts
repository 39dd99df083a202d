import type { Identity } from '@flowforge/auth';
import { badInput, forbidden, requireMember, requirePermission } from '@flowforge/runtime';
import { addDays, localDate, localDayBounds, localMinutesOfDay } from '@flowforge/time';
import { ASK_HELP, parseQuestion, type AskQuery } from '../domain/ask.js';
import { burnoutRisk, MIN_GROUP, summarizeBurnout, tooFewPeople, type BurnoutGroupSummary, type BurnoutResult, type BurnoutSession } from '../domain/burnout.js';
import { sessionQuality } from '../domain/focus-features.js';
import { forecastGoal, forecastHabit, HISTORY_DAYS as HABIT_HISTORY_DAYS, type GoalInfo } from '../domain/habit-goal-forecast.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { NoteClassifier } from '../ml/note-model.js';
import type { SettingsRepository } from '../data/settings.js';

const DAY = 86_400_000;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Only the caller's own data: these views are personal (burnout, forecasts, the assistant). */
function own(identity: Identity, userId: string) {
  const member = requirePermission(identity, 'focus:own:read');
  if (member.userId !== userId) throw forbidden('Only your own insights: burnout risk, forecasts, the assistant and insights are personal.');
  return member;
}

/** A team as insights sees it: its key and, from orgs (@requires), its organization and members' user ids. */
export interface TeamMembers { id: string; organizationId: string; memberUserIds: readonly string[] }

export interface UserWithGoals { id: string; timezone?: string; goals?: (GoalInfo | null)[] | null }

/** Burnout, habit/goal forecasts, the assistant and the insights list (see the domain files for the methods). */
export class AdviceService {
  constructor(private readonly deps: { db: PrismaClient; settings: SettingsRepository; notes: NoteClassifier; now?: () => Date }) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** A user's sessions of the last 112 days with pauses and note sentiment, for burnout. */
  private async burnoutSessions(organizationId: string, userIds: readonly string[]): Promise<Map<string, BurnoutSession[]>> {
    const { db, notes } = this.deps;
    const since = new Date(this.now().getTime() - 112 * DAY);
    const rows = await db.focusSessionFact.findMany({ where: { organizationId, userId: { in: [...userIds] }, startedAt: { gte: since } }, orderBy: { startedAt: 'asc' } });
    const activity = await db.focusSessionActivity.findMany({ where: { sessionId: { in: rows.map((r) => r.sessionId) } }, select: { sessionId: true, pauses: true } });
    const pauses = new Map(activity.map((a) => [a.sessionId, a.pauses]));
    const withNotes = rows.filter((r) => r.notes && r.notes.trim().length > 0);
    const analyses = await notes.analyzeMany(withNotes.map((r) => r.notes!));
    const sentiment = new Map(withNotes.map((r, i) => [r.sessionId, analyses[i]!.sentimentScore]));
    const out = new Map<string, BurnoutSession[]>();
    for (const r of rows) {
      const list = out.get(r.userId) ?? [];
      list.push({ sessionId: r.sessionId, startedAt: r.startedAt, actualMinutes: r.actualMinutes, rating: r.rating, sentiment: sentiment.get(r.sessionId) ?? null, pauses: pauses.get(r.sessionId) ?? null });
      out.set(r.userId, list);
    }
    return out;
  }

  async burnout(identity: Identity, user: { id: string; timezone?: string }): Promise<BurnoutResult> {
    const member = own(identity, user.id);
    const sessions = (await this.burnoutSessions(member.organizationId, [user.id])).get(user.id) ?? [];
    return burnoutRisk(sessions, this.now(), user.timezone ?? 'UTC');
  }

  /** ADMIN/MANAGER: the organization's aggregate, only when >= 5 people (not opted out) contribute. */
  async organizationSummary(identity: Identity): Promise<BurnoutGroupSummary> {
    const member = requirePermission(identity, 'focus:members:read');
    return this.burnoutSummary(member.organizationId, null, 'members');
  }

  /**
   * ADMIN/MANAGER of the team's organization, while it is the active one: the aggregate over the
   * team's members (user ids from orgs, through the gateway's @requires), with the same rules.
   */
  async teamSummary(identity: Identity, team: TeamMembers): Promise<BurnoutGroupSummary> {
    const member = requirePermission(identity, 'focus:members:read');
    if (team.organizationId !== member.organizationId) throw forbidden('That team belongs to another organization: switch to it (switchOrganization) to see its burnout risk.');
    return this.burnoutSummary(member.organizationId, team.memberUserIds, 'team members');
  }

  /**
   * The group view over a set of people: those of `userIds` (null: anyone) with 3 or more focus
   * sessions in the organization in the last 4 weeks who did not opt out; numbers only when at
   * least MIN_GROUP of them contribute (see summarizeBurnout). Callers check permissions.
   */
  async burnoutSummary(organizationId: string, userIds: readonly string[] | null, who = 'members'): Promise<BurnoutGroupSummary> {
    const { db, settings } = this.deps;
    if (userIds !== null && userIds.length === 0) return tooFewPeople(0, who);
    const since = new Date(this.now().getTime() - 28 * DAY);
    const recent = await db.focusSessionFact.findMany({ where: { organizationId, startedAt: { gte: since }, ...(userIds === null ? {} : { userId: { in: [...new Set(userIds)] } }) }, select: { userId: true } });
    const counts = new Map<string, number>();
    for (const r of recent) counts.set(r.userId, (counts.get(r.userId) ?? 0) + 1);
    const optedOut = await settings.optedOutAmong([...counts.keys()]);
    const people = [...counts.entries()].filter(([id, n]) => n >= 3 && !optedOut.has(id)).map(([id]) => id);
    // Below the minimum, no one's sessions are even read.
    if (people.length < MIN_GROUP) return tooFewPeople(people.length, who);
    const timezones = await settings.timezones(people);
    const sessions = await this.burnoutSessions(organizationId, people);
    return summarizeBurnout(people.map((id) => burnoutRisk(sessions.get(id) ?? [], this.now(), timezones.get(id) ?? 'UTC')), who);
  }

  /**
   * One forecast per habit with a schedule fact (not archived) or check-ins in the last 12 weeks: from
   * the projected schedule when there is one, else from the schedule inferred from the check-ins.
   */
  async habitForecast(identity: Identity, user: { id: string; timezone?: string }, days: number) {
    const member = own(identity, user.id);
    if (!Number.isInteger(days) || days < 1 || days > 31) throw badInput('days must be a whole number between 1 and 31.', 'days');
    const today = localDate(this.now(), user.timezone ?? 'UTC');
    const scope = { organizationId: member.organizationId, userId: user.id };
    const [rows, schedules] = await Promise.all([
      this.deps.db.habitCheckInFact.findMany({ where: { ...scope, date: { gte: addDays(today, -HABIT_HISTORY_DAYS) } }, orderBy: { date: 'asc' } }),
      this.deps.db.habitScheduleFact.findMany({ where: scope, orderBy: { habitId: 'asc' } }),
    ]);
    const scheduleOf = new Map(schedules.map((s) => [s.habitId, s]));
    const byHabit = new Map<string, typeof rows>(schedules.filter((s) => !s.archived).map((s) => [s.habitId, []]));
    for (const r of rows) {
      if (scheduleOf.get(r.habitId)?.archived) continue; // archived: nothing upcoming
      byHabit.set(r.habitId, [...(byHabit.get(r.habitId) ?? []), r]);
    }
    return [...byHabit.entries()].map(([habitId, list]) => ({ ...forecastHabit(habitId, list, today, days, scheduleOf.get(habitId) ?? null), habit: { id: habitId } }));
  }

  private async goalHistory(organizationId: string, userId: string, goalIds: string[], timeZone: string) {
    const rows = await this.deps.db.goalProgressFact.findMany({ where: { organizationId, userId, goalId: { in: goalIds } }, orderBy: { recordedAt: 'asc' } });
    const out = new Map<string, { date: string; value: number }[]>();
    for (const r of rows) out.set(r.goalId, [...(out.get(r.goalId) ?? []), { date: localDate(r.recordedAt, timeZone), value: r.value }]);
    return out;
  }

  async goalForecasts(identity: Identity, user: UserWithGoals) {
    const member = own(identity, user.id);
    const timeZone = user.timezone ?? 'UTC';
    const goals = (user.goals ?? []).filter((g): g is GoalInfo => g !== null);
    const today = localDate(this.now(), timeZone);
    const history = await this.goalHistory(member.organizationId, user.id, goals.map((g) => g.id), timeZone);
    return goals.map((g) => ({ ...forecastGoal(g, history.get(g.id) ?? [], today), goal: { id: g.id } }));
  }

  async insights(identity: Identity, user: { id: string }, first: number) {
    const member = own(identity, user.id);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first must be a whole number between 1 and 100.', 'first');
    return this.deps.db.insight.findMany({ where: { organizationId: member.organizationId, OR: [{ userId: user.id }, { userId: null }] }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first });
  }

  async insight(identity: Identity, id: string) {
    const member = requireMember(identity);
    const row = await this.deps.db.insight.findFirst({ where: { id, organizationId: member.organizationId } });
    return row && (row.userId === null || row.userId === member.userId) ? row : null;
  }

  async ask(identity: Identity, user: UserWithGoals, question: string) {
    const member = own(identity, user.id);
    if (question.length > 300) throw badInput('question can have at most 300 characters.', 'question');
    const timeZone = user.timezone ?? 'UTC';
    const today = localDate(this.now(), timeZone);
    const query = parseQuestion(question, today);
    const notUnderstood = { answer: `Sorry, I don't know how to answer that. ${ASK_HELP}`, numbers: [], query: null, understood: false };
    if (!query) return notUnderstood;
    if (query.metric === 'goal_progress') return this.askGoal(member.organizationId, user, query, today);
    const rows = await this.deps.db.focusSessionFact.findMany({
      where: { organizationId: member.organizationId, userId: user.id, startedAt: { gte: localDayBounds(query.range.from, timeZone).start, lt: localDayBounds(query.range.to, timeZone).end } },
    });
    const json = { ...query, timezone: timeZone, sessions: rows.length };
    const span = `${query.range.label} (${query.range.from} to ${query.range.to})`;
    if (rows.length === 0) return { answer: `I have no focus sessions of yours for ${span}, so I can't say.`, numbers: [], query: json, understood: true };
    if (query.groupBy === null) {
      const minutes = rows.reduce((s, r) => s + r.actualMinutes, 0);
      return { answer: `You focused ${Math.round(minutes)} minutes (${r1(minutes / 60)} hours) in ${rows.length} sessions ${span}.`, numbers: [{ label: 'focus minutes', value: r1(minutes), unit: 'minutes' }, { label: 'sessions', value: rows.length, unit: 'sessions' }], query: json, understood: true };
    }
    if (query.groupBy === 'day') {
      const days = new Map<string, { minutes: number; n: number }>();
      for (const r of rows) { const d = localDate(r.startedAt, timeZone); const e = days.get(d) ?? { minutes: 0, n: 0 }; e.minutes += r.actualMinutes; e.n++; days.set(d, e); }
      const ranked = [...days.entries()].sort((a, b) => b[1].minutes - a[1].minutes);
      const [date, best] = ranked[0]!;
      const weekday = WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
      return { answer: `You were most focused on ${weekday} ${date}: ${Math.round(best.minutes)} focus minutes in ${best.n} sessions, the most of any day ${span}.`, numbers: ranked.slice(0, 7).map(([d, e]) => ({ label: d, value: r1(e.minutes), unit: 'minutes' })), query: json, understood: true };
    }
    const hours = new Map<number, number[]>();
    for (const r of rows) { const h = Math.floor(localMinutesOfDay(r.startedAt, timeZone) / 60); hours.set(h, [...(hours.get(h) ?? []), sessionQuality(r)]); }
    const ranked = [...hours.entries()].filter(([, q]) => q.length >= 2).map(([h, q]) => ({ h, quality: q.reduce((a, b) => a + b, 0) / q.length, n: q.length })).sort((a, b) => b.quality - a.quality);
    if (ranked.length === 0) return { answer: `You need at least two sessions starting in the same hour ${span} before I can name your best time of day.`, numbers: [], query: json, understood: true };
    const best = ranked[0]!;
    const pad = (h: number) => String(h).padStart(2, '0');
    return {
      answer: `Your best time of day is ${pad(best.h)}:00-${pad(best.h + 1)}:00: sessions starting then averaged ${r1(best.quality)}/100 focus quality (${best.n} sessions, ${span}; quality combines rating, completion and interruptions).`,
      numbers: ranked.slice(0, 5).map((x) => ({ label: `${pad(x.h)}:00`, value: r1(x.quality), unit: 'quality (0-100)' })), query: json, understood: true,
    };
  }

  private async askGoal(organizationId: string, user: UserWithGoals, query: AskQuery, today: string) {
    const goals = (user.goals ?? []).filter((g): g is GoalInfo => g !== null);
    const words = query.goal!.split(/\s+/).filter((w) => w.length > 2);
    const match = goals.find((g) => words.some((w) => g.title.toLowerCase().includes(w.replace(/ing$/, ''))));
    const json = { ...query, goals: goals.length };
    if (!match) return { answer: goals.length ? `I could not find a goal matching "${query.goal}" among your goals (${goals.map((g) => g.title).join(', ')}).` : 'You have no goals in this organization yet.', numbers: [], query: json, understood: true };
    const history = (await this.goalHistory(organizationId, user.id, [match.id], user.timezone ?? 'UTC')).get(match.id) ?? [];
    const f = forecastGoal(match, history, today);
    return {
      answer: `${f.onTrack ? 'Yes, you are on track' : 'Not quite on track'} for "${match.title}". ${f.explanation}`,
      numbers: [{ label: 'progress', value: f.progress, unit: 'goal units' }, { label: 'target', value: f.target, unit: 'goal units' }, { label: 'probability by deadline', value: f.probability, unit: 'probability' }],
      query: { ...json, goalId: match.id }, understood: true,
    };
  }
}
