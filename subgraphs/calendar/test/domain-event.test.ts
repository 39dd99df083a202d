import { rejection } from '@flowforge/testing';
import { changesSeriesShape, validateCalendar, validateEvent, validateEventTimes, validateRange } from '../src/domain/event.js';

describe('validateEventTimes', () => {
  it('accepts an end after the start, up to exactly 14 days', () => {
    expect(validateEventTimes('2026-12-01T09:00:00Z', '2026-12-01T09:15:00Z')).toEqual({ startsAt: new Date('2026-12-01T09:00:00Z'), endsAt: new Date('2026-12-01T09:15:00Z') });
    expect(validateEventTimes(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-15T00:00:00Z')).endsAt).toEqual(new Date('2026-12-15T00:00:00Z'));
  });

  it('rejects an end at or before the start, and events longer than 14 days', () => {
    expect(rejection(() => validateEventTimes('2026-12-01T09:00:00Z', '2026-12-01T09:00:00Z'))).toEqual({ message: 'endsAt must be after startsAt.', code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(rejection(() => validateEventTimes('2026-12-01T00:00:00Z', '2026-12-15T00:00:01Z'))).toEqual({ message: 'An event can last at most 14 days; endsAt is too late.', code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(rejection(() => validateEventTimes('not a date', '2026-12-01T09:00:00Z'))).toEqual({ message: 'startsAt must be a valid date-time.', code: 'BAD_USER_INPUT', field: 'startsAt' });
  });
});

describe('validateRange', () => {
  it('accepts up to exactly 93 days and rejects more or a to not after from', () => {
    expect(validateRange('2026-01-01T00:00:00Z', '2026-04-04T00:00:00Z')).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-04T00:00:00Z') });
    expect(rejection(() => validateRange('2026-01-01T00:00:00Z', '2026-04-04T00:00:01Z'))).toEqual({ message: 'The range from..to can span at most 93 days.', code: 'BAD_USER_INPUT', field: 'to' });
    expect(rejection(() => validateRange('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'))).toEqual({ message: 'to must be after from.', code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe('validateEvent', () => {
  const base = { title: ' Standup ', startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-01T09:15:00Z', timezone: 'Europe/Berlin' };

  it('trims the title and defaults allDay, busy, recurrence and attendees', () => {
    expect(validateEvent(base)).toEqual({
      title: 'Standup', description: null,
      startsAt: new Date('2026-12-01T09:00:00Z'), endsAt: new Date('2026-12-01T09:15:00Z'),
      timezone: 'Europe/Berlin', allDay: false, startDate: null, endDate: null, rrule: null, attendees: [], busy: true,
    });
  });

  it('stores all-day events with local dates and local-midnight instants (DST-aware)', () => {
    const event = validateEvent({ title: 'Trip', timezone: 'Europe/Berlin', allDay: true, startDate: '2026-03-28', endDate: '2026-03-29' });
    expect(event).toMatchObject({ allDay: true, startDate: '2026-03-28', endDate: '2026-03-29' });
    expect(event.startsAt).toEqual(new Date('2026-03-27T23:00:00Z'));
    // Sunday 29 March 2026 is 23 hours long in Berlin: the end is midnight CEST.
    expect(event.endsAt).toEqual(new Date('2026-03-29T22:00:00Z'));
    expect(rejection(() => validateEvent({ title: 'x', timezone: 'UTC', allDay: true }))).toEqual({ message: 'startDate (YYYY-MM-DD) is required for an all-day event.', code: 'BAD_USER_INPUT', field: 'startDate' });
    expect(rejection(() => validateEvent({ title: 'x', timezone: 'UTC', allDay: true, startDate: '2026-02-30' })).field).toBe('startDate');
    expect(rejection(() => validateEvent({ title: 'x', timezone: 'UTC', allDay: true, startDate: '2026-03-02', endDate: '2026-03-01' }))).toEqual({ message: 'endDate must not be before startDate.', code: 'BAD_USER_INPUT', field: 'endDate' });
  });

  it('normalizes recurrence and attendees', () => {
    const event = validateEvent({ ...base, recurrence: 'rrule:freq=weekly;byday=mo,we', attendees: [{ email: ' Ada@Example.com ' }, { email: 'bob@example.com', responseStatus: 'ACCEPTED' }] });
    expect(event.rrule).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    expect(event.attendees).toEqual([{ email: 'ada@example.com', responseStatus: 'NEEDS_ACTION' }, { email: 'bob@example.com', responseStatus: 'ACCEPTED' }]);
    expect(rejection(() => validateEvent({ ...base, attendees: [{ email: 'a@b.co' }, { email: 'A@b.co' }] }))).toEqual({ message: 'attendees lists a@b.co twice.', code: 'BAD_USER_INPUT', field: 'attendees.1.email' });
    expect(rejection(() => validateEvent({ ...base, attendees: [{ email: 'nope' }] })).field).toBe('attendees.0.email');
  });

  it('rejects unknown time zones and titles over 200 characters', () => {
    expect(rejection(() => validateEvent({ ...base, timezone: 'Mars/Olympus' }))).toEqual({
      message: '"Mars/Olympus" is not an IANA time zone; use a name like "Europe/Berlin" or "America/New_York".',
      code: 'BAD_USER_INPUT',
      field: 'timezone',
    });
    expect(rejection(() => validateEvent({ ...base, title: 'x'.repeat(201) }))).toEqual({ message: 'title can have at most 200 characters.', code: 'BAD_USER_INPUT', field: 'title' });
  });

  it('applies an update on top of the current event and tells a reshaped series', () => {
    const current = validateEvent({ ...base, recurrence: 'FREQ=DAILY' });
    const renamed = validateEvent({ title: 'Daily' }, current);
    expect(renamed).toMatchObject({ title: 'Daily', rrule: 'FREQ=DAILY', startsAt: current.startsAt });
    expect(changesSeriesShape(current, renamed)).toBe(false);
    const moved = validateEvent({ startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T10:15:00Z' }, current);
    expect(changesSeriesShape(current, moved)).toBe(true);
    expect(validateEvent({ recurrence: '' }, current).rrule).toBeNull();
    expect(rejection(() => validateEvent({ endsAt: '2026-12-01T08:00:00Z' }, current)).field).toBe('endsAt');
  });
});

describe('validateCalendar', () => {
  it('checks the name and color', () => {
    expect(validateCalendar({ name: ' Work ', color: '#AABBCC' })).toEqual({ name: 'Work', color: '#aabbcc' });
    expect(rejection(() => validateCalendar({ name: 'Work', color: 'red' })).field).toBe('color');
    expect(rejection(() => validateCalendar({ name: '  ' })).field).toBe('name');
  });
});
