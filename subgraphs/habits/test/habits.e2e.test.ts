import { addMember, createOrganization, errorCode, gql, gqlOk, signUp, type TestUser } from '@flowforge/testing';
import { addDays, isoWeekday, localDate, weekStart } from '@flowforge/time';

const HABIT = 'id title schedule scheduleText timesPerWeek targetType targetValue reminderTime startDate archived';
const TZ = 'Europe/Berlin';

async function member(timezone = TZ): Promise<TestUser> {
  const user = await signUp({ timezone });
  await createOrganization(user);
  return user;
}

const today = () => localDate(new Date(), TZ);
const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

describe('habits through the gateway', () => {
  it('creates a weekday habit, checks in idempotently, undoes, and sees the streak and rate', async () => {
    const user = await member();
    const day = today();
    // A weekly rule that includes today whatever day the test runs (the weekday DST logic is covered by the domain tests).
    const schedule = `RRULE:FREQ=WEEKLY;BYDAY=${DAY_CODES[isoWeekday(day) - 1]},${DAY_CODES[isoWeekday(day) % 7]}`;
    const habit = (await gqlOk(`mutation($input: CreateHabitInput!) { createHabit(input: $input) { ${HABIT} } }`, {
      input: { title: ' Read ', schedule, targetType: 'MINUTES', targetValue: 20, reminderTime: '21:30' },
    }, user.accessToken)).createHabit;
    expect(habit).toMatchObject({ title: 'Read', schedule: schedule.slice('RRULE:'.length), targetType: 'MINUTES', targetValue: 20, reminderTime: '21:30', startDate: day, archived: false, timesPerWeek: null });

    const CHECK_IN = 'mutation($id: ID!, $date: String, $value: Int) { checkIn(habitId: $id, date: $date, value: $value) { id date value completed } }';
    const first = (await gqlOk(CHECK_IN, { id: habit.id, value: 25 }, user.accessToken)).checkIn;
    expect(first).toMatchObject({ date: day, value: 25, completed: true });
    const again = (await gqlOk(CHECK_IN, { id: habit.id, date: day, value: 5 }, user.accessToken)).checkIn;
    expect(again).toEqual(first);

    const READ = `query($id: ID!, $from: String!, $to: String!) { habit(id: $id) { streak { current longest unit today timezone } completionRate(from: $from, to: $to) { due completed rate }
      checkIns(from: $from, to: $to) { date value } occurrences(from: $from, to: $to) checkableDates } }`;
    let read = (await gqlOk(READ, { id: habit.id, from: day, to: addDays(day, 7) }, user.accessToken)).habit;
    expect(read.streak).toEqual({ current: 1, longest: 1, unit: 'OCCURRENCE', today: day, timezone: TZ });
    expect(read.completionRate).toEqual({ due: 1, completed: 1, rate: 1 });
    expect(read.checkIns).toEqual([{ date: day, value: 25 }]);
    expect(read.occurrences).toEqual([day, addDays(day, 1), addDays(day, 7)]);
    expect(read.checkableDates).toEqual([day]);

    const undone = (await gqlOk('mutation($id: ID!) { undoCheckIn(habitId: $id) { id streak { current longest } } }', { id: habit.id }, user.accessToken)).undoCheckIn;
    expect(undone.streak).toEqual({ current: 0, longest: 0 });
    // Undo is idempotent too.
    expect((await gqlOk('mutation($id: ID!) { undoCheckIn(habitId: $id) { id } }', { id: habit.id }, user.accessToken)).undoCheckIn.id).toBe(habit.id);
    read = (await gqlOk(READ, { id: habit.id, from: day, to: day }, user.accessToken)).habit;
    expect(read.checkIns).toEqual([]);
    expect(read.completionRate).toEqual({ due: 0, completed: 0, rate: null });

    // Listed on the user, with the streak (the gateway brings the time zone from orgs).
    const me = (await gqlOk('{ me { habits { id title streak { current } } } }', {}, user.accessToken)).me;
    expect(me.habits).toEqual([{ id: habit.id, title: 'Read', streak: { current: 0 } }]);
  });

  it('rejects bad input with BAD_USER_INPUT and a precise message, writing nothing', async () => {
    const user = await member();
    const create = (input: Record<string, unknown>) => gql('mutation($input: CreateHabitInput!) { createHabit(input: $input) { id } }', { input }, user.accessToken);
    const hourly = await create({ title: 'x', schedule: 'FREQ=HOURLY' });
    expect(errorCode(hourly)).toBe('BAD_USER_INPUT');
    expect(hourly.errors?.[0]?.message).toBe('schedule cannot use FREQ=HOURLY: the shortest habit schedule is daily (FREQ=DAILY).');
    expect(hourly.errors?.[0]?.extensions?.field).toBe('schedule');
    expect((await create({ title: 'x', schedule: 'FREQ=DAILY;BYHOUR=7' })).errors?.[0]?.message).toMatch(/cannot contain BYHOUR/);
    expect(errorCode(await create({ title: 'x', schedule: 'FREQ=DAILY', targetValue: 0 }))).toBe('BAD_USER_INPUT');
    expect((await gqlOk('{ me { habits(includeArchived: true) { id } } }', {}, user.accessToken)).me.habits).toEqual([]);

    const day = today();
    const { id } = (await gqlOk('mutation { createHabit(input: { title: "Walk", schedule: "FREQ=DAILY" }) { id } }', {}, user.accessToken)).createHabit;
    const future = await gql('mutation($id: ID!, $date: String) { checkIn(habitId: $id, date: $date) { id } }', { id, date: addDays(day, 1) }, user.accessToken);
    expect(errorCode(future)).toBe('BAD_USER_INPUT');
    expect(future.errors?.[0]?.message).toBe(`${addDays(day, 1)} is in the future (today is ${day} in your time zone). You can check in now for: ${day}.`);
    const early = await gql('mutation($id: ID!, $date: String) { checkIn(habitId: $id, date: $date) { id } }', { id, date: addDays(day, -1) }, user.accessToken);
    expect(early.errors?.[0]?.message).toBe(`${addDays(day, -1)} is before the habit starts (${day}). You can check in now for: ${day}.`);
    expect(errorCode(await gql('mutation { checkIn(habitId: "nope") { id } }', {}, user.accessToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql('mutation { checkIn(habitId: "00000000-0000-4000-8000-000000000000") { id } }', {}, user.accessToken))).toBe('NOT_FOUND');

    await gqlOk('mutation($id: ID!) { archiveHabit(id: $id) { archived } }', { id }, user.accessToken);
    expect(errorCode(await gql('mutation($id: ID!) { checkIn(habitId: $id) { id } }', { id }, user.accessToken))).toBe('CONFLICT');
  });

  it('keeps habits to their owner and VIEWERs read-only', async () => {
    const owner = await member();
    const { id } = (await gqlOk('mutation { createHabit(input: { title: "Mine", schedule: "FREQ=DAILY" }) { id } }', {}, owner.accessToken)).createHabit;
    const colleague = await addMember(owner, 'USER');
    expect(errorCode(await gql('query($id: ID!) { habit(id: $id) { id } }', { id }, colleague.accessToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql('mutation($id: ID!) { checkIn(habitId: $id) { id } }', { id }, colleague.accessToken))).toBe('NOT_FOUND');
    const viewer = await addMember(owner, 'VIEWER');
    expect(errorCode(await gql('mutation { createHabit(input: { title: "x", schedule: "FREQ=DAILY" }) { id } }', {}, viewer.accessToken))).toBe('FORBIDDEN');
    expect((await gqlOk('{ me { habits { id } goals { id } } }', {}, viewer.accessToken)).me).toEqual({ habits: [], goals: [] });
  });
});

describe('goals through the gateway', () => {
  async function pollGoal(user: TestUser, id: string, until: (goal: any) => boolean, timeoutMs = 5000) {
    const started = Date.now();
    for (;;) {
      const goal = (await gqlOk('query($id: ID!) { goal(id: $id) { progress progressShare status history(first: 10) { value delta source sourceId } milestones { percent reached } } }', { id }, user.accessToken)).goal;
      if (until(goal) || Date.now() - started > timeoutMs) return goal;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('moves a 300 focus-minute goal from focus session events, without any call to habits', async () => {
    const user = await member();
    const day = today();
    const goal = (await gqlOk('mutation($input: CreateGoalInput!) { createGoal(input: $input) { id metric target startDate deadline progress status milestones { percent value reached } } }', {
      input: { title: 'Deep work this week', metric: 'FOCUS_MINUTES', target: 300, startDate: weekStart(day), deadline: addDays(weekStart(day), 6) },
    }, user.accessToken)).createGoal;
    expect(goal).toMatchObject({ metric: 'FOCUS_MINUTES', target: 300, progress: 0, milestones: [{ percent: 25, value: 75, reached: false }, { percent: 50, value: 150, reached: false }, { percent: 75, value: 225, reached: false }] });
    const sessionsGoal = (await gqlOk('mutation { createGoal(input: { title: "Sessions", metric: FOCUS_SESSIONS, target: 2, deadline: $deadline }) { id } }'.replace('mutation {', 'mutation($deadline: String!) {'), { deadline: addDays(day, 30) }, user.accessToken)).createGoal;

    // One session long enough to count (focus rounds to 0.1 minute), one short one.
    const long = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken)).startFocusSession.id;
    await new Promise((resolve) => setTimeout(resolve, 6500));
    const ended = (await gqlOk('mutation($id: ID!) { endFocusSession(id: $id) { actualMinutes } }', { id: long }, user.accessToken)).endFocusSession;
    const short = (await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken)).startFocusSession.id;
    await gqlOk('mutation($id: ID!) { endFocusSession(id: $id) { id } }', { id: short }, user.accessToken);
    // From here on the client only reads: the goals move through focus's events.
    const minutes = await pollGoal(user, goal.id, (g) => g.progress > 0);
    expect(minutes.progress).toBeCloseTo(ended.actualMinutes, 5);
    expect(minutes.status).toBe(isoWeekday(day) === 1 ? 'ON_TRACK' : 'AT_RISK'); // 0.1 of 300 minutes: behind from Tuesday on
    expect(minutes.history[0]).toMatchObject({ source: 'FOCUS_SESSION', sourceId: long, value: minutes.progress });
    const sessions = await pollGoal(user, sessionsGoal.id, (g) => g.progress === 2);
    expect(sessions).toMatchObject({ progress: 2, status: 'ACHIEVED' });
    expect(sessions.history.filter((h: { source: string }) => h.source === 'FOCUS_SESSION').map((h: { sourceId: string }) => h.sourceId).sort()).toEqual([long, short].sort());
  });

  it('counts habit completions in the check-in transaction, records manual progress, and validates', async () => {
    const user = await member();
    const day = today();
    const { id: habitId } = (await gqlOk('mutation { createHabit(input: { title: "Stretch", schedule: "FREQ=DAILY", targetValue: 2 }) { id } }', {}, user.accessToken)).createHabit;
    const goal = (await gqlOk('mutation($habitId: ID!, $deadline: String!) { createGoal(input: { title: "Stretch 10 times", metric: HABIT_COMPLETIONS, target: 10, deadline: $deadline, habitIds: [$habitId], milestones: [10] }) { id habits { id } } }', { habitId, deadline: addDays(day, 365) }, user.accessToken)).createGoal;
    expect(goal.habits).toEqual([{ id: habitId }]);
    // A partial check-in (1 of 2) is recorded but completes nothing.
    await gqlOk('mutation($id: ID!) { checkIn(habitId: $id, value: 1) { completed } }', { id: habitId }, user.accessToken);
    expect((await pollGoal(user, goal.id, () => true)).progress).toBe(0);
    await gqlOk('mutation($id: ID!) { undoCheckIn(habitId: $id) { id } }', { id: habitId }, user.accessToken);
    await gqlOk('mutation($id: ID!) { checkIn(habitId: $id) { completed } }', { id: habitId }, user.accessToken);
    const after = await pollGoal(user, goal.id, () => true);
    expect(after).toMatchObject({ progress: 1, progressShare: 0.1, milestones: [{ percent: 10, reached: true }] });
    expect(after.history[0]).toMatchObject({ value: 1, delta: 1, source: 'HABIT_CHECK_IN' });
    await gqlOk('mutation($id: ID!) { undoCheckIn(habitId: $id) { id } }', { id: habitId }, user.accessToken);
    expect(await pollGoal(user, goal.id, () => true)).toMatchObject({ progress: 0, milestones: [{ percent: 10, reached: false }] });

    const manual = (await gqlOk('mutation($deadline: String!) { createGoal(input: { title: "Pages", metric: MANUAL, target: 100, deadline: $deadline }) { id } }', { deadline: addDays(day, 365) }, user.accessToken)).createGoal;
    const recorded = (await gqlOk('mutation($id: ID!) { recordGoalProgress(goalId: $id, value: 40) { progress status history(first: 5) { value delta source } } }', { id: manual.id }, user.accessToken)).recordGoalProgress;
    expect(recorded).toMatchObject({ progress: 40, status: 'ON_TRACK', history: [{ value: 40, delta: 40, source: 'MANUAL' }, { value: 0, delta: 0, source: 'CREATED' }] });
    const repeated = (await gqlOk('mutation($id: ID!) { recordGoalProgress(goalId: $id, value: 40) { history(first: 5) { value } } }', { id: manual.id }, user.accessToken)).recordGoalProgress;
    expect(repeated.history).toHaveLength(2);
    const wrongMetric = await gql('mutation($id: ID!) { recordGoalProgress(goalId: $id, value: 3) { id } }', { id: goal.id }, user.accessToken);
    expect(errorCode(wrongMetric)).toBe('BAD_USER_INPUT');
    expect(wrongMetric.errors?.[0]?.message).toBe("Only MANUAL goals take recordGoalProgress; this HABIT_COMPLETIONS goal's progress comes from your check-ins.");
    const bad = await gql('mutation { createGoal(input: { title: "x", metric: MANUAL, target: 0, deadline: "' + addDays(day, 10) + '" }) { id } }', {}, user.accessToken);
    expect(bad.errors?.[0]).toMatchObject({ message: 'target must be greater than 0 and at most 1000000000; got 0.', extensions: { code: 'BAD_USER_INPUT', field: 'target' } });
    const unknownHabit = await gql('mutation { createGoal(input: { title: "x", metric: HABIT_COMPLETIONS, target: 3, deadline: "2999-01-01", habitIds: ["00000000-0000-4000-8000-000000000000"] }) { id } }', {}, user.accessToken);
    expect(errorCode(unknownHabit)).toBe('BAD_USER_INPUT');
    expect((await gqlOk('{ me { goals { title } } }', {}, user.accessToken)).me.goals.map((g: { title: string }) => g.title).sort()).toEqual(['Pages', 'Stretch 10 times']);

    expect((await gqlOk('mutation($id: ID!) { deleteGoal(id: $id) }', { id: manual.id }, user.accessToken)).deleteGoal).toBe(manual.id);
    expect(errorCode(await gql('query($id: ID!) { goal(id: $id) { id } }', { id: manual.id }, user.accessToken))).toBe('NOT_FOUND');
  });
});
