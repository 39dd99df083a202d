/**
 * RFC 5545 iCalendar output: pure. CRLF line endings, TEXT escaping, lines folded at 75 octets
 * (never inside a UTF-8 character). Single timed events use UTC; recurring timed events use their
 * TZID (so clients repeat them at the same local time across DST) with a VTIMEZONE describing it.
 */
import { formatDayNumber, MS_PER_DAY, offsetMs, wallClock } from '@flowforge/time';

export interface IcsEvent {
  uid: string;
  summary: string;
  description?: string | null;
  timezone: string;
  allDay: boolean;
  startsAt: Date;
  endsAt: Date;
  /** All-day: first and last (inclusive) local date. */
  startDate?: string | null;
  endDate?: string | null;
  rrule?: string | null;
  exdates?: readonly Date[];
  /** An edited occurrence: the original start of the occurrence it replaces. */
  recurrenceId?: Date | null;
  /** The series it belongs to is timed and uses TZID (overrides of it do too). */
  busy: boolean;
  sequence: number;
  updatedAt: Date;
  createdAt?: Date;
  attendees?: readonly { email: string; responseStatus: string }[];
  categories?: string;
}

export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line at 75 octets: CRLF followed by a space, never splitting a character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // continuation lines start with a space
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

export function formatUtc(date: Date): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}

function formatLocal(date: Date, timeZone: string): string {
  const w = wallClock(date.getTime(), timeZone);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

const compactDate = (date: string) => date.replaceAll('-', '');

function formatOffset(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
}

interface Transition {
  at: number;
  from: number;
  to: number;
}

/** Offset changes of `timeZone` during `year` (to the minute). */
function transitions(timeZone: string, year: number): Transition[] {
  const out: Transition[] = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prev = offsetMs(start, timeZone);
  for (let t = start + MS_PER_DAY; t <= end; t += MS_PER_DAY) {
    const off = offsetMs(t, timeZone);
    if (off !== prev) {
      let lo = t - MS_PER_DAY;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetMs(mid, timeZone) === prev) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, from: prev, to: off });
      prev = off;
    }
  }
  return out;
}

const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * A VTIMEZONE for `timeZone`: its DST rules as yearly RRULEs derived from the transitions of
 * `year` (nth or last weekday of the month, as every zone with DST uses today), or one STANDARD
 * component for zones without DST.
 */
export function vtimezone(timeZone: string, year: number): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  const changes = transitions(timeZone, year);
  if (changes.length === 0) {
    const off = formatOffset(offsetMs(Date.UTC(year, 0, 1), timeZone));
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${off}`, `TZOFFSETTO:${off}`, 'END:STANDARD');
  } else {
    for (const change of changes) {
      const kind = change.to > change.from ? 'DAYLIGHT' : 'STANDARD';
      const local = new Date(change.at + change.from); // wall time before the change
      const day = local.getUTCDate();
      const daysInMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
      const nth = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
      lines.push(
        `BEGIN:${kind}`,
        `DTSTART:${local.toISOString().replace(/[-:]/g, '').slice(0, 15)}`,
        `TZOFFSETFROM:${formatOffset(change.from)}`,
        `TZOFFSETTO:${formatOffset(change.to)}`,
        `RRULE:FREQ=YEARLY;BYMONTH=${local.getUTCMonth() + 1};BYDAY=${nth}${DAYS[local.getUTCDay()]}`,
        `END:${kind}`,
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

const PARTSTAT: Record<string, string> = { NEEDS_ACTION: 'NEEDS-ACTION', ACCEPTED: 'ACCEPTED', DECLINED: 'DECLINED', TENTATIVE: 'TENTATIVE' };

function eventLines(event: IcsEvent, useTzid: boolean, now: Date): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${event.uid}`, `DTSTAMP:${formatUtc(now)}`];
  const instant = (name: string, date: Date) => (useTzid ? `${name};TZID=${event.timezone}:${formatLocal(date, event.timezone)}` : `${name}:${formatUtc(date)}`);
  if (event.allDay && event.startDate && event.endDate) {
    lines.push(`DTSTART;VALUE=DATE:${compactDate(event.startDate)}`);
    const after = formatDayNumber(Math.round(Date.parse(`${event.endDate}T00:00:00Z`) / MS_PER_DAY) + 1);
    lines.push(`DTEND;VALUE=DATE:${compactDate(after)}`);
  } else {
    lines.push(instant('DTSTART', event.startsAt), instant('DTEND', event.endsAt));
  }
  if (event.recurrenceId) {
    lines.push(event.allDay ? `RECURRENCE-ID;VALUE=DATE:${compactDate(formatDayNumber(Math.floor((event.recurrenceId.getTime() + offsetMs(event.recurrenceId.getTime(), event.timezone)) / MS_PER_DAY)))}` : instant('RECURRENCE-ID', event.recurrenceId));
  }
  if (event.rrule) lines.push(`RRULE:${event.rrule}`);
  for (const exdate of event.exdates ?? []) {
    if (event.allDay) lines.push(`EXDATE;VALUE=DATE:${compactDate(formatDayNumber(Math.floor((exdate.getTime() + offsetMs(exdate.getTime(), event.timezone)) / MS_PER_DAY)))}`);
    else lines.push(instant('EXDATE', exdate));
  }
  lines.push(`SUMMARY:${escapeText(event.summary)}`);
  if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.categories) lines.push(`CATEGORIES:${escapeText(event.categories)}`);
  for (const attendee of event.attendees ?? []) lines.push(`ATTENDEE;PARTSTAT=${PARTSTAT[attendee.responseStatus] ?? 'NEEDS-ACTION'}:mailto:${attendee.email}`);
  lines.push(`TRANSP:${event.busy ? 'OPAQUE' : 'TRANSPARENT'}`, `SEQUENCE:${event.sequence}`, `LAST-MODIFIED:${formatUtc(event.updatedAt)}`);
  if (event.createdAt) lines.push(`CREATED:${formatUtc(event.createdAt)}`);
  lines.push('END:VEVENT');
  return lines;
}

/** A whole VCALENDAR. `seriesZones`: UIDs of timed recurring series, whose overrides use TZID too. */
export function renderCalendar(options: { name: string; events: readonly IcsEvent[]; now: Date }): string {
  const tzidSeries = new Set(options.events.filter((e) => e.rrule && !e.allDay).map((e) => e.uid));
  const zones = new Map<string, number>();
  for (const event of options.events) {
    if (tzidSeries.has(event.uid) && !event.allDay) {
      const year = event.startsAt.getUTCFullYear();
      zones.set(event.timezone, Math.min(zones.get(event.timezone) ?? year, year));
    }
  }
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//FlowForge//Calendar//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(options.name)}`];
  for (const [zone, year] of [...zones].sort()) lines.push(...vtimezone(zone, year));
  for (const event of options.events) lines.push(...eventLines(event, tzidSeries.has(event.uid) && !event.allDay, options.now));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
