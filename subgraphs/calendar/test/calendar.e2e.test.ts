import { addMember, createOrganization, errorCode, gatewayUrl, gql, gqlOk, signUp, type TestUser } from '@flowforge/testing';

const OCC = 'id title startsAt endsAt allDay startDate endDate busy recurring originalStartsAt event { id etag }';
const EVENT = 'id title startsAt endsAt timezone allDay startDate endDate recurrence exceptionDates recurringEventId originalStartsAt busy etag updatedAt deletedAt source attendees { email responseStatus } calendar { id name isDefault }';

async function calendarUser(): Promise<TestUser> {
  const user = await signUp({ timezone: 'UTC' });
  await createOrganization(user);
  return user;
}

/** Monday of the ISO week `weeks` weeks after the current one (UTC), YYYY-MM-DD. */
function mondayIn(weeks: number): string {
  const now = new Date();
  const day = (now.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day + 7 * weeks));
  return monday.toISOString().slice(0, 10);
}
const plus = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function createEvent(user: TestUser, input: Record<string, unknown>) {
  return (await gqlOk(`mutation($input: CreateCalendarEventInput!) { createCalendarEvent(input: $input) { ${EVENT} } }`, { input }, user.accessToken)).createCalendarEvent;
}

async function schedule(user: TestUser, input: Record<string, unknown>) {
  return (await gqlOk('mutation($input: ScheduleFocusTimeInput!) { scheduleFocusTime(input: $input) { placed { id startsAt endsAt minutes status } unplaced { weekStart minutes reason } kept moved created cancelled timezone } }', { input }, user.accessToken)).scheduleFocusTime;
}

const overlaps = (a: { startsAt: string; endsAt: string }, b: { startsAt: string; endsAt: string }) => Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);

