import { rejection } from '@flowforge/testing';
import { validateCreateEvent, validateEventTimes, validateRange } from '../src/domain/event.js';

describe('validateEventTimes', () => {
  it('accepts an end after the start, up to exactly 14 days', () => {
    expect(validateEventTimes('2026-12-01T09:00:00Z', '2026-12-01T09:15:00Z')).toEqual({ startsAt: new Date('2026-12-01T09:00:00Z'), endsAt: new Date('2026-12-01T09:15:00Z') });
    expect(validateEventTimes(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-15T00:00:00Z')).endsAt).toEqual(new Date('2026-12-15T00:00:00Z'));
  });

  it('rejects an end at or before the start', () => {
    expect(rejection(() => validateEventTimes('2026-12-01T09:00:00Z', '2026-12-01T09:00:00Z'))).toEqual({ message: 'endsAt must be after startsAt.', code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(rejection(() => validateEventTimes('2026-12-01T09:00:00Z', '2026-12-01T08:59:59Z')).field).toBe('endsAt');
  });

  it('rejects events longer than 14 days', () => {
    expect(rejection(() => validateEventTimes('2026-12-01T00:00:00Z', '2026-12-15T00:00:01Z'))).toEqual({ message: 'An event can last at most 14 days; endsAt is too late.', code: 'BAD_USER_INPUT', field: 'endsAt' });
  });

  it('rejects invalid dates naming the field', () => {
    expect(rejection(() => validateEventTimes('not a date', '2026-12-01T09:00:00Z'))).toEqual({ message: 'startsAt must be a valid date-time.', code: 'BAD_USER_INPUT', field: 'startsAt' });
  });
});

describe('validateRange', () => {
  it('accepts up to exactly 93 days', () => {
    expect(validateRange('2026-01-01T00:00:00Z', '2026-04-04T00:00:00Z')).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-04T00:00:00Z') });
  });

  it('rejects 93 days and a second, and a to not after from', () => {
    expect(rejection(() => validateRange('2026-01-01T00:00:00Z', '2026-04-04T00:00:01Z'))).toEqual({ message: 'The range from..to can span at most 93 days.', code: 'BAD_USER_INPUT', field: 'to' });
    expect(rejection(() => validateRange('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'))).toEqual({ message: 'to must be after from.', code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe('validateCreateEvent', () => {
  const base = { title: ' Standup ', startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-01T09:15:00Z', timezone: 'Europe/Berlin' };

  it('trims the title and defaults allDay to false and busy to true', () => {
    expect(validateCreateEvent(base)).toEqual({
      title: 'Standup',
      startsAt: new Date('2026-12-01T09:00:00Z'),
      endsAt: new Date('2026-12-01T09:15:00Z'),
      timezone: 'Europe/Berlin',
      allDay: false,
      busy: true,
    });
    expect(validateCreateEvent({ ...base, allDay: true, busy: false })).toMatchObject({ allDay: true, busy: false });
  });

  it('rejects unknown time zones and titles over 200 characters', () => {
    expect(rejection(() => validateCreateEvent({ ...base, timezone: 'Mars/Olympus' }))).toEqual({
      message: '"Mars/Olympus" is not an IANA time zone; use a name like "Europe/Berlin" or "America/New_York".',
      code: 'BAD_USER_INPUT',
      field: 'timezone',
    });
    expect(rejection(() => validateCreateEvent({ ...base, title: 'x'.repeat(201) }))).toEqual({ message: 'title can have at most 200 characters.', code: 'BAD_USER_INPUT', field: 'title' });
  });
});
