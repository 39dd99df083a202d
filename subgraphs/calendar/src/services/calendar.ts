import { can, type Identity } from '@flowforge/auth';
import { badInput, forbidden, notFound, requireId, requirePermission, type MemberIdentity, type SubgraphEvents } from '@flowforge/runtime';
import { randomUUID } from 'node:crypto';
import type { CalendarRepository, CalendarRow } from '../data/calendars.js';
import type { Db, Tx } from '../data/db.js';
import { eventData, toValidEvent, type CalendarEventRepository, type CalendarEventRow } from '../data/events.js';
import { changesSeriesShape, validateCalendar, validateEvent, validateRange, type EventInput } from '../domain/event.js';
import { expandOccurrences, isOccurrenceStart } from '../domain/recurrence.js';
import { ALL_SYNCED_FIELDS, calendarEventChanged, CalendarEvents, changedSyncedFields, connectionOfCalendar, type ProviderLink } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';

export interface OccurrenceView {
  id: string;
  event: CalendarEventRow;
  title: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  busy: boolean;
  recurring: boolean;
  originalStartsAt: Date | null;
}

export type CreateEventInput = EventInput & { calendarId?: string | null; title: string; timezone: string };
export type UpdateEventInput = EventInput & { calendarId?: string | null };
export type OccurrenceInput = Omit<EventInput, 'timezone' | 'allDay' | 'recurrence'>;

const NOT_FOUND = 'No calendar event with that id among your events in the active organization.';
const newEtag = () => randomUUID().replaceAll('-', '');

/** The caller's own calendars and events in their active organization. */
export class CalendarService {
  constructor(
    private readonly db: PrismaClient,
    private readonly calendars: CalendarRepository,
    private readonly events: CalendarEventRepository,
    private readonly bus: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
  ) {}

  private writer(identity: Identity): MemberIdentity {
    return requirePermission(identity, 'domain:own:write');
  }