describe('calendar through the gateway', () => {
  it('creates a default calendar lazily and events in it; updates change the etag; deletes are soft', async () => {
    const user = await calendarUser();
    const calendars = (await gqlOk('{ calendars { id name color isDefault source } }', {}, user.accessToken)).calendars;
    expect(calendars).toEqual([{ id: expect.any(String), name: 'Calendar', color: '#4f46e5', isDefault: true, source: 'LOCAL' }]);
    const work = (await gqlOk('mutation { createCalendar(input: { name: "Work", color: "#FF0000" }) { id name color isDefault } }', {}, user.accessToken)).createCalendar;
    expect(work).toMatchObject({ name: 'Work', color: '#ff0000', isDefault: false });

    const event = await createEvent(user, { calendarId: work.id, title: 'Review', startsAt: '2030-01-07T10:00:00Z', endsAt: '2030-01-07T11:00:00Z', timezone: 'Europe/Berlin', attendees: [{ email: 'Bob@Example.com', responseStatus: 'ACCEPTED' }] });
    expect(event).toMatchObject({ title: 'Review', source: 'LOCAL', calendar: { id: work.id }, attendees: [{ email: 'bob@example.com', responseStatus: 'ACCEPTED' }], deletedAt: null });
    expect(event.etag).toMatch(/^[0-9a-f]{32}$/);

    const updated = (await gqlOk(`mutation($id: ID!) { updateCalendarEvent(id: $id, input: { title: "Design review", busy: false }) { ${EVENT} } }`, { id: event.id }, user.accessToken)).updateCalendarEvent;
    expect(updated).toMatchObject({ title: 'Design review', busy: false, startsAt: event.startsAt });
    expect(updated.etag).not.toBe(event.etag);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(event.updatedAt));

    const deleted = (await gqlOk('mutation($id: ID!) { deleteCalendarEvent(id: $id) { id deletedAt etag } }', { id: event.id }, user.accessToken)).deleteCalendarEvent;
    expect(deleted.deletedAt).not.toBeNull();
    expect(errorCode(await gql('query($id: ID!) { calendarEvent(id: $id) { id } }', { id: event.id }, user.accessToken))).toBe('NOT_FOUND');
    expect((await gqlOk('{ me { calendarEvents(from: "2030-01-01T00:00:00Z", to: "2030-01-31T00:00:00Z") { id } } }', {}, user.accessToken)).me.calendarEvents).toEqual([]);
  });

  it('expands a weekly series at the same local time across DST, with an edited and a deleted occurrence', async () => {
    const user = await calendarUser();
    // Mondays 09:00 Berlin from 16 March 2026 (CET) over the 29 March change (CEST).
    const series = await createEvent(user, { title: 'Standup', startsAt: '2026-03-16T08:00:00Z', endsAt: '2026-03-16T08:30:00Z', timezone: 'Europe/Berlin', recurrence: 'FREQ=WEEKLY;COUNT=4' });
    expect(series.recurrence).toBe('FREQ=WEEKLY;COUNT=4');
    const list = async () => (await gqlOk(`{ me { calendarEvents(from: "2026-03-01T00:00:00Z", to: "2026-05-01T00:00:00Z") { ${OCC} } } }`, {}, user.accessToken)).me.calendarEvents;
    const before = await list();
    expect(before.map((o: { startsAt: string }) => o.startsAt)).toEqual(['2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z']);
    expect(before.every((o: { recurring: boolean; event: { id: string } }) => o.recurring && o.event.id === series.id)).toBe(true);

    const override = (await gqlOk(`mutation($id: ID!) { updateCalendarEventOccurrence(eventId: $id, originalStartsAt: "2026-03-30T07:00:00Z", input: { title: "Standup (late)", startsAt: "2026-03-30T09:00:00Z", endsAt: "2026-03-30T09:30:00Z" }) { ${EVENT} } }`, { id: series.id }, user.accessToken)).updateCalendarEventOccurrence;
    expect(override).toMatchObject({ recurringEventId: series.id, originalStartsAt: '2026-03-30T07:00:00.000Z', recurrence: null, title: 'Standup (late)' });
    const deletedSeries = (await gqlOk(`mutation($id: ID!) { deleteCalendarEventOccurrence(eventId: $id, originalStartsAt: "2026-03-23T08:00:00Z") { ${EVENT} } }`, { id: series.id }, user.accessToken)).deleteCalendarEventOccurrence;
    expect(deletedSeries.exceptionDates).toEqual(['2026-03-23T08:00:00.000Z']);
    expect(deletedSeries.etag).not.toBe(series.etag);

    const after = await list();
    expect(after.map((o: { title: string; startsAt: string }) => `${o.title}@${o.startsAt}`)).toEqual([
      'Standup@2026-03-16T08:00:00.000Z', 'Standup (late)@2026-03-30T09:00:00.000Z', 'Standup@2026-04-06T07:00:00.000Z',
    ]);
    expect(after[1].originalStartsAt).toBe('2026-03-30T07:00:00.000Z');

    const notAnOccurrence = await gql('mutation($id: ID!) { deleteCalendarEventOccurrence(eventId: $id, originalStartsAt: "2026-03-17T08:00:00Z") { id } }', { id: series.id }, user.accessToken);
    expect(errorCode(notAnOccurrence)).toBe('BAD_USER_INPUT');
    expect(notAnOccurrence.errors?.[0]?.extensions?.field).toBe('originalStartsAt');
  });

  it('schedules focus blocks that never overlap busy events, re-runs stably and moves only conflicting blocks', async () => {
    const user = await calendarUser();
    const monday = mondayIn(2);
    const friday = plus(monday, 4);
    // Daily 10:00-11:00 UTC stand-up all week, plus a long Wednesday meeting.
    await createEvent(user, { title: 'Sync', startsAt: `${monday}T10:00:00Z`, endsAt: `${monday}T11:00:00Z`, timezone: 'UTC', recurrence: 'FREQ=DAILY;COUNT=5' });
    await createEvent(user, { title: 'Offsite', startsAt: `${plus(monday, 2)}T09:00:00Z`, endsAt: `${plus(monday, 2)}T16:30:00Z`, timezone: 'UTC' });
    await createEvent(user, { title: 'Tentative', startsAt: `${plus(monday, 3)}T13:00:00Z`, endsAt: `${plus(monday, 3)}T14:00:00Z`, timezone: 'UTC', busy: false });

    const input = { from: monday, to: friday, weeklyTargetMinutes: 480, minBlockMinutes: 60, maxBlockMinutes: 120, preferredHours: [{ start: '13:00', end: '15:00' }] };
    const first = await schedule(user, input);
    expect(first.timezone).toBe('UTC');
    const busy = (await gqlOk(`{ me { calendarEvents(from: "${monday}T00:00:00Z", to: "${plus(monday, 7)}T00:00:00Z") { startsAt endsAt busy } } }`, {}, user.accessToken)).me.calendarEvents.filter((e: { busy: boolean }) => e.busy);
    expect(busy).toHaveLength(6);
    const total = first.placed.reduce((sum: number, b: { minutes: number }) => sum + b.minutes, 0);
    expect(total).toBe(480);
    for (const block of first.placed) {
      expect(block.status).toBe('SCHEDULED');
      expect(block.minutes).toBeGreaterThanOrEqual(60);
      expect(block.minutes).toBeLessThanOrEqual(120);
      for (const event of busy) expect(overlaps(block, event)).toBe(false);
      const start = new Date(block.startsAt);
      expect(start.getUTCHours()).toBeGreaterThanOrEqual(9);
      expect(Date.parse(block.endsAt)).toBeLessThanOrEqual(Date.parse(`${block.startsAt.slice(0, 10)}T17:00:00Z`));
    }
    // Nothing on the Wednesday offsite day (only 30 free minutes); preferred hours win elsewhere.
    expect(first.placed.some((b: { startsAt: string }) => b.startsAt.startsWith(plus(monday, 2)))).toBe(false);
    expect(first.placed.filter((b: { startsAt: string }) => b.startsAt.slice(11, 16) === '13:00').length).toBeGreaterThanOrEqual(3);

    const again = await schedule(user, input);
    expect(again).toMatchObject({ kept: first.placed.length, moved: 0, created: 0, cancelled: 0 });
    expect(again.placed).toEqual(first.placed);

    // A new meeting over one block: only that block moves (same id), the others stay put.
    const victim = first.placed[0];
    await createEvent(user, { title: 'Urgent', startsAt: victim.startsAt, endsAt: new Date(Date.parse(victim.startsAt) + 30 * 60_000).toISOString(), timezone: 'UTC' });
    const third = await schedule(user, input);
    expect(third).toMatchObject({ kept: first.placed.length - 1, moved: 1, created: 0, cancelled: 0 });
    for (const block of first.placed.slice(1)) expect(third.placed).toContainEqual(block);
    const moved = third.placed.find((b: { id: string }) => b.id === victim.id);
    expect(moved.startsAt).not.toBe(victim.startsAt);

    const free = (await gqlOk(`{ me { freeBusy(from: "${monday}T00:00:00Z", to: "${plus(monday, 1)}T00:00:00Z") { timezone workingHours { days start end } busy { startsAt endsAt } free { startsAt endsAt } } focusBlocks(from: "${monday}T00:00:00Z", to: "${plus(monday, 7)}T00:00:00Z") { id } } }`, {}, user.accessToken)).me;
    expect(free.freeBusy.workingHours).toEqual({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' });
    expect(free.freeBusy.busy[0]).toEqual({ startsAt: `${monday}T00:00:00.000Z`, endsAt: `${monday}T09:00:00.000Z` });
    for (const slot of free.freeBusy.free) for (const block of third.placed) expect(overlaps(slot, block)).toBe(false);
    expect(free.focusBlocks).toHaveLength(third.placed.length);
  });

  it('links a focus block to the session started from it (through focus events)', async () => {
    const user = await calendarUser();
    const monday = mondayIn(1);
    const { placed } = await schedule(user, { from: monday, to: monday, weeklyTargetMinutes: 60, minBlockMinutes: 60, maxBlockMinutes: 60 });
    const block = placed[0];
    const session = (await gqlOk('mutation($block: ID!) { startFocusSession(input: { plannedMinutes: 60, focusBlockId: $block }) { id } }', { block: block.id }, user.accessToken)).startFocusSession;
    let linked: { status: string; session: { id: string } | null } | undefined;
    for (let i = 0; i < 50; i++) {
      linked = (await gqlOk('query($id: ID!) { focusBlock(id: $id) { status session { id } } }', { id: block.id }, user.accessToken)).focusBlock;
      if (linked?.status === 'STARTED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(linked).toEqual({ status: 'STARTED', session: { id: session.id } });
  });

  it('serves an ICS feed behind a secret URL until it is revoked', async () => {
    const user = await calendarUser();
    await createEvent(user, { title: 'Lunch, with Ada; maybe', startsAt: '2030-02-04T12:00:00Z', endsAt: '2030-02-04T13:00:00Z', timezone: 'UTC' });
    await createEvent(user, { title: 'Standup', startsAt: '2030-02-04T08:00:00Z', endsAt: '2030-02-04T08:15:00Z', timezone: 'Europe/Berlin', recurrence: 'FREQ=WEEKLY;BYDAY=MO,WE' });
    const created = (await gqlOk('mutation { createCalendarFeed { url feed { id createdAt } } }', {}, user.accessToken)).createCalendarFeed;
    const origin = new URL(gatewayUrl()).origin;
    expect(created.url).toMatch(/\/feeds\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    // The URL points at the gateway (which proxies the calendar subgraph).
    const url = `${origin}${new URL(created.url).pathname}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text).toContain('SUMMARY:Lunch\\, with Ada\\; maybe');
    expect(text).toContain('DTSTART:20300204T120000Z');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20300204T090000');
    expect(text).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO,WE');
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect((await gqlOk('{ calendarFeed { id lastAccessedAt } }', {}, user.accessToken)).calendarFeed.lastAccessedAt).not.toBeNull();

    expect((await gqlOk('mutation { revokeCalendarFeed }', {}, user.accessToken)).revokeCalendarFeed).toBe(true);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(`${origin}/feeds/calendar/not-a-token.ics`)).status).toBe(404);
    expect((await gqlOk('mutation { revokeCalendarFeed }', {}, user.accessToken)).revokeCalendarFeed).toBe(false);
  });

  it('rejects bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const user = await calendarUser();
    const base = { title: 'X', startsAt: '2030-03-04T10:00:00Z', endsAt: '2030-03-04T11:00:00Z', timezone: 'UTC' };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, endsAt: '2030-03-04T09:00:00Z' }, 'endsAt', /endsAt must be after startsAt/],
      [{ ...base, timezone: 'Mars/Olympus' }, 'timezone', /not an IANA time zone/],
      [{ ...base, recurrence: 'FREQ=SOMETIMES' }, 'recurrence', /FREQ=SOMETIMES is not supported/],
      [{ ...base, attendees: [{ email: 'not-an-email' }] }, 'attendees.0.email', /is not an email address/],
    ];
    for (const [input, field, message] of cases) {
      const result = await gql('mutation($input: CreateCalendarEventInput!) { createCalendarEvent(input: $input) { id } }', { input }, user.accessToken);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
      expect(result.errors?.[0]?.message).toMatch(message);
    }
    const monday = mondayIn(1);
    const scheduleCases: [Record<string, unknown>, string][] = [
      [{ from: monday, to: monday, weeklyTargetMinutes: 0 }, 'weeklyTargetMinutes'],
      [{ from: monday, to: monday, weeklyTargetMinutes: 60, minBlockMinutes: 90, maxBlockMinutes: 60 }, 'maxBlockMinutes'],
      [{ from: monday, to: plus(monday, 40), weeklyTargetMinutes: 60 }, 'to'],
      [{ from: plus(monday, 1), to: monday, weeklyTargetMinutes: 60 }, 'to'],
      [{ from: 'next monday', to: monday, weeklyTargetMinutes: 60 }, 'from'],
      [{ from: monday, to: monday, weeklyTargetMinutes: 60, preferredHours: [{ start: '14:00', end: '13:00' }] }, 'preferredHours.0.end'],
    ];
    for (const [input, field] of scheduleCases) {
      const result = await gql('mutation($input: ScheduleFocusTimeInput!) { scheduleFocusTime(input: $input) { kept } }', { input }, user.accessToken);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    const tooLong = await gql('{ me { calendarEvents(from: "2030-01-01T00:00:00Z", to: "2030-06-01T00:00:00Z") { id } } }', {}, user.accessToken);
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    const me = (await gqlOk(`{ me { calendarEvents(from: "2030-03-01T00:00:00Z", to: "2030-03-31T00:00:00Z") { id } focusBlocks(from: "${monday}T00:00:00Z", to: "${plus(monday, 7)}T00:00:00Z") { id } } }`, {}, user.accessToken)).me;
    expect(me).toEqual({ calendarEvents: [], focusBlocks: [] });
  });

  it('lets VIEWERs read but not write, and keeps calendars per user and organization', async () => {
    const admin = await calendarUser();
    const event = await createEvent(admin, { title: 'Board', startsAt: '2030-04-01T10:00:00Z', endsAt: '2030-04-01T11:00:00Z', timezone: 'UTC' });
    const viewer = await addMember(admin, 'VIEWER');
    expect(errorCode(await gql('mutation { createCalendarEvent(input: { title: "x", startsAt: "2030-04-01T10:00:00Z", endsAt: "2030-04-01T11:00:00Z", timezone: "UTC" }) { id } }', {}, viewer.accessToken))).toBe('FORBIDDEN');
    expect(errorCode(await gql('mutation { scheduleFocusTime(input: { from: "2030-04-01", to: "2030-04-05", weeklyTargetMinutes: 60 }) { kept } }', {}, viewer.accessToken))).toBe('FORBIDDEN');
    expect(errorCode(await gql('mutation { createCalendarFeed { url } }', {}, viewer.accessToken))).toBe('FORBIDDEN');
    expect((await gqlOk('{ me { calendarEvents(from: "2030-04-01T00:00:00Z", to: "2030-04-02T00:00:00Z") { id } freeBusy(from: "2030-04-01T00:00:00Z", to: "2030-04-02T00:00:00Z") { free { startsAt } } } }', {}, viewer.accessToken)).me.calendarEvents).toEqual([]);
    // Another member cannot see or change the admin's event.
    const member = await addMember(admin, 'USER');
    expect(errorCode(await gql('query($id: ID!) { calendarEvent(id: $id) { id } }', { id: event.id }, member.accessToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql('mutation($id: ID!) { deleteCalendarEvent(id: $id) { id } }', { id: event.id }, member.accessToken))).toBe('NOT_FOUND');
  });
});
