// Burnout, note analysis, habit/goal forecasts, the assistant and break suggestions: domain rules,
// then against a real (in-memory PGlite) database through the event handlers. Sessions are
// SYNTHETIC (written here); notes come from data/notes-labelled.json (written by the team).
import { openDatabase } from '@flowforge/db';
import type { Identity } from '@flowforge/auth';
import type { EventEnvelope } from '@flowforge/events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { burnoutRisk, type BurnoutSession } from '../src/domain/burnout.js';
import { forecastGoal, forecastHabit } from '../src/domain/habit-goal-forecast.js';
import { parseQuestion } from '../src/domain/ask.js';
import { suggestBreak } from '../src/domain/breaks.js';
import { lexicon } from '../src/domain/text.js';
import { NoteClassifier, loadLabelledNotes, splitNotes } from '../src/ml/note-model.js';
import { initBackend } from '../src/ml/backend.js';
import { ActivityHandler, INSIGHT_CREATED } from '../src/events/activity.js';
import { AdviceService } from '../src/services/advice.js';
import { SettingsRepository } from '../src/data/settings.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-27T12:00:00Z');

/** Sessions over 12 weeks: `normal` weeks before the last 4, then the last 4 weeks as `recent` says. */
function history(recent: { perDay: number; hour: number; weekend: boolean; rating: number; notes: string | null; pauses: number }): BurnoutSession[] {
  const out: BurnoutSession[] = [];
  for (let d = 84; d >= 1; d--) {
    const day = new Date(NOW.getTime() - d * DAY);
    const weekend = [0, 6].includes(day.getUTCDay());
    const isRecent = d <= 28;
    if (weekend && !(isRecent && recent.weekend)) continue;
    const count = isRecent ? recent.perDay : 2;
    for (let i = 0; i < count; i++) {
      const hour = isRecent && i === count - 1 ? recent.hour : 9 + 2 * i;
      out.push({ sessionId: randomUUID(), startedAt: new Date(day.getTime() - 12 * 3_600_000 + hour * 3_600_000), actualMinutes: 50,
        rating: isRecent ? recent.rating : 4, sentiment: isRecent && recent.notes ? lexicon(recent.notes).score : null, pauses: isRecent ? recent.pauses : 1 });
    }
  }
  return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

beforeAll(async () => {
  await initBackend({}, () => undefined);
});

describe('burnout risk (documented heuristic)', () => {
  it('scores an overworking simulated user HIGH and rising, a steady one LOW, with every signal explained', () => {
    const steady = burnoutRisk(history({ perDay: 2, hour: 11, weekend: false, rating: 4, notes: null, pauses: 1 }), NOW, 'UTC');
    const over = burnoutRisk(history({ perDay: 4, hour: 21, weekend: true, rating: 2, notes: 'exhausted and stressed again', pauses: 0 }), NOW, 'UTC');
    expect(steady).toMatchObject({ level: 'LOW', trend: 'STABLE' });
    expect(steady.score).toBeLessThan(10);
    expect(over.level).toBe('HIGH');
    expect(over.trend).toBe('RISING');
    expect(over.score).toBeGreaterThan(80);
    const byName = Object.fromEntries(over.signals.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(['WEEKLY_FOCUS_HOURS', 'LATE_WORK', 'WEEKEND_WORK', 'FALLING_RATINGS', 'FEWER_BREAKS', 'NEGATIVE_NOTE_SENTIMENT']);
    expect(byName.WEEKLY_FOCUS_HOURS).toMatchObject({ value: 22.9, points: 25 });
    expect(byName.WEEKLY_FOCUS_HOURS!.baseline).toBeCloseTo(8.8, 1);
    expect(byName.FALLING_RATINGS).toMatchObject({ value: 2, baseline: 3.95, points: 15 });
    expect(byName.NEGATIVE_NOTE_SENTIMENT!.value).toBe(-1);
    expect(over.explanation).toMatch(/^Burnout risk high \(\d+(\.\d)?\/100\), mostly from weekly focus hours \(\+25\)/);
    expect(steady.signals.find((s) => s.name === 'NEGATIVE_NOTE_SENTIMENT')!.explanation).toMatch(/not used/);
  });

  it('says there is nothing to assess without recent sessions', () => {
    expect(burnoutRisk([], NOW, 'UTC')).toMatchObject({ score: 0, level: 'LOW', trend: 'UNKNOWN', recentSessions: 0 });
  });
});

describe('note analysis', () => {
  it('splits the labelled set reproducibly, evaluates the model against the lexicon and explains each answer', async () => {
    const { notes } = loadLabelledNotes();
    expect(notes.length).toBeGreaterThanOrEqual(200);
    const { train, test } = splitNotes(notes);
    expect(test.length).toBe(52);
    expect(new Set(test.map((n) => n.text)).size + new Set(train.map((n) => n.text)).size).toBe(notes.length);
    const classifier = new NoteClassifier(() => undefined, { epochs: 40 });
    const evaluation = (await classifier.evaluation())!;
    expect(evaluation.sentiment.baseline).toBeGreaterThan(0.8);
    expect(evaluation.sentiment.modelServes).toBe(evaluation.sentiment.model >= evaluation.sentiment.baseline);
    const a = await classifier.analyze('Stuck on the flaky deploy bug all evening, exhausted');
    expect(a).toMatchObject({ sentiment: 'negative', category: 'coding' });
    expect(a.sentimentScore).toBeLessThan(0);
    expect(a.explanation).toMatch(/Sentiment negative .*"stuck".*Category coding/);
    expect((await classifier.analyze('qwerty zxcv')).category).toBe('other');
  }, 20_000);

  it('falls back to the lexicon when the model fails to train', async () => {
    const broken = new NoteClassifier(() => undefined, { epochs: -1 });
    (broken as unknown as { trained: Promise<null> }).trained = Promise.resolve(null);
    const a = await broken.analyze('great meeting with the client');
    expect(a).toMatchObject({ sentiment: 'positive', category: 'meetings', source: 'BASELINE' });
  });
});

describe('habit and goal forecasts', () => {
  it('infers the schedule from check-ins and forecasts misses by weekday', () => {
    const checkIns = [];
    for (let d = 1; d <= 56; d++) {
      const date = new Date(NOW.getTime() - d * DAY).toISOString().slice(0, 10);
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (wd === 1 || (wd === 3 && d % 14 < 7) || wd === 5) checkIns.push({ habitId: 'h', date, completed: true });
    }
    const f = forecastHabit('h', checkIns, '2026-11-27', 7);
    expect(f.scheduledWeekdays).toEqual([1, 3, 5]);
    expect(f.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-02']);
    const wed = f.occurrences.find((o) => o.weekday === 3)!;
    const mon = f.occurrences.find((o) => o.weekday === 1)!;
    expect(wed.missProbability).toBeGreaterThan(mon.missProbability);
    expect(f.explanation).toMatch(/Inferred schedule: Mon, Wed, Fri .*Riskiest upcoming day: 2026-12-02 \(Wed\)/);
  });

  it('predicts goal achievement from the recent pace, with the straight-line baseline', () => {
    const goal = { id: 'g', title: 'Read 16 books', target: 16, startDate: '2026-09-01', deadline: '2026-12-31' };
    const steady = Array.from({ length: 12 }, (_, i) => ({ date: new Date(Date.UTC(2026, 8, 1) + (i + 1) * 7 * DAY).toISOString().slice(0, 10), value: i + 1 }));
    const good = forecastGoal(goal, steady, '2026-11-27');
    expect(good.progress).toBe(12);
    expect(good.probability).toBeGreaterThan(0.5);
    expect(good.projectedDate! <= '2026-12-31').toBe(true);
    const stalled = forecastGoal(goal, steady.slice(0, 6), '2026-11-27');
    expect(stalled.probability).toBeLessThan(0.05);
    expect(stalled.projectedDate).toBeNull();
    expect(stalled.explanation).toMatch(/chance of reaching it by 2026-12-31: \d+%.*Baseline/);
    expect(forecastGoal({ ...goal, target: 5 }, steady, '2026-11-27')).toMatchObject({ probability: 1, onTrack: true });
  });
});

describe('assistant templates and breaks', () => {
  it('parses the supported questions into structured queries and refuses others', () => {
    expect(parseQuestion('When was I most focused last week?', '2026-11-27')).toEqual({ metric: 'focus_minutes', range: { from: '2026-11-16', to: '2026-11-22', label: 'last week' }, groupBy: 'day' });
    expect(parseQuestion('How many focus minutes this month?', '2026-11-27')).toMatchObject({ metric: 'focus_minutes', range: { from: '2026-11-01', to: '2026-11-27' }, groupBy: null });
    expect(parseQuestion('What is my best time of day?', '2026-11-27')).toMatchObject({ metric: 'focus_quality', groupBy: 'hour' });
    expect(parseQuestion('Am I on track for my reading goal?', '2026-11-27')).toMatchObject({ metric: 'goal_progress', goal: 'reading' });
    expect(parseQuestion('What will the weather be tomorrow?', '2026-11-27')).toBeNull();
  });

  it('suggests a break from the user\'s sustainable block length', () => {
    const now = new Date('2026-11-27T09:00:00Z');
    expect(suggestBreak({ now, plannedMinutes: 90, focusedSoFar: 0, todayMinutes: 0, history: [] })).toMatchObject({ sustainableMinutes: 50, breakMinutes: 10, breakAt: new Date('2026-11-27T09:50:00Z') });
    const history = [25, 30, 30, 35, 90, 90].map((m, i) => ({ actualMinutes: m, quality: i < 4 ? 80 : 20 }));
    const s = suggestBreak({ now, plannedMinutes: 60, focusedSoFar: 10, todayMinutes: 200, history });
    expect(s).toMatchObject({ sustainableMinutes: 30, breakMinutes: 10, breakAt: new Date('2026-11-27T09:20:00Z') });
    expect(s.explanation).toMatch(/longer because you already focused 3 hours/);
  });
});

describe('against the database, through the event handlers', () => {
  const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
  const ORG = randomUUID();
  const me = randomUUID();
  const published: EventEnvelope[] = [];
  let db: PrismaClient;
  let close: () => Promise<void>;
  let advice: AdviceService;
  let handler: ActivityHandler;
  const identity = (userId: string, role = 'USER'): Identity => ({ userId, organizationId: ORG, workspaceId: null, role, sessionId: null } as Identity);
  const envelope = (type: string, data: Record<string, unknown>, time = NOW.toISOString()): EventEnvelope => ({
    specversion: '1.0', id: randomUUID(), source: `/flowforge/${type.split('.')[1]}`, type, time, subject: 'x', datacontenttype: 'application/json', tenant: ORG, schemaversion: 1, data,
  } as EventEnvelope);

  beforeAll(async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrationsDir: MIGRATIONS });
    db = new PrismaClient({ adapter: database.adapter });
    close = async () => { await db.$disconnect(); await database.close(); };
    advice = new AdviceService({ db, settings: new SettingsRepository(db), notes: new NoteClassifier(() => undefined, { epochs: 20 }), now: () => NOW });
    handler = new ActivityHandler(async (_tx, events) => { published.push(...events); }, () => NOW);
  }, 30_000);
  afterAll(() => close());

  it('writes a break suggestion insight and publishes insight.created as the gateway expects', async () => {
    const sessionId = randomUUID();
    const data = { sessionId, userId: me, organizationId: ORG, state: 'ACTIVE', plannedMinutes: 45, actualMinutes: 0, startedAt: NOW.toISOString(), endedAt: null };
    await db.$transaction((tx) => handler.handleFocus(envelope('flowforge.focus.session.started', data), tx));
    await db.$transaction((tx) => handler.handleFocus(envelope('flowforge.focus.session.paused', { ...data, state: 'PAUSED', actualMinutes: 20 }), tx));
    await db.$transaction((tx) => handler.handleFocus(envelope('flowforge.focus.session.resumed', { ...data, actualMinutes: 20 }), tx));
    expect(await db.focusSessionActivity.findUnique({ where: { sessionId } })).toMatchObject({ state: 'ACTIVE', pauses: 1, focusedMinutes: 20 });
    expect(published.map((e) => e.type)).toEqual([INSIGHT_CREATED, INSIGHT_CREATED]);
    const event = published[1]!;
    expect(event).toMatchObject({ source: '/flowforge/insights', tenant: ORG, data: { userId: me, organizationId: ORG, kind: 'BREAK_SUGGESTION' } });
    const insights = await advice.insights(identity(me), { id: me }, 10);
    expect(insights).toHaveLength(2);
    expect(insights.map((i) => i.id)).toContain((event.data as { insightId: string }).insightId);
    expect(insights.find((i) => (i.data as { trigger: string }).trigger === 'resumed')).toMatchObject({ title: 'Break in 25 minutes for 10 minutes', sessionId });
    expect(await advice.insight(identity(randomUUID()), insights[0]!.id)).toBeNull(); // someone else's
    await expect(advice.insights(identity(randomUUID()), { id: me }, 10)).rejects.toThrow(/Only your own/);
  });

  it('projects habit check-ins (and undos) and goal progress, and forecasts from them', async () => {
    const habitId = randomUUID();
    const goalId = randomUUID();
    for (let d = 1; d <= 28; d++) {
      const date = new Date(NOW.getTime() - d * DAY).toISOString().slice(0, 10);
      await db.$transaction((tx) => handler.handleHabits(envelope('flowforge.habits.habit.checked_in', { checkInId: randomUUID(), habitId, userId: me, organizationId: ORG, date, value: 1, targetValue: 1, completed: true }), tx));
    }
    await db.$transaction((tx) => handler.handleHabits(envelope('flowforge.habits.habit.check_in_undone', { checkInId: randomUUID(), habitId, userId: me, organizationId: ORG, date: '2026-11-26' }), tx));
    for (let i = 1; i <= 8; i++) {
      await db.$transaction((tx) => handler.handleHabits(envelope('flowforge.habits.goal.progress_changed', { goalId, userId: me, organizationId: ORG, metric: 'MANUAL', previous: i - 1, value: i, target: 10, status: 'ON_TRACK' }, new Date(NOW.getTime() - (40 - 5 * i) * DAY).toISOString()), tx));
    }
    const habits = await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 7);
    expect(habits).toHaveLength(1);
    expect(habits[0]).toMatchObject({ habitId, basedOnCheckIns: 27, scheduledWeekdays: [1, 2, 3, 4, 5, 6, 7] });
    expect(habits[0]!.occurrences).toHaveLength(7);
    const goals = await advice.goalForecasts(identity(me), { id: me, timezone: 'UTC', goals: [{ id: goalId, title: 'Reading', target: 10, startDate: '2026-10-01', deadline: '2026-12-31' }] });
    expect(goals[0]).toMatchObject({ goalId, progress: 8, onTrack: true, goal: { id: goalId } });
    const ask = await advice.ask(identity(me), { id: me, timezone: 'UTC', goals: [{ id: goalId, title: 'Reading', target: 10, startDate: '2026-10-01', deadline: '2026-12-31' }] }, 'Am I on track for my reading goal?');
    expect(ask).toMatchObject({ understood: true, query: { metric: 'goal_progress', goalId } });
    expect(ask.answer).toMatch(/^Yes, you are on track for "Reading"/);
  });

  it('burnout for one user, the assistant over focus facts, and the organization view only with >= 5 people', async () => {
    const users = Array.from({ length: 5 }, () => randomUUID());
    const rows = users.flatMap((userId, u) => history({ perDay: u === 0 ? 4 : 2, hour: u === 0 ? 21 : 11, weekend: u === 0, rating: u === 0 ? 2 : 4, notes: u === 0 ? 'stuck and exhausted' : null, pauses: 1 })
      .map((s) => ({ sessionId: s.sessionId, organizationId: ORG, userId, startedAt: s.startedAt, endedAt: null, plannedMinutes: 50, actualMinutes: s.actualMinutes, rating: s.rating, notes: u === 0 && s.sentiment !== null ? 'stuck and exhausted' : null, source: 'demo' })));
    await db.focusSessionFact.createMany({ data: rows });
    const mine = await advice.burnout(identity(users[0]!), { id: users[0]!, timezone: 'UTC' });
    expect(mine.level).toBe('HIGH');
    expect(mine.signals.find((s) => s.name === 'NEGATIVE_NOTE_SENTIMENT')!.points).toBeGreaterThan(0);
    await expect(advice.burnout(identity(users[1]!, 'MANAGER'), { id: users[0]!, timezone: 'UTC' })).rejects.toThrow(/Only your own/);

    const manager = identity(randomUUID(), 'MANAGER');
    const full = await advice.organizationSummary(manager);
    expect(full).toMatchObject({ available: true, people: 5, minimumPeople: 5 });
    expect(full.levels).toEqual([{ level: 'LOW', people: 4 }, { level: 'MODERATE', people: 0 }, { level: 'HIGH', people: 1 }]);
    await new SettingsRepository(db).setOptOut(users[4]!, true);
    const four = await advice.organizationSummary(manager);
    expect(four).toMatchObject({ available: false, people: 4, averageScore: null, levels: [] });
    expect(four.explanation).toMatch(/^Not enough people to show a group view without exposing individuals/);
    await expect(advice.organizationSummary(identity(users[1]!))).rejects.toThrow();

    const minutes = await advice.ask(identity(users[1]!), { id: users[1]!, timezone: 'UTC' }, 'How many focus minutes this month?');
    expect(minutes).toMatchObject({ understood: true, query: { metric: 'focus_minutes', range: { from: '2026-11-01', to: '2026-11-27' } } });
    expect(minutes.answer).toMatch(/^You focused \d+ minutes/);
    const best = await advice.ask(identity(users[1]!), { id: users[1]!, timezone: 'UTC' }, 'When was I most focused last week?');
    expect(best.answer).toMatch(/^You were most focused on \w+ 2026-11-(16|17|18|19|20)/);
    const unknown = await advice.ask(identity(users[1]!), { id: users[1]!, timezone: 'UTC' }, 'Tell me a joke');
    expect(unknown).toMatchObject({ understood: false, query: null });
    expect(unknown.answer).toMatch(/don't know/);
  });
});
