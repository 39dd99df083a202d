import { uuidv7 } from './ids.js';
import type { Domain, EventEnvelope } from './types.js';

export interface CreateEventInput<TData> {
  domain: Domain;
  /** Full type, `flowforge.<domain>.<aggregate>.<what happened>`, e.g. "flowforge.focus.session.ended". */
  type: string;
  /** The aggregate id: the Kafka key, so events about one aggregate stay in order. */
  subject: string;
  /** Organization id (see the event catalog for events that are not about one organization). */
  tenant: string;
  data: TData;
  schemaVersion?: number;
  /** When the change happened (default: now). */
  time?: Date;
}

const DOMAINS: ReadonlySet<string> = new Set<Domain>(['orgs', 'focus', 'habits', 'calendar', 'insights', 'integrations']);

/** Builds a CloudEvents-shaped envelope: time-ordered UUID id, ISO time, source `/flowforge/<domain>`. */
export function createEvent<TData>({ domain, type, subject, tenant, data, schemaVersion = 1, time = new Date() }: CreateEventInput<TData>): EventEnvelope<TData> {
  if (!DOMAINS.has(domain)) throw new Error(`Unknown event domain ${JSON.stringify(domain)}`);
  const prefix = `flowforge.${domain}.`;
  if (!type.startsWith(prefix) || type.length === prefix.length) throw new Error(`Event type ${JSON.stringify(type)} must start with "${prefix}"`);
  if (!subject) throw new Error(`Event ${type} needs a subject (the aggregate id)`);
  if (!tenant) throw new Error(`Event ${type} needs a tenant`);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) throw new Error(`schemaVersion must be a positive integer; got ${schemaVersion}`);
  return {
    specversion: '1.0',
    id: uuidv7(time.getTime()),
    source: `/flowforge/${domain}`,
    type,
    time: time.toISOString(),
    subject,
    datacontenttype: 'application/json',
    tenant,
    schemaversion: schemaVersion,
    data,
  };
}

/** The domain an envelope came from (from its source), e.g. "focus". */
export function domainOf(event: Pick<EventEnvelope, 'source'>): Domain {
  const domain = event.source.replace(/^\/flowforge\//, '');
  if (!DOMAINS.has(domain)) throw new Error(`Event source ${JSON.stringify(event.source)} is not a FlowForge domain`);
  return domain as Domain;
}

/** Checks the shape of an envelope read from a broker or a database (throws with what is wrong). */
export function parseEnvelope(value: unknown): EventEnvelope {
  const raw = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!raw || typeof raw !== 'object') throw new Error('Event envelope is not an object');
  const event = raw as Record<string, unknown>;
  for (const field of ['id', 'source', 'type', 'time', 'subject', 'tenant'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') throw new Error(`Event envelope has no ${field}`);
  }
  if (event.specversion !== '1.0') throw new Error(`Unsupported CloudEvents specversion ${String(event.specversion)}`);
  return raw as EventEnvelope;
}
