// End to end through the gateway (the jest global setup starts the BUILT stack): a seeded SYNTHETIC
// demo history, retraining, focusForecast served by the model with an explanation, the registry
// entry, and opt-out switching the caller to the baseline.
import { createOrganization, gql, gqlOk, signUp } from '@flowforge/testing';

const FORECAST = `query($from: DateTime!, $to: DateTime!) { me { insightsOptOut focusForecast(from: $from, to: $to) {
  timezone basedOnSessions explanation hours { start weekday hour quality good } preferredWindows { weekday startHour endHour averageQuality }
  provenance { source modelName version route reason } } } }`;

describe('focusForecast through the gateway', () => {
  it('forecasts from a seeded history, with the trained model, and honours opt-out', async () => {
    const admin = await signUp({ timezone: 'Europe/Berlin' });
    await createOrganization(admin, 'Insights e2e');
    const range = { from: '2027-03-01T00:00:00Z', to: '2027-03-03T00:00:00Z' };

    // Nothing yet: the baseline, and it says why. (This also tells insights the user's time zone.)
    const empty = await gqlOk(FORECAST, range, admin.accessToken);
    expect(empty.me.focusForecast).toMatchObject({ timezone: 'Europe/Berlin', basedOnSessions: 0, provenance: { source: 'BASELINE', reason: 'no focus-forecast model has been trained for this organization yet' } });
    expect(empty.me.focusForecast.hours).toHaveLength(48);

    const seeded = await gqlOk('mutation { seedDemoFocusHistory(weeks: 6, simulatedMembers: 11, seed: 5) }', {}, admin.accessToken);
    expect(seeded.seedDemoFocusHistory).toBeGreaterThan(400);
    const trained = await gqlOk('mutation { retrainFocusForecast { id name version status performanceMetrics trainedOnScope } }', {}, admin.accessToken);
    expect(trained.retrainFocusForecast).toMatchObject({ name: 'focus-forecast', version: 'v1', status: 'active', trainedOnScope: 'organization' });
    expect(trained.retrainFocusForecast.performanceMetrics.modelMae).toBeLessThan(trained.retrainFocusForecast.performanceMetrics.baselineMae);

    const forecast = (await gqlOk(FORECAST, range, admin.accessToken)).me.focusForecast;
    expect(forecast.provenance).toMatchObject({ source: 'MODEL', modelName: 'focus-forecast', version: 'v1', route: 'active' });
    expect(forecast.basedOnSessions).toBeGreaterThan(20);
    expect(forecast.hours[0]).toMatchObject({ start: '2027-03-01T00:00:00.000Z', weekday: 1, hour: 1 }); // 01:00 in Berlin
    expect(forecast.hours.some((h: { good: boolean }) => h.good)).toBe(true);
    expect(forecast.preferredWindows[0].averageQuality).toBeGreaterThan(50);
    expect(forecast.explanation).toMatch(/^Your best focus is usually .* Predicted by focus-forecast v1: cross-validated error/);

    const models = await gqlOk('{ aiModels(name: "focus-forecast") { version status } }', {}, admin.accessToken);
    expect(models.aiModels).toEqual([{ version: 'v1', status: 'active' }]);

    const anomalies = await gqlOk('query($from: String!, $to: String!) { me { productivityAnomalies(from: $from, to: $to) { date minutes usualMinutes robustZ direction reason } } }',
      { from: new Date(Date.now() - 21 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) }, admin.accessToken);
    for (const a of anomalies.me.productivityAnomalies) expect(a.reason).toMatch(/focus minutes against your usual/);

    await gqlOk('mutation { setInsightsOptOut(optOut: true) { id insightsOptOut } }', {}, admin.accessToken);
    const optedOut = (await gqlOk(FORECAST, range, admin.accessToken)).me;
    expect(optedOut.insightsOptOut).toBe(true);
    expect(optedOut.focusForecast.provenance).toMatchObject({ source: 'BASELINE', reason: 'you opted out of insights: no model sees your data' });
  });

  it('projects a session ended through the event backbone into the forecast', async () => {
    const user = await signUp({ timezone: 'UTC' });
    await createOrganization(user, 'Insights events');
    const range = { from: '2027-03-01T00:00:00Z', to: '2027-03-01T02:00:00Z' };
    expect((await gqlOk(FORECAST, range, user.accessToken)).me.focusForecast.basedOnSessions).toBe(0);
    const started = await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken);
    await gqlOk('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 5 }) { id } }', { id: started.startFocusSession.id }, user.accessToken);
    let sessions = 0;
    for (let i = 0; i < 50 && sessions === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      sessions = (await gqlOk(FORECAST, range, user.accessToken)).me.focusForecast.basedOnSessions;
    }
    expect(sessions).toBe(1);
  });

  it('parses a goal sentence into a draft that createHabit accepts as it is', async () => {
    const user = await signUp();
    await createOrganization(user);
    const data = await gqlOk('{ parseGoal(text: "meditate 10 minutes every weekday morning until June", today: "2026-11-27") { title schedule timesPerWeek reminderTime deadline target { amount unit per } understood parts { kind text } explanation } }', {}, user.accessToken);
    expect(data.parseGoal).toMatchObject({
      title: 'Meditate', schedule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270601', timesPerWeek: null, reminderTime: '08:00', deadline: '2027-06-01',
      target: { amount: 10, unit: 'minutes', per: 'occurrence' }, understood: true,
    });
    expect(data.parseGoal.parts).toHaveLength(4);
    const draft = data.parseGoal;
    const habit = await gqlOk('mutation($i: CreateHabitInput!) { createHabit(input: $i) { title scheduleText reminderTime targetType targetValue } }', {
      i: { title: draft.title, schedule: draft.schedule, reminderTime: draft.reminderTime, targetType: 'MINUTES', targetValue: draft.target.amount },
    }, user.accessToken);
    expect(habit.createHabit).toMatchObject({ title: 'Meditate', reminderTime: '08:00', targetType: 'MINUTES', targetValue: 10 });
  });

  it('refuses a bad range', async () => {
    const user = await signUp();
    await createOrganization(user);
    const bad = await gql(FORECAST, { from: '2027-03-02T00:00:00Z', to: '2027-03-01T00:00:00Z' }, user.accessToken);
    expect(bad.errors?.[0]).toMatchObject({ message: 'to must be after from.', extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
  });
});