  private reader(identity: Identity, userId?: string): MemberIdentity {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== undefined && userId !== member.userId) throw forbidden('You can only read your own calendar.');
    return member;
  }

  async listCalendars(identity: Identity, userId?: string): Promise<CalendarRow[]> {
    const member = this.reader(identity, userId);
    const list = await this.calendars.listOwned(this.db, member.organizationId, member.userId);
    if (list.some((c) => c.isDefault)) return list;
    // VIEWERs only read: they see the default calendar once a writer's first use created it.
    if (!can(member.role, 'domain:own:write')) return list;
    await this.calendars.ensureDefault(this.db, member.organizationId, member.userId);
    return this.calendars.listOwned(this.db, member.organizationId, member.userId);
  }

  async createCalendar(identity: Identity, input: { name: string; color?: string | null }): Promise<CalendarRow> {
    const member = this.writer(identity);
    const valid = validateCalendar(input);
    await this.calendars.ensureDefault(this.db, member.organizationId, member.userId);
    return this.calendars.create(this.db, member.organizationId, member.userId, valid);
  }

  calendarById(id: string): Promise<CalendarRow | null> {
    return this.calendars.findById(this.db, id);
  }

  private async calendarFor(tx: Db, member: MemberIdentity, calendarId: string | null | undefined): Promise<CalendarRow> {
    const calendar = await this.calendars.findOwned(tx, member.organizationId, member.userId, requireId(calendarId!, 'calendarId'));
    if (!calendar) throw notFound('No calendar with that calendarId among your calendars in the active organization.');
    return calendar;
  }

  async create(identity: Identity, input: CreateEventInput): Promise<CalendarEventRow> {
    const member = this.writer(identity);
    const valid = validateEvent(input);
    const calendarId = input.calendarId ? null : (await this.calendars.ensureDefault(this.db, member.organizationId, member.userId)).id;
    return this.bus.transaction(async (tx) => {
      const calendar = calendarId ?? (await this.calendarFor(tx, member, input.calendarId)).id;
      const row = await tx.calendarEvent.create({ data: { organizationId: member.organizationId, userId: member.userId, calendarId: calendar, source: 'LOCAL', etag: newEtag(), ...eventData(valid) } });
      await this.bus.publish(tx, [calendarEventChanged(CalendarEvents.eventCreated, row)]);
      return row;
    });
  }

  async get(identity: Identity, id: string): Promise<CalendarEventRow> {
    const member = this.reader(identity);
    const event = await this.events.findOwned(this.db, member.organizationId, member.userId, requireId(id, 'id'));
    if (!event) throw notFound(NOT_FOUND);
    return event;
  }

  private async owned(tx: Db, member: MemberIdentity, id: string): Promise<CalendarEventRow> {
    const event = await this.events.findOwned(tx, member.organizationId, member.userId, requireId(id, 'id'));
    if (!event) throw notFound(NOT_FOUND);
    return event;
  }

  /** A local change of a provider event: integrations pushes it to the provider (see CalendarEventChangedData). */
  private async localLink(tx: Db, before: CalendarEventRow, after: CalendarEventRow): Promise<ProviderLink | undefined> {
    if (before.source === 'LOCAL' || !before.externalId) return undefined;
    const calendar = await tx.calendar.findUnique({ where: { id: before.calendarId }, select: { externalId: true } });
    return { connectionId: connectionOfCalendar(calendar?.externalId), fromProviderSync: false, changedFields: after.deletedAt ? ALL_SYNCED_FIELDS : changedSyncedFields(before, after) };
  }

  update(identity: Identity, id: string, input: UpdateEventInput): Promise<CalendarEventRow> {
    const member = this.writer(identity);
    return this.bus.transaction(async (tx) => {
      const current = await this.owned(tx, member, id);
      if (current.recurringEventId) {
        if (input.recurrence) throw badInput('This event is an edited occurrence of a series; it cannot have its own recurrence.', 'recurrence');
        if (input.timezone && input.timezone !== current.timezone) throw badInput('An edited occurrence keeps its series\' time zone.', 'timezone');
        if (input.allDay !== undefined && input.allDay !== null && input.allDay !== current.allDay) throw badInput('An edited occurrence keeps its series\' allDay.', 'allDay');
      }
      const before = toValidEvent(current);
      const valid = validateEvent(input, before);
      const calendarId = input.calendarId ? (await this.calendarFor(tx, member, input.calendarId)).id : current.calendarId;
      const reshaped = current.rrule !== null && changesSeriesShape(before, valid);
      if (reshaped) {
        // A different series: its edited and deleted occurrences no longer apply (as in Google Calendar).
        await tx.calendarEvent.updateMany({ where: { recurringEventId: current.id, deletedAt: null }, data: { deletedAt: new Date(), etag: newEtag(), sequence: { increment: 1 } } });
      }
      const row = await tx.calendarEvent.update({
        where: { id: current.id },
        data: { ...eventData(valid), calendarId, etag: newEtag(), sequence: { increment: 1 }, ...(reshaped && { exdates: [] }) },
      });
      await this.bus.publish(tx, [calendarEventChanged(CalendarEvents.eventUpdated, row, await this.localLink(tx, current, row))]);
      return row;
    });
  }

  delete(identity: Identity, id: string): Promise<CalendarEventRow> {
    const member = this.writer(identity);
    return this.bus.transaction(async (tx) => {
      const current = await this.owned(tx, member, id);
      const deletedAt = new Date();
      const overrides = current.rrule ? await tx.calendarEvent.findMany({ where: { recurringEventId: current.id, deletedAt: null } }) : [];
      const rows = [current, ...overrides];
      const deleted: CalendarEventRow[] = [];
      for (const r of rows) deleted.push(await tx.calendarEvent.update({ where: { id: r.id }, data: { deletedAt, etag: newEtag(), sequence: { increment: 1 } } }));
      if (current.recurringEventId && current.originalStartsAt) {
        // Deleting an edited occurrence deletes that occurrence of the series too.
        const series = await tx.calendarEvent.findUnique({ where: { id: current.recurringEventId } });
        if (series && !series.exdates.some((d) => d.getTime() === current.originalStartsAt!.getTime())) {
          const updated = await tx.calendarEvent.update({ where: { id: series.id }, data: { exdates: { push: current.originalStartsAt }, etag: newEtag(), sequence: { increment: 1 } } });
          await this.bus.publish(tx, [calendarEventChanged(CalendarEvents.eventUpdated, updated)]);
        }
      }
      const before = new Map(rows.map((r) => [r.id, r]));
      const published = [];
      for (const r of deleted) published.push(calendarEventChanged(CalendarEvents.eventDeleted, r, await this.localLink(tx, before.get(r.id)!, r)));
      await this.bus.publish(tx, published);
      return deleted[0]!;
    });
  }

  private async occurrenceOf(tx: Db, member: MemberIdentity, eventId: string, originalStartsAt: Date | string) {
    const series = await this.owned(tx, member, eventId);
    if (!series.rrule) throw badInput('This event does not recur; use updateCalendarEvent or deleteCalendarEvent.', 'eventId');
    const original = new Date(originalStartsAt);
    if (Number.isNaN(original.getTime())) throw badInput('originalStartsAt must be a valid date-time.', 'originalStartsAt');
    const excluded = series.exdates.some((d) => d.getTime() === original.getTime());
    if (excluded || !isOccurrenceStart({ ...series, exdates: [] }, original)) {
      throw badInput(`The series has no${excluded ? ' remaining' : ''} occurrence starting at ${original.toISOString()}; use the originalStartsAt of an occurrence from User.calendarEvents.`, 'originalStartsAt');
    }
    return { series, original };
  }

  updateOccurrence(identity: Identity, eventId: string, originalStartsAt: Date | string, input: OccurrenceInput): Promise<CalendarEventRow> {
    const member = this.writer(identity);
    return this.bus.transaction(async (tx) => {
      const { series, original } = await this.occurrenceOf(tx, member, eventId, originalStartsAt);
      const existing = await this.events.findOverride(tx, series.id, original);
      const occurrence = expandOccurrences({ ...series, exdates: [] }, { start: original.getTime(), end: original.getTime() + 1 }).find((o) => o.originalStart === original.getTime())!;
      const base = existing && !existing.deletedAt ? toValidEvent(existing) : {
        ...toValidEvent(series),
        startsAt: new Date(occurrence.start),
        endsAt: new Date(occurrence.end),
        startDate: occurrence.startDate,
        endDate: occurrence.endDate,
        rrule: null,
      };
      const valid = validateEvent({ ...input, recurrence: null }, base);
      const data = { ...eventData(valid), rrule: null, etag: newEtag() };
      const row = existing
        ? await tx.calendarEvent.update({ where: { id: existing.id }, data: { ...data, deletedAt: null, sequence: { increment: 1 } } })
        : await tx.calendarEvent.create({ data: { ...data, organizationId: member.organizationId, userId: member.userId, calendarId: series.calendarId, source: series.source, recurringEventId: series.id, originalStartsAt: original } });
      await this.bus.publish(tx, [calendarEventChanged(existing ? CalendarEvents.eventUpdated : CalendarEvents.eventCreated, row)]);
      return row;
    });
  }

  deleteOccurrence(identity: Identity, eventId: string, originalStartsAt: Date | string): Promise<CalendarEventRow> {
    const member = this.writer(identity);
    return this.bus.transaction(async (tx) => {
      const { series, original } = await this.occurrenceOf(tx, member, eventId, originalStartsAt);
      const override = await this.events.findOverride(tx, series.id, original);
      const published = [];
      if (override && !override.deletedAt) {
        const gone = await tx.calendarEvent.update({ where: { id: override.id }, data: { deletedAt: new Date(), etag: newEtag(), sequence: { increment: 1 } } });
        published.push(calendarEventChanged(CalendarEvents.eventDeleted, gone));
      }
      const row = await tx.calendarEvent.update({ where: { id: series.id }, data: { exdates: { push: original }, etag: newEtag(), sequence: { increment: 1 } } });
      published.push(calendarEventChanged(CalendarEvents.eventUpdated, row));
      await this.bus.publish(tx, published);
      return row;
    });
  }

  /** Occurrences overlapping [from, to), recurrences expanded, by start. */
  async occurrences(db: Db, organizationId: string, userId: string, from: Date, to: Date): Promise<OccurrenceView[]> {
    const { singles, series, overrides } = await this.events.inRange(db, organizationId, userId, from, to);
    const edited = new Map<string, Set<number>>();
    for (const o of overrides) {
      if (!edited.has(o.recurringEventId)) edited.set(o.recurringEventId, new Set());
      edited.get(o.recurringEventId)!.add(o.originalStartsAt.getTime());
    }
    const out: OccurrenceView[] = singles.map((event) => ({
      id: event.recurringEventId ? `${event.recurringEventId}:${event.originalStartsAt!.toISOString()}` : event.id,
      event,
      title: event.title,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      timezone: event.timezone,
      allDay: event.allDay,
      startDate: event.startDate,
      endDate: event.endDate,
      busy: event.busy,
      recurring: event.recurringEventId !== null,
      originalStartsAt: event.originalStartsAt,
    }));
    for (const event of series) {
      for (const o of expandOccurrences(event, { start: from.getTime(), end: to.getTime() }, edited.get(event.id))) {
        out.push({
          id: `${event.id}:${new Date(o.originalStart).toISOString()}`,
          event,
          title: event.title,
          startsAt: new Date(o.start),
          endsAt: new Date(o.end),
          timezone: event.timezone,
          allDay: event.allDay,
          startDate: o.startDate,
          endDate: o.endDate,
          busy: event.busy,
          recurring: true,
          originalStartsAt: new Date(o.originalStart),
        });
      }
    }
    return out.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async list(identity: Identity, userId: string, from: Date | string, to: Date | string): Promise<OccurrenceView[]> {
    const member = this.reader(identity, userId);
    const range = validateRange(from, to);
    return this.occurrences(this.db, member.organizationId, member.userId, range.from, range.to);
  }
}
