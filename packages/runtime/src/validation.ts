import { isValidTimeZone } from '@flowforge/time';
import { badInput } from './errors.js';

export function requireTimeZone(timeZone: string, field = 'timezone'): string {
  if (!isValidTimeZone(timeZone)) throw badInput(`"${timeZone}" is not an IANA time zone; use a name like "Europe/Berlin" or "America/New_York".`, field);
  return timeZone;
}

/** Trims and bounds a free-text field, naming the field in the error. */
export function requireText(value: string, field: string, { min = 1, max }: { min?: number; max: number }): string {
  const trimmed = value.trim();
  if ([...trimmed].length < min) throw badInput(min === 1 ? `${field} must not be empty.` : `${field} needs at least ${min} characters.`, field);
  if ([...trimmed].length > max) throw badInput(`${field} can have at most ${max} characters.`, field);
  return trimmed;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else can only be a mistake, so say so instead of "not found". */
export function requireId(value: string, field: string): string {
  if (!UUID.test(value)) throw badInput(`${field} "${value.slice(0, 60)}" is not a valid id.`, field);
  return value.toLowerCase();
}
