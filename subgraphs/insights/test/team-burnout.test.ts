// The burnout group view over a set of people (an organization, a team): the pure aggregation, then
// against a real (in-memory PGlite) database through AdviceService. Sessions are SYNTHETIC.
import { openDatabase } from '@flowforge/db';
import type { Identity } from '@flowforge/auth';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { burnoutRisk, MIN_GROUP, summarizeBurnout, tooFewPeople, type BurnoutSession } from '../src/domain/burnout.js';
import { NoteClassifier } from '../src/ml/note-model.js';
import { initBackend } from '../src/ml/backend.js';
import { AdviceService } from '../src/services/advice.js';
import { SettingsRepository } from '../src/data/settings.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-27T12:00:00Z');

/** 12 weeks of weekday sessions; `heavy` people work 4 a day in the last 4 weeks, late, on weekends too. */
function history(heavy: boolean): BurnoutSession[] {
  const out: BurnoutSession[] = [];
  for (let d = 84; d >= 1; d--) {
    const day = new Date(NOW.getTime() - d * DAY);
    const recent = d <= 28;
    if ([0, 6].includes(day.getUTCDay()) && !(recent && heavy)) continue;
    const count = recent && heavy ? 4 : 2;
    for (let i = 0; i < count; i++) {
      const hour = recent && heavy && i === count - 1 ? 21 : 9 + 2 * i;
      out.push({ sessionId: randomUUID(), startedAt: new Date(day.getTime() - 12 * 3_600_000 + hour * 3_600_000), actualMinutes: 50, rating: recent && heavy ? 2 : 4, sentiment: null, pauses: null });
    }
  }
  return out;
}

beforeAll(async () => {
  await initBackend({}, () => undefined);
});

describe('summarizeBurnout (the group view from individual results)', () => {
  it('averages scores, counts levels and averages each signal, naming who contributed', () => {
    const results = [true, false, false, false, false, false].map((heavy) => burnoutRisk(history(heavy), NOW, 'UTC'));
    const summary = summarizeBurnout(results, 'team members');
    expect(summary).toMatchObject({ available: true, people: 6, minimumPeople: MIN_GROUP });
    expect(summary.averageScore).toBeCloseTo(results.reduce((s, r) => s + r.score, 0) / 6, 1);
    expect(summary.levels.reduce((s, l) => s + l.people, 0)).toBe(6);
    expect(summary.levels.find((l) => l.level === 'HIGH')!.people).toBe(1);
    expect(summary.signals.map((s) => s.name)).toEqual(results[0]!.signals.map((s) => s.name));
    expect(summary.explanation).toMatch(/over 6 team members with recent focus sessions/);
  });

  it('shows no numbers below the minimum group size', () => {
    const results = [true, false, false, false].map((heavy) => burnoutRisk(history(heavy), NOW, 'UTC'));
    expect(summarizeBurnout(results)).toEqual(tooFewPeople(4));
    expect(tooFewPeople(4, 'team members')).toMatchObject({ available: false, people: 4, averageScore: null, levels: [], signals: [] });
    expect(tooFewPeople(4, 'team members').explanation).toMatch(/^Not enough people to show a group view without exposing individuals: 4 team members/);
  });
});

describe('AdviceService group views by user set', () => {
  const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
  const ORG = randomUUID();
  const OTHER_ORG = randomUUID();
  let db: PrismaClient;
  let close: () => Promise<void>;
  let advice: AdviceService;
  let settings: SettingsRepository;
  const identity = (role: string, organizationId = ORG): Identity => ({ userId: randomUUID(), organizationId, workspaceId: null, role, sessionId: null } as Identity);
  // Seven people with history in ORG (the first one heavy), one opted out, and two with history only in OTHER_ORG.
  const people = Array.from({ length: 7 }, () => randomUUID());
  const optedOut = people[6]!;
  const elsewhere = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrationsDir: MIGRATIONS });
    db = new PrismaClient({ adapter: database.adapter });
    close = async () => { await db.$disconnect(); await database.close(); };
    settings = new SettingsRepository(db);
    advice = new AdviceService({ db, settings, notes: new NoteClassifier(() => undefined, { epochs: 20 }), now: () => NOW });
    const rows = [...people.map((userId, i) => [userId, ORG, i === 0] as const), ...elsewhere.map((userId) => [userId, OTHER_ORG, false] as const)]
      .flatMap(([userId, organizationId, heavy]) => history(heavy).map((s) => ({ sessionId: s.sessionId, organizationId, userId, startedAt: s.startedAt, endedAt: null, plannedMinutes: 50, actualMinutes: s.actualMinutes, rating: s.rating, notes: null, source: 'demo' })));
    await db.focusSessionFact.createMany({ data: rows });
    await settings.setOptOut(optedOut, true);
  }, 30_000);
  afterAll(() => close());

  it('aggregates only the given people with facts in the organization, without opted-out ones', async () => {
    const all = await advice.burnoutSummary(ORG, null);
    expect(all).toMatchObject({ available: true, people: 6 });

    // Five of the team count: the opted-out member, someone without facts and people with facts only elsewhere do not.
    const team = [...people.slice(0, 5), optedOut, randomUUID(), ...elsewhere];
    const five = await advice.burnoutSummary(ORG, team, 'team members');
    expect(five).toMatchObject({ available: true, people: 5, minimumPeople: 5 });
    expect(five.levels).toEqual([{ level: 'LOW', people: 4 }, { level: 'MODERATE', people: 0 }, { level: 'HIGH', people: 1 }]);
    expect(five.explanation).toMatch(/over 5 team members/);
    // Exactly the aggregation of those five people's own results.
    expect(five).toEqual(summarizeBurnout([true, false, false, false, false].map((heavy) => burnoutRisk(history(heavy), NOW, 'UTC')), 'team members'));

    const four = await advice.burnoutSummary(ORG, [...people.slice(0, 4), optedOut, ...elsewhere], 'team members');
    expect(four).toMatchObject({ available: false, people: 4, averageScore: null, levels: [], signals: [] });
    expect(await advice.burnoutSummary(ORG, [])).toMatchObject({ available: false, people: 0 });
  });

  it('teamSummary: ADMIN or MANAGER of the team organization only', async () => {
    const team = { id: randomUUID(), organizationId: ORG, memberUserIds: people.slice(1, 6) };
    expect(await advice.teamSummary(identity('MANAGER'), team)).toMatchObject({ available: true, people: 5 });
    expect(await advice.teamSummary(identity('ADMIN'), team)).toMatchObject({ available: true, people: 5 });
    await expect(advice.teamSummary(identity('USER'), team)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(advice.teamSummary(identity('VIEWER'), team)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    // A team of another organization: refused, even for an ADMIN of the active one.
    await expect(advice.teamSummary(identity('ADMIN'), { ...team, organizationId: OTHER_ORG })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    // The organization view is the same aggregation over everyone.
    expect(await advice.organizationSummary(identity('MANAGER'))).toEqual(await advice.burnoutSummary(ORG, null));
  });
});
