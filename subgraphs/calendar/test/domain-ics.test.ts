import { escapeText, foldLine, renderCalendar, vtimezone } from '../src/domain/ics.js';

const now = new Date('2026-11-27T12:00:00Z');
const base = { timezone: 'Europe/Berlin', allDay: false, busy: true, sequence: 0, updatedAt: now };

describe('ICS output', () => {
  it('escapes TEXT values', () => {
    expect(escapeText('a, b; c\\d\ne')).toBe('a\\, b\\; c\\\\d\\ne');
  });

  it('folds lines at 75 octets without splitting UTF-8 characters', () => {
    const line = `SUMMARY:${'ü'.repeat(80)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('writes single events in UTC, series with TZID + VTIMEZONE, RRULE, EXDATE and overrides', () => {
    const text = renderCalendar({
      name: 'FlowForge',
      now,
      events: [
        { ...base, uid: 'one@flowforge', summary: 'Lunch, with Bob; maybe', startsAt: new Date('2026-12-01T11:00:00Z'), endsAt: new Date('2026-12-01T12:00:00Z') },
        { ...base, uid: 'series@flowforge', summary: 'Standup', startsAt: new Date('2026-11-30T08:00:00Z'), endsAt: new Date('2026-11-30T08:15:00Z'), rrule: 'FREQ=WEEKLY;BYDAY=MO,WE', exdates: [new Date('2026-12-02T08:00:00Z')], attendees: [{ email: 'ada@example.com', responseStatus: 'ACCEPTED' }] },
        { ...base, uid: 'series@flowforge', summary: 'Standup (moved)', startsAt: new Date('2026-12-07T09:00:00Z'), endsAt: new Date('2026-12-07T09:15:00Z'), recurrenceId: new Date('2026-12-07T08:00:00Z'), sequence: 1 },
        { ...base, uid: 'trip@flowforge', summary: 'Trip', allDay: true, startDate: '2026-12-24', endDate: '2026-12-26', startsAt: new Date('2026-12-23T23:00:00Z'), endsAt: new Date('2026-12-26T23:00:00Z'), busy: false },
      ],
    });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const lines = text.split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0']);
    expect(lines).toEqual(expect.arrayContaining([
      'UID:one@flowforge', 'DTSTART:20261201T110000Z', 'DTEND:20261201T120000Z', 'SUMMARY:Lunch\\, with Bob\\; maybe', 'DTSTAMP:20261127T120000Z',
      'DTSTART;TZID=Europe/Berlin:20261130T090000', 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE', 'EXDATE;TZID=Europe/Berlin:20261202T090000',
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.com',
      'RECURRENCE-ID;TZID=Europe/Berlin:20261207T090000', 'DTSTART;TZID=Europe/Berlin:20261207T100000', 'SEQUENCE:1',
      'DTSTART;VALUE=DATE:20261224', 'DTEND;VALUE=DATE:20261227', 'TRANSP:TRANSPARENT',
      'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
    ]));
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(4);
    expect(lines.filter((l) => l === 'BEGIN:VTIMEZONE')).toHaveLength(1);
  });

  it('derives VTIMEZONE rules from the zone (EU last Sundays; none for zones without DST)', () => {
    expect(vtimezone('Europe/Berlin', 2026)).toEqual([
      'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
      'BEGIN:DAYLIGHT', 'DTSTART:20260329T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
      'BEGIN:STANDARD', 'DTSTART:20261025T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
      'END:VTIMEZONE',
    ]);
    expect(vtimezone('America/New_York', 2026)).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(vtimezone('Asia/Kolkata', 2026)).toEqual(['BEGIN:VTIMEZONE', 'TZID:Asia/Kolkata', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530', 'END:STANDARD', 'END:VTIMEZONE']);
  });
});
