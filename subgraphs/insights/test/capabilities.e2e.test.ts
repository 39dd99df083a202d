import { addMember, createOrganization, errorCode, gql, gqlOk, signUp } from '@flowforge/testing';

// Every insights capability through the gateway, on a seeded demo history (synthetic sessions of
// the caller and five simulated members of the organization).
describe('insights capabilities through the gateway', () => {
  it('answers burnout, anomalies, ask, notes, habit forecasts and the team summary with values and explanations', async () => {
    const admin = await signUp({ timezone: 'Europe/Berlin' });
    await createOrganization(admin, 'Insights capabilities');
    const seeded = await gqlOk<{ seedDemoFocusHistory: number }>('mutation { seedDemoFocusHistory(weeks: 8, simulatedMembers: 5, seed: 7) }', {}, admin.accessToken);
    expect(seeded.seedDemoFocusHistory).toBeGreaterThan(100);

    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const me = (await gqlOk<{ me: Record<string, any> }>(`query($from: String!, $to: String!) { me {
      burnoutRisk { score level trend signals { __typename } recentSessions explanation }
      productivityAnomalies(from: $from, to: $to) { date minutes usualMinutes direction reason }
      minutes: ask(question: "how many focus minutes this month?") { answer understood numbers { label value unit } query }
      unknown: ask(question: "what is the airspeed of an unladen swallow?") { answer understood }
    } }`, { from: monthAgo, to: today }, admin.accessToken)).me;

    expect(me.burnoutRisk.score).toBeGreaterThanOrEqual(0);
    expect(me.burnoutRisk.score).toBeLessThanOrEqual(100);
    expect(me.burnoutRisk.recentSessions).toBeGreaterThan(0);
    expect(me.burnoutRisk.signals.length).toBeGreaterThanOrEqual(4);
    expect(me.burnoutRisk.explanation.length).toBeGreaterThan(30);
    for (const anomaly of me.productivityAnomalies) expect(anomaly.reason.length).toBeGreaterThan(10);
    expect(me.minutes.understood).toBe(true);
    expect(me.minutes.numbers[0]).toMatchObject({ unit: expect.any(String) });
    expect(me.minutes.numbers[0].value).toBeGreaterThan(0);
    expect(me.minutes.query).not.toBeNull();
    expect(me.unknown.understood).toBe(false);

    const note = (await gqlOk<{ analyzeNote: Record<string, any> }>('{ analyzeNote(text: "Frustrating, stressful meeting day: stuck and tired") { sentiment category confidence explanation source } }', {}, admin.accessToken)).analyzeNote;
    expect(note.sentiment).toBe('NEGATIVE');
    expect(note.explanation.length).toBeGreaterThan(10);

    // Six people (the admin and five simulated members): enough for a group view.
    const summary = (await gqlOk<{ organizationBurnoutSummary: Record<string, any> }>('{ organizationBurnoutSummary { available people minimumPeople averageScore explanation } }', {}, admin.accessToken)).organizationBurnoutSummary;
    expect(summary).toMatchObject({ available: true, minimumPeople: 5 });
    expect(summary.people).toBeGreaterThanOrEqual(5);
    // A plain USER may not see the group view.
    const member = await addMember(admin, 'USER');
    expect(errorCode(await gql('{ organizationBurnoutSummary { available } }', {}, member.accessToken))).toBe('FORBIDDEN');

    // Habit forecasts come from habits' events (created carries the schedule, checked_in the check-in).
    const habit = await gqlOk<{ createHabit: { id: string } }>('mutation { createHabit(input: { title: "Walk", schedule: "FREQ=DAILY" }) { id } }', {}, admin.accessToken);
    await gqlOk('mutation($id: ID!) { checkIn(habitId: $id) { date } }', { id: habit.createHabit.id }, admin.accessToken);
    let forecast: Record<string, any> | undefined;
    for (let attempt = 0; attempt < 60 && !forecast; attempt += 1) {
      const rows = (await gqlOk<{ me: { habitForecast: Record<string, any>[] } }>('{ me { habitForecast(days: 7) { habit { id } basedOnCheckIns scheduleSource occurrences { date missProbability } explanation } } }', {}, admin.accessToken)).me.habitForecast;
      forecast = rows.find((row) => row.habit.id === habit.createHabit.id && row.basedOnCheckIns > 0);
      if (!forecast) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(forecast!.occurrences.length).toBeGreaterThan(0);
    for (const occurrence of forecast!.occurrences) {
      expect(occurrence.missProbability).toBeGreaterThanOrEqual(0);
      expect(occurrence.missProbability).toBeLessThanOrEqual(1);
    }
    expect(forecast!.explanation.length).toBeGreaterThan(20);
    // The schedule travels with the habit events: exactly the daily occurrences, not an inferred guess.
    expect(forecast!.scheduleSource).toBe('SCHEDULE');
    expect(forecast!.occurrences).toHaveLength(7);
    expect(forecast!.explanation).toMatch(/^Schedule from the habit: every day \(FREQ=DAILY/);
  }, 90_000);
});
