/**
 * Pure domain logic for focus sessions: the session state machine, time
 * accounting and input validation. No I/O, no Prisma, no GraphQL.
 */

export type SessionState = 'ACTIVE' | 'PAUSED' | 'COMPLETED';

export interface PauseInterval {
  startedAt: Date;
  /** `null` while the pause is still open. */
  endedAt: Date | null;
}

export type DomainErrorCode = 'BAD_USER_INPUT' | 'CONFLICT';

/**
 * An error caused by the caller (bad input or an illegal state transition).
 * `code` maps 1:1 onto GraphQL error extension codes; `message` is meant to be
 * shown to the user and says what to do about it.
 */
export class DomainError extends Error {
  public readonly code: DomainErrorCode;
  /** The input field at fault, for BAD_USER_INPUT (GraphQL `extensions.field`). */
  public readonly field: string | undefined;

  constructor(code: DomainErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

// ---------------------------------------------------------------------------
// Time accounting
// ---------------------------------------------------------------------------

const MS_PER_MINUTE = 60_000;

function assertValidDate(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new DomainError('BAD_USER_INPUT', `${field} must be a valid date.`, field);
  }
}

/**
 * Minutes actually spent focusing: the elapsed time between `startedAt` and
 * `endedAt` minus the time spent in pauses. A pause that is still open
 * (`endedAt === null`) counts until `endedAt` of the session. Pauses are
 * clipped to the session and overlapping pauses are only counted once.
 *
 * The result is rounded to 0.1 minute and never negative.
 */
export function actualFocusMinutes(startedAt: Date, endedAt: Date, pauses: readonly PauseInterval[]): number {
  assertValidDate(startedAt, 'startedAt');
  assertValidDate(endedAt, 'endedAt');
  const start = startedAt.getTime();
  const end = endedAt.getTime();
  if (end <= start) return 0;

  // Clip every pause to [start, end], then merge overlaps so nothing is
  // subtracted twice.
  const clipped: Array<[number, number]> = [];
  for (const pause of pauses) {
    assertValidDate(pause.startedAt, 'pause.startedAt');
    if (pause.endedAt !== null) assertValidDate(pause.endedAt, 'pause.endedAt');
    const pStart = Math.max(start, pause.startedAt.getTime());
    const pEnd = Math.min(end, pause.endedAt === null ? end : pause.endedAt.getTime());
    if (pEnd > pStart) clipped.push([pStart, pEnd]);
  }
  clipped.sort((a, b) => a[0] - b[0]);

  let pausedMs = 0;
  let curStart = Number.NaN;
  let curEnd = Number.NaN;
  for (const [s, e] of clipped) {
    if (Number.isNaN(curStart)) {
      curStart = s;
      curEnd = e;
    } else if (s <= curEnd) {
      curEnd = Math.max(curEnd, e);
    } else {
      pausedMs += curEnd - curStart;
      curStart = s;
      curEnd = e;
    }
  }
  if (!Number.isNaN(curStart)) pausedMs += curEnd - curStart;

  const focusMs = Math.max(0, end - start - pausedMs);
  // Round to 0.1 minute (= 6 seconds) using integer arithmetic to avoid float noise.
  return Math.round(focusMs / (MS_PER_MINUTE / 10)) / 10;
}

// ---------------------------------------------------------------------------
// State machine
// ---------------------------------------------------------------------------

const ENDED_MESSAGE = 'This session has already ended; start a new session to keep focusing.';

function unknownState(state: never): DomainError {
  return new DomainError('BAD_USER_INPUT', `Unknown session state "${String(state)}"; expected ACTIVE, PAUSED or COMPLETED.`);
}

/** ACTIVE → PAUSED */
export function assertCanPause(state: SessionState): void {
  switch (state) {
    case 'ACTIVE':
      return;
    case 'PAUSED':
      throw new DomainError('CONFLICT', 'This session is already paused; resume it before pausing again.');
    case 'COMPLETED':
      throw new DomainError('CONFLICT', ENDED_MESSAGE);
    default:
      throw unknownState(state);
  }
}

/** PAUSED → ACTIVE */
export function assertCanResume(state: SessionState): void {
  switch (state) {
    case 'PAUSED':
      return;
    case 'ACTIVE':
      throw new DomainError('CONFLICT', 'This session is not paused, so there is nothing to resume; pause it first.');
    case 'COMPLETED':
      throw new DomainError('CONFLICT', ENDED_MESSAGE);
    default:
      throw unknownState(state);
  }
}

/** ACTIVE | PAUSED → COMPLETED */
export function assertCanEnd(state: SessionState): void {
  switch (state) {
    case 'ACTIVE':
    case 'PAUSED':
      return;
    case 'COMPLETED':
      throw new DomainError('CONFLICT', 'This session has already ended; it cannot be ended twice.');
    default:
      throw unknownState(state);
  }
}

// ---------------------------------------------------------------------------
// Input validation
// ---------------------------------------------------------------------------

export const PLANNED_MINUTES_MIN = 1;
export const PLANNED_MINUTES_MAX = 720;
export const CATEGORY_MAX_LENGTH = 40;
export const NOTES_MAX_LENGTH = 5000;
export const RATING_MIN = 1;
export const RATING_MAX = 5;
export const INTERRUPTION_REASON_MAX_LENGTH = 200;

/** Length in user-perceived characters (code points, so an emoji counts as 1). */
function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function badInput(message: string, field: string): DomainError {
  return new DomainError('BAD_USER_INPUT', message, field);
}

export interface StartSessionInput {
  plannedMinutes: number;
  category?: string | null;
  notes?: string | null;
}

export interface ValidStartSessionInput {
  plannedMinutes: number;
  /** Trimmed; `null` when not given. */
  category: string | null;
  /** As given; `null` when not given. */
  notes: string | null;
}

/**
 * Validates the input for starting a session and returns it normalized
 * (category trimmed, absent optional fields as `null`).
 */
export function validateStartInput(input: StartSessionInput): ValidStartSessionInput {
  const { plannedMinutes } = input;
  if (
    typeof plannedMinutes !== 'number' ||
    !Number.isInteger(plannedMinutes) ||
    plannedMinutes < PLANNED_MINUTES_MIN ||
    plannedMinutes > PLANNED_MINUTES_MAX
  ) {
    throw badInput(
      `plannedMinutes must be a whole number between ${PLANNED_MINUTES_MIN} and ${PLANNED_MINUTES_MAX} (12 hours); got ${String(plannedMinutes)}.`,
      'plannedMinutes',
    );
  }

  const category = input.category === undefined || input.category === null ? null : validateCategory(input.category);
  const notes = input.notes === undefined || input.notes === null ? null : validateNotes(input.notes);

  return { plannedMinutes, category, notes };
}

/** A category is 1..40 characters after trimming. Returns it trimmed. */
export function validateCategory(value: string): string {
  if (typeof value !== 'string') throw badInput('category must be text.', 'category');
  const trimmed = value.trim();
  const len = charLength(trimmed);
  if (len < 1 || len > CATEGORY_MAX_LENGTH) {
    throw badInput(
      `category must be between 1 and ${CATEGORY_MAX_LENGTH} characters after trimming spaces; got ${len}. Leave it out if you don't want a category.`,
      'category',
    );
  }
  return trimmed;
}

/** Notes are kept as written, up to 5000 characters. */
export function validateNotes(value: string): string {
  if (typeof value !== 'string') throw badInput('notes must be text.', 'notes');
  const len = charLength(value);
  if (len > NOTES_MAX_LENGTH) {
    throw badInput(`notes must be at most ${NOTES_MAX_LENGTH} characters; got ${len}. Shorten them and try again.`, 'notes');
  }
  return value;
}

/** A rating must be a whole number from 1 to 5. Returns the rating. */
export function validateRating(rating: number): number {
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < RATING_MIN || rating > RATING_MAX) {
    throw badInput(`rating must be a whole number from ${RATING_MIN} to ${RATING_MAX}; got ${String(rating)}.`, 'rating');
  }
  return rating;
}

export interface InterruptionInput {
  reason: string;
}

/** Validates an interruption and returns it with the reason trimmed. */
export function validateInterruption(input: InterruptionInput): InterruptionInput {
  if (typeof input.reason !== 'string') throw badInput('reason must be text.', 'reason');
  const reason = input.reason.trim();
  const len = charLength(reason);
  if (len < 1 || len > INTERRUPTION_REASON_MAX_LENGTH) {
    throw badInput(
      `reason must be between 1 and ${INTERRUPTION_REASON_MAX_LENGTH} characters after trimming spaces; got ${len}.`,
      'reason',
    );
  }
  return { reason };
}
