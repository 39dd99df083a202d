import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@flowforge/auth';
import { badInput, requireText, requireTimeZone } from '@flowforge/runtime';

export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL.test(normalized)) throw badInput(`"${email.slice(0, 80)}" is not an email address.`, 'email');
  return normalized;
}

export function validatePassword(password: string): string {
  if (password.length < PASSWORD_MIN_LENGTH) throw badInput(`The password needs at least ${PASSWORD_MIN_LENGTH} characters.`, 'password');
  if (password.length > PASSWORD_MAX_LENGTH) throw badInput(`The password can have at most ${PASSWORD_MAX_LENGTH} characters.`, 'password');
  return password;
}

export const validateName = (name: string) => requireText(name, 'name', { max: 120 });
export const validateTimeZone = (timezone: string) => requireTimeZone(timezone, 'timezone');

function minutes(clock: string, field: string): number {
  const match = CLOCK.exec(clock);
  if (!match) throw badInput(`workingHours.${field} must be HH:MM on a 24-hour clock, e.g. "09:00"; got "${clock}".`, `workingHours.${field}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function validateWorkingHours(input: WorkingHours): WorkingHours {
  const days = [...new Set(input.days)].sort((a, b) => a - b);
  if (days.length === 0 || days.some((day) => !Number.isInteger(day) || day < 1 || day > 7)) {
    throw badInput('workingHours.days must list ISO weekdays from 1 (Monday) to 7 (Sunday), at least one.', 'workingHours.days');
  }
  if (minutes(input.end, 'end') <= minutes(input.start, 'start')) {
    throw badInput(`workingHours.end (${input.end}) must be after workingHours.start (${input.start}).`, 'workingHours.end');
  }
  return { days, start: input.start, end: input.end };
}

export function readWorkingHours(stored: unknown): WorkingHours {
  const value = stored as Partial<WorkingHours> | null;
  return value && Array.isArray(value.days) && typeof value.start === 'string' && typeof value.end === 'string'
    ? { days: value.days, start: value.start, end: value.end }
    : DEFAULT_WORKING_HOURS;
}
