import type { Identity } from '@flowforge/auth';
import { forbidden, notFound, requireId, requirePermission } from '@flowforge/runtime';
import type { CalendarEventRepository, CalendarEventRow } from '../data/events.js';
import { validateCreateEvent, validateRange, type CreateEventInput } from '../domain/event.js';

/** The caller's own calendar in their active organization. */
export class CalendarService {
  constructor(private readonly events: CalendarEventRepository) {}

  create(identity: Identity, input: CreateEventInput): Promise<CalendarEventRow> {
    const member = requirePermission(identity, 'domain:own:write');
    return this.events.create(member.organizationId, member.userId, validateCreateEvent(input));
  }

  async get(identity: Identity, id: string): Promise<CalendarEventRow> {
    const member = requirePermission(identity, 'domain:own:read');
    const event = await this.events.findOwned(member.organizationId, member.userId, requireId(id, 'id'));
    if (!event) throw notFound('No calendar event with that id among your events in the active organization.');
    return event;
  }

  list(identity: Identity, userId: string, from: Date | string, to: Date | string): Promise<CalendarEventRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own calendar events.');
    const range = validateRange(from, to);
    return this.events.overlapping(member.organizationId, member.userId, range.from, range.to);
  }
}
