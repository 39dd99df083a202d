import { createOrganization, gqlOk, signUp } from '@flowforge/testing';

// goalForecasts needs the goal's title and dates from the habits subgraph (@requires through the
// gateway) and its progress from habits' goal.progress_changed events.
describe('goal achievement forecast through the gateway', () => {
  it('forecasts a manual goal with its progress, title and deadline from habits', async () => {
    const user = await signUp({ timezone: 'Europe/Berlin' });
    await createOrganization(user);
    const deadline = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const goal = await gqlOk<{ createGoal: { id: string } }>('mutation($i: CreateGoalInput!) { createGoal(input: $i) { id } }', { i: { title: 'Read 10 books', metric: 'MANUAL', target: 10, deadline } }, user.accessToken);
    await gqlOk('mutation($id: ID!) { recordGoalProgress(goalId: $id, value: 4) { progress } }', { id: goal.createGoal.id }, user.accessToken);
    let forecast: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 60 && !forecast; attempt += 1) {
      const data = await gqlOk<{ me: { goalForecasts: Record<string, unknown>[] } }>('{ me { goalForecasts { goal { id } title progress probability explanation } } }', {}, user.accessToken);
      forecast = data.me.goalForecasts.find((row) => (row.goal as { id: string }).id === goal.createGoal.id && row.progress === 4);
      if (!forecast) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(forecast).toMatchObject({ title: "Read 10 books", progress: 4 });
    expect(forecast!.probability as number).toBeGreaterThanOrEqual(0);
    expect(forecast!.probability as number).toBeLessThanOrEqual(1);
    expect(String(forecast!.explanation).length).toBeGreaterThan(20);
  }, 60_000);
});
