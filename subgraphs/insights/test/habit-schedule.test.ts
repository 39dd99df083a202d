// The habit break forecast from the habit's real schedule: the domain rules, then against a real
// (in-memory PGlite) database through the habits event handler (schedule projection into
// habit_schedule_facts), including old checked_in events without a schedule (inferred fallback).
import { openDatabase } from '@flowforge/db';
import type { Identity } from '@flowforge/auth';
import type { EventEnvelope } from '@flowforge/events';
import { addDays } from '@flowforge/time';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { forecastHabit, type CheckInFact } from '../src/domain/habit-goal-forecast.js';
import { ActivityHandler } from '../src/events/activity.js';
import { MalformedEventError } from '../src/events/focus-facts.js';
import { AdviceService } from '../src/services/advice.js';
import { SettingsRepository } from '../src/data/settings.js';
import { NoteClassifier } from '../src/ml/note-model.js';

const NOW = new Date('2026-11-27T12:00:00Z'); // a Friday
const TODAY = '2026-11-27';
const WEEKDAYS = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
const MWF = 'FREQ=WEEKLY;BYDAY=MO,WE,FR';
const schedule = (rrule: string, extra: Partial<{ timesPerWeek: number | null; startDate: string; timezone: string }> = {}) => ({ rrule, timesPerWeek: null, startDate: '2026-09-01', timezone: 'Europe/Berlin', ...extra });

/** Completed check-ins on the days of the last `weeks` weeks whose ISO weekday is in `weekdays`. */
function checkInsOn(weekdays: number[], weeks = 12): CheckInFact[] {
  const out: CheckInFact[] = [];
  for (let d = weeks * 7; d >= 1; d--) {
    const date = addDays(TODAY, -d);
    const iso = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
    if (weekdays.includes(iso)) out.push({ habitId: 'h', date, completed: true });
  }
  return out;
}

