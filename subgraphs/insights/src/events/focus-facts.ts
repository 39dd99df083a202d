/**
 * The focus_session_facts projection, fed by `flowforge.focus.session.ended` (topic flowforge.focus).
 * Documented data shape (schemaversion 1): { sessionId, userId, organizationId, state, plannedMinutes,
 * actualMinutes, category, rating, startedAt, endedAt }, plus `interruptionCount` and
 * `notes` when the producer sends them. Applied once per event id (processed_events).
 */
import { PoisonEventError, type EventEnvelope } from '@flowforge/events';
import type { FactInput, FactRepository } from '../data/facts.js';
import type { PrismaClient } from '../generated/prisma/client.js';

/** What the projection needs of a transaction client. */
export type FactsTx = Pick<PrismaClient, 'focusSessionFact'>;

export const FOCUS_TOPIC = 'flowforge.focus';
export const SESSION_ENDED = 'flowforge.focus.session.ended';
/** Consumer name (the backbone's group is flowforge.insights.focus-facts). */
export const FOCUS_FACTS_CONSUMER = 'focus-facts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The event can never be applied: dead-lettered at once, without retries. */
export class MalformedEventError extends PoisonEventError {}

function field<T>(data: Record<string, unknown>, name: string, check: (v: unknown) => boolean, optional = false): T {
  const value = data[name];
  if ((value === undefined || value === null) && optional) return null as T;
  if (!check(value)) throw new MalformedEventError(`${SESSION_ENDED}: data.${name} is missing or invalid (${JSON.stringify(value)?.slice(0, 80)})`);
  return value as T;
}

const isUuid = (v: unknown) => typeof v === 'string' && UUID.test(v);
const isInstant = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isString = (v: unknown) => typeof v === 'string';

/** The fact an event describes; null for event types this projection ignores. Throws on a malformed session.ended. */
export function factFromEvent(event: EventEnvelope): FactInput | null {
  if (event.type !== SESSION_ENDED) return null;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const organizationId = field<string>(data, 'organizationId', isUuid);
  if (event.tenant && event.tenant !== organizationId) throw new MalformedEventError(`${SESSION_ENDED}: tenant ${event.tenant} differs from data.organizationId ${organizationId}`);
  const rating = field<number | null>(data, 'rating', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5, true);
  const interruptions = field<number | null>(data, 'interruptionCount', (v) => Number.isInteger(v) && (v as number) >= 0, true);
  return {
    sessionId: field<string>(data, 'sessionId', isUuid),
    organizationId,
    userId: field<string>(data, 'userId', isUuid),
    startedAt: new Date(field<string>(data, 'startedAt', isInstant)),
    endedAt: data.endedAt ? new Date(field<string>(data, 'endedAt', isInstant)) : null,
    plannedMinutes: Math.round(field<number>(data, 'plannedMinutes', isNumber)),
    actualMinutes: field<number>(data, 'actualMinutes', isNumber),
    rating,
    interruptions,
    category: field<string | null>(data, 'category', isString, true),
    notes: field<string | null>(data, 'notes', isString, true),
    source: 'event',
    eventId: isUuid(event.id) ? event.id : null,
  };
}

/** The event handler: project, then tell the retrain scheduler the organization has new data. */
export class FocusFactsProjection {
  constructor(private readonly facts: FactRepository, private readonly onNewFact: (organizationId: string) => void) {}

  readonly handle = async (event: EventEnvelope): Promise<boolean> => {
    const fact = factFromEvent(event);
    if (!fact) return false;
    const applied = await this.facts.applyOnce(FOCUS_FACTS_CONSUMER, event.id, fact);
    if (applied) this.onNewFact(fact.organizationId);
    return applied;
  };

  /**
   * For the event backbone's subscribe(), which runs the handler inside consumeOnce: the fact is
   * written with the backbone's transaction (its processed_events row commits with it), so this
   * path does not record the event itself.
   */
  readonly handleInTransaction = async (event: EventEnvelope, tx: unknown): Promise<void> => {
    const fact = factFromEvent(event);
    if (!fact) return;
    const { sessionId, ...rest } = fact;
    await (tx as FactsTx).focusSessionFact.upsert({ where: { sessionId }, create: fact, update: rest });
    this.onNewFact(fact.organizationId); // debounced: runs well after the commit
  };
}
