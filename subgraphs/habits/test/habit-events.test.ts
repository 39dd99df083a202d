// The habit events habits writes to its outbox, against a real (in-memory PGlite) database: created /
// updated / archived carry the full habit with its schedule, and checked_in carries the schedule too,
// so a consumer (insights' habit forecast) knows it without inferring it.
import type { Identity } from '@flowforge/auth';
import { openDatabase } from '@flowforge/db';
import { HabitsEvents, type EventEnvelope, type HabitCheckedInData, type HabitEventData } from '@flowforge/events';
import { localDate } from '@flowforge/time';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ProfileStore } from '../src/data/profiles.js';
import type { EventTools } from '../src/events/envelope.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { GoalService } from '../src/services/goals.js';
import { HabitService } from '../src/services/habits.js';

const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
const TZ = 'Europe/Berlin';

describe('habit events carry the schedule', () => {
  const ORG = randomUUID();
  const me = randomUUID();
  const identity = { userId: me, organizationId: ORG, workspaceId: null, role: 'USER', sessionId: null } as Identity;
  let published: EventEnvelope[] = [];
  let db: PrismaClient;
  let close: () => Promise<void>;
  let habits: HabitService;

  beforeAll(async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrationsDir: MIGRATIONS });
    db = new PrismaClient({ adapter: database.adapter });
    close = async () => { await db.$disconnect(); await database.close(); };
    const tools: EventTools = {
      publish: async (_tx, events) => { published.push(...events); },
      transaction: (fn) => db.$transaction(fn),
    };
    const profiles = new ProfileStore(db);
    await profiles.apply(db, me, TZ, new Date());
    habits = new HabitService(db, profiles, new GoalService(db, profiles, tools), tools);
  }, 30_000);
  afterAll(() => close());
  beforeEach(() => { published = []; });

  const today = () => localDate(new Date(), TZ);
  const only = <T>(type: string) => {
    expect(published.map((e) => e.type)).toEqual([type]);
    return published[0] as EventEnvelope<T>;
  };

  it('emits habit.created with the canonical RRULE, start date, time zone, target and title', async () => {
    const habit = await habits.create(identity, { title: ' Stretch ', schedule: 'rrule:freq=weekly;byday=mo,tu,we,th,fr', targetType: 'MINUTES', targetValue: 15 });
    const event = only<HabitEventData>(HabitsEvents.created);
    expect(event).toMatchObject({ type: 'flowforge.habits.habit.created', source: '/flowforge/habits', subject: habit.id, tenant: ORG });
    expect(event.data).toEqual({
      habitId: habit.id, userId: me, organizationId: ORG, title: 'Stretch',
      schedule: { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', timesPerWeek: null, startDate: today(), timezone: TZ },
      targetType: 'MINUTES', targetValue: 15, reminderTime: null, archived: false,
    });
  });

  it('emits the "N times a week" form as the weekly rule plus timesPerWeek', async () => {
    await habits.create(identity, { title: 'Run', schedule: 'FREQ=WEEKLY', timesPerWeek: 3 });
    expect(only<HabitEventData>(HabitsEvents.created).data.schedule).toEqual({ rrule: 'FREQ=WEEKLY', timesPerWeek: 3, startDate: today(), timezone: TZ });
  });

  it('emits habit.updated with the new schedule, and nothing when nothing changed', async () => {
    const habit = await habits.create(identity, { title: 'Read', schedule: 'FREQ=DAILY' });
    published = [];
    await habits.update(identity, habit.id, { schedule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR', title: 'Read more' });
    expect(only<HabitEventData>(HabitsEvents.updated).data).toMatchObject({
      habitId: habit.id, title: 'Read more', archived: false, targetType: 'COUNT', targetValue: 1,
      schedule: { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR', timesPerWeek: null, startDate: habit.startDate, timezone: TZ },
    });
    published = [];
    await habits.update(identity, habit.id, {});
    expect(published).toEqual([]);
  });

  it('emits habit.archived on archive and on restore (data.archived says which), once per change', async () => {
    const habit = await habits.create(identity, { title: 'Floss', schedule: 'FREQ=DAILY' });
    published = [];
    await habits.archive(identity, habit.id, true);
    expect(only<HabitEventData>(HabitsEvents.archived).data).toMatchObject({ habitId: habit.id, archived: true, schedule: { rrule: 'FREQ=DAILY' } });
    published = [];
    await habits.archive(identity, habit.id, true);
    expect(published).toEqual([]);
    await habits.archive(identity, habit.id, false);
    expect(only<HabitEventData>(HabitsEvents.archived).data.archived).toBe(false);
  });

  it('includes the schedule in checked_in, and publishes nothing for a repeated check-in', async () => {
    const habit = await habits.create(identity, { title: 'Walk', schedule: 'FREQ=DAILY', targetValue: 2 });
    published = [];
    const row = await habits.checkIn(identity, habit.id, null, 2);
    const event = published.find((e) => e.type === HabitsEvents.checkedIn) as EventEnvelope<HabitCheckedInData>;
    expect(event).toMatchObject({ subject: habit.id, tenant: ORG });
    expect(event.data).toEqual({
      checkInId: row.id, habitId: habit.id, userId: me, organizationId: ORG, date: today(), value: 2, targetValue: 2, completed: true,
      schedule: { rrule: 'FREQ=DAILY', timesPerWeek: null, startDate: today(), timezone: TZ },
    });
    published = [];
    await habits.checkIn(identity, habit.id, null, 2);
    expect(published).toEqual([]);
  });
});