describe('habit forecast from the schedule', () => {
  it('lists exactly the weekday occurrences of a weekday habit, not the days the check-ins suggest', () => {
    // Only ever done on Mondays and Wednesdays: inference would say "Mon, Wed".
    const checkIns = checkInsOn([1, 3]);
    expect(forecastHabit('h', checkIns, TODAY, 7).scheduledWeekdays).toEqual([1, 3]);
    const f = forecastHabit('h', checkIns, TODAY, 7, schedule(WEEKDAYS));
    expect(f.scheduleSource).toBe('SCHEDULE');
    expect(f.scheduledWeekdays).toEqual([1, 2, 3, 4, 5]);
    expect(f.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']);
    const p = Object.fromEntries(f.occurrences.map((o) => [o.weekday, o.missProbability]));
    expect(p[1]).toBeLessThan(0.2); // always done on Mondays
    expect(p[5]).toBeGreaterThan(0.8); // never on Fridays
    expect(f.explanation).toMatch(/^Schedule from the habit: every weekday \(FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR, from 2026-09-01, time zone Europe\/Berlin\); 5 scheduled occurrences from 2026-11-27 to 2026-12-03\. Riskiest upcoming day: 2026-1\d-\d\d \((Tue|Thu|Fri)\), 8\d% chance/);
    expect(f.explanation).toMatch(/Overall you miss about 60% of your 60 scheduled days since 2026-09-04 \(the baseline\)\.$/);
    expect(f.explanation).not.toMatch(/Inferred/);
  });

  it('lists exactly MO, WE, FR for a Monday-Wednesday-Friday habit checked in every day', () => {
    const checkIns = checkInsOn([1, 2, 3, 4, 5, 6, 7]);
    expect(forecastHabit('h', checkIns, TODAY, 14).occurrences).toHaveLength(14); // inferred: daily
    const f = forecastHabit('h', checkIns, TODAY, 14, schedule(MWF));
    expect(f.scheduledWeekdays).toEqual([1, 3, 5]);
    expect(f.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-02', '2026-12-04', '2026-12-07', '2026-12-09']);
    expect(f.baselineMissProbability).toBeLessThan(0.05);
    expect(f.explanation).toMatch(/^Schedule from the habit: every week on Monday, Wednesday, Friday \(FREQ=WEEKLY;BYDAY=MO,WE,FR/);
  });

  it('respects the start date, UNTIL and no check-ins at all (50% prior)', () => {
    const f = forecastHabit('h', [], TODAY, 7, schedule('FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261201', { startDate: '2026-11-30' }));
    expect(f.occurrences).toEqual([{ date: '2026-11-30', weekday: 1, missProbability: 0.5 }]);
    expect(f.explanation).toMatch(/1 scheduled occurrence from .* each occurrence gets the 50% prior\.$/);
  });

  it('"N times a week" habits: the rule fixes the active weeks, the days are inferred inside them', () => {
    const f = forecastHabit('h', checkInsOn([2, 4]), TODAY, 7, schedule('FREQ=WEEKLY;UNTIL=20261129', { timesPerWeek: 2 }));
    expect(f.scheduleSource).toBe('SCHEDULE');
    expect(f.scheduledWeekdays).toEqual([2, 4]);
    expect(f.occurrences).toEqual([]); // the week after UNTIL is not active; Tue/Thu of this week are past
    expect(f.explanation).toMatch(/2 times a week.*inferred from your check-ins: Tue, Thu/);
  });

  it('falls back to the inferred schedule without a schedule fact, and says so', () => {
    const f = forecastHabit('h', checkInsOn([1, 3, 5]), TODAY, 7, null);
    expect(f.scheduleSource).toBe('INFERRED');
    expect(f.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-02']);
    expect(f.explanation).toMatch(/^Inferred schedule: Mon, Wed, Fri .*no schedule has been received for this habit/);
  });
});

describe('schedule projection through the habits event handler', () => {
  const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
  const ORG = randomUUID();
  let db: PrismaClient;
  let close: () => Promise<void>;
  let advice: AdviceService;
  let handler: ActivityHandler;
  const identity = (userId: string): Identity => ({ userId, organizationId: ORG, workspaceId: null, role: 'USER', sessionId: null } as Identity);
  const envelope = (type: string, data: Record<string, unknown>, time = NOW.toISOString()): EventEnvelope => ({
    specversion: '1.0', id: randomUUID(), source: '/flowforge/habits', type, time, subject: String(data.habitId), datacontenttype: 'application/json', tenant: ORG, schemaversion: 1, data,
  } as EventEnvelope);
  const apply = (event: EventEnvelope) => db.$transaction((tx) => handler.handleHabits(event, tx));
  const habitData = (habitId: string, userId: string, rrule: string, extra: Record<string, unknown> = {}) => ({
    habitId, userId, organizationId: ORG, title: 'Stretch', schedule: schedule(rrule), targetType: 'COUNT', targetValue: 1, reminderTime: null, archived: false, ...extra,
  });
  const checkIn = (habitId: string, userId: string, date: string, withSchedule?: ReturnType<typeof schedule>) => ({
    checkInId: randomUUID(), habitId, userId, organizationId: ORG, date, value: 1, targetValue: 1, completed: true, ...(withSchedule && { schedule: withSchedule }),
  });
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

  beforeAll(async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrationsDir: MIGRATIONS });
    db = new PrismaClient({ adapter: database.adapter });
    close = async () => { await db.$disconnect(); await database.close(); };
    advice = new AdviceService({ db, settings: new SettingsRepository(db), notes: new NoteClassifier(() => undefined, { epochs: 1 }), now: () => NOW });
    handler = new ActivityHandler(async () => undefined, () => NOW);
  }, 30_000);
  afterAll(() => close());

  it('projects created / updated / archived, newest event wins, and the forecast follows the schedule', async () => {
    const me = randomUUID();
    const habitId = randomUUID();
    await apply(envelope('flowforge.habits.habit.created', habitData(habitId, me, WEEKDAYS), hoursAgo(10)));
    for (const c of checkInsOn([1, 3])) await apply(envelope('flowforge.habits.habit.checked_in', checkIn(habitId, me, c.date, schedule(WEEKDAYS)), hoursAgo(9)));
    expect(await db.habitScheduleFact.findUnique({ where: { habitId } })).toMatchObject({ userId: me, title: 'Stretch', rrule: WEEKDAYS, timesPerWeek: null, startDate: '2026-09-01', timezone: 'Europe/Berlin', targetType: 'COUNT', archived: false });
    let [f] = await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 7);
    expect(f).toMatchObject({ habitId, habit: { id: habitId }, scheduleSource: 'SCHEDULE', scheduledWeekdays: [1, 2, 3, 4, 5], basedOnCheckIns: 24 });
    expect(f!.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']);

    await apply(envelope('flowforge.habits.habit.updated', habitData(habitId, me, 'rrule:freq=weekly;byday=mo,we,fr', { title: 'Stretch more' }), hoursAgo(2)));
    // An older event delivered late (e.g. a redelivered check-in) never overwrites the newer schedule.
    await apply(envelope('flowforge.habits.habit.checked_in', checkIn(habitId, me, '2026-11-20', schedule(WEEKDAYS)), hoursAgo(5)));
    expect(await db.habitScheduleFact.findUnique({ where: { habitId } })).toMatchObject({ rrule: MWF, title: 'Stretch more' });
    [f] = await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 7);
    expect(f!.occurrences.map((o) => o.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-02']);
    expect(f!.explanation).toMatch(/^Schedule from the habit: every week on Monday, Wednesday, Friday/);

    await apply(envelope('flowforge.habits.habit.archived', habitData(habitId, me, MWF, { archived: true }), hoursAgo(1)));
    expect(await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 7)).toEqual([]);
  });

  it('learns the schedule from checked_in alone (a consumer that started late) and forecasts a habit without check-ins', async () => {
    const me = randomUUID();
    const late = randomUUID();
    const fresh = randomUUID();
    await apply(envelope('flowforge.habits.habit.checked_in', checkIn(late, me, '2026-11-25', schedule(MWF))));
    expect(await db.habitScheduleFact.findUnique({ where: { habitId: late } })).toMatchObject({ rrule: MWF, title: null, targetType: null, archived: false });
    await apply(envelope('flowforge.habits.habit.created', habitData(fresh, me, WEEKDAYS, { schedule: schedule(WEEKDAYS, { startDate: TODAY }) })));
    const forecasts = await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 3);
    const byId = Object.fromEntries(forecasts.map((f) => [f.habitId, f]));
    expect(byId[late]!.occurrences.map((o) => o.date)).toEqual(['2026-11-27']);
    expect(byId[fresh]).toMatchObject({ scheduleSource: 'SCHEDULE', basedOnCheckIns: 0, occurrences: [{ date: '2026-11-27', missProbability: 0.5 }] });
  });

  it('still accepts old checked_in events without a schedule, and forecasts from the inferred schedule', async () => {
    const me = randomUUID();
    const habitId = randomUUID();
    for (const c of checkInsOn([1, 3, 5], 4)) await apply(envelope('flowforge.habits.habit.checked_in', checkIn(habitId, me, c.date)));
    expect(await db.habitCheckInFact.count({ where: { habitId } })).toBe(12);
    expect(await db.habitScheduleFact.findUnique({ where: { habitId } })).toBeNull();
    const [f] = await advice.habitForecast(identity(me), { id: me, timezone: 'UTC' }, 7);
    expect(f).toMatchObject({ habitId, scheduleSource: 'INFERRED', scheduledWeekdays: [1, 3, 5] });
    expect(f!.explanation).toMatch(/^Inferred schedule: Mon, Wed, Fri/);
  });

  it('rejects a habit event without a valid schedule as malformed (dead-lettered), writing nothing', async () => {
    const habitId = randomUUID();
    await expect(apply(envelope('flowforge.habits.habit.created', { ...habitData(habitId, randomUUID(), WEEKDAYS), schedule: undefined }))).rejects.toThrow(MalformedEventError);
    await expect(apply(envelope('flowforge.habits.habit.updated', habitData(habitId, randomUUID(), 'FREQ=HOURLY')))).rejects.toThrow(/FREQ=HOURLY/);
    expect(await db.habitScheduleFact.findUnique({ where: { habitId } })).toBeNull();
  });
});
