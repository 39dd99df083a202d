/**
 * The event catalog: every type FlowForge emits, its topic and its `data` (schemaversion 1).
 * Topic per domain: `flowforge.<domain>`; key (= subject) is the aggregate id named below.
 */

export const FocusEvents = {
  started: 'flowforge.focus.session.started',
  paused: 'flowforge.focus.session.paused',
  resumed: 'flowforge.focus.session.resumed',
  ended: 'flowforge.focus.session.ended',
  /** Notes, category or rating changed. */
  updated: 'flowforge.focus.session.updated',
  /** An interruption was recorded. */
  interrupted: 'flowforge.focus.session.interrupted',
} as const;
export type FocusEventType = (typeof FocusEvents)[keyof typeof FocusEvents];

/** Subject: sessionId. Tenant: organizationId. */
export interface FocusSessionEventData {
  sessionId: string;
  userId: string;
  organizationId: string;
  state: 'ACTIVE' | 'PAUSED' | 'COMPLETED';
  plannedMinutes: number;
  /** Focused minutes so far (final once ended), pauses excluded. */
  actualMinutes: number;
  category: string | null;
  rating: number | null;
  /** The session's notes (insights reads their sentiment; users who opted out are not analysed). */
  notes: string | null;
  pauseCount: number;
  interruptionCount: number;
  /** ISO times. */
  startedAt: string;
  endedAt: string | null;
  /** The calendar focus block this session was started for, if any. */
  focusBlockId: string | null;
  /** Only on `interrupted`: the reason recorded. */
  interruption?: { reason: string; occurredAt: string };
}

export const OrgsEvents = {
  memberJoined: 'flowforge.orgs.member.joined',
  memberLeft: 'flowforge.orgs.member.left',
  memberRoleChanged: 'flowforge.orgs.member.role_changed',
  userProfileChanged: 'flowforge.orgs.user.profile_changed',
} as const;
export type OrgsEventType = (typeof OrgsEvents)[keyof typeof OrgsEvents];

/** Subject: membershipId. Tenant: organizationId. */
export interface MemberEventData {
  membershipId: string;
  organizationId: string;
  userId: string;
  role: 'ADMIN' | 'MANAGER' | 'USER' | 'VIEWER';
  /** Only on `role_changed`. */
  previousRole?: 'ADMIN' | 'MANAGER' | 'USER' | 'VIEWER';
}

/**
 * Subject: userId. Tenant: one event per organization the user belongs to (tenant = that
 * organization's id), so every organization's consumers learn the profile; a user without any
 * membership (just signed up) gets one event with tenant = their own user id, which no
 * organization-scoped consumer or subscriber matches. Also emitted when a membership starts.
 */
export interface UserProfileChangedData {
  userId: string;
  /** IANA time zone. */
  timezone: string;
  /** ISO weekdays 1 (Monday) to 7 and local HH:MM times. */
  workingHours: { days: number[]; start: string; end: string };
}

export const IntegrationsEvents = {
  /** The gateway's integrationSyncStatusChanged(connectionId) subscription listens for this one. */
  syncStatusChanged: 'flowforge.integrations.sync.status_changed',
  /**
   * One fetched page of provider calendar changes (many items, split to stay under ~1 MB), applied by
   * calendar in ONE transaction per event. Subject: the connection id (order per connection).
   */
  calendarEventsSynced: 'flowforge.integrations.calendar_events.synced',
  /** A verified inbound webhook, acknowledged and queued (processed by the integrations subgraph). */
  webhookReceived: 'flowforge.integrations.webhook.received',
  githubActivity: 'flowforge.integrations.github.activity',
} as const;

export interface SyncStatusChangedData {
  connectionId: string;
  userId: string;
  provider: string;
  status: string;
  lastSyncAt: string | null;
  error: string | null;
}

/** One provider calendar event, provider-neutral, as carried by calendar_events.synced. */
export interface CalendarSyncItem {
  externalId: string;
  etag: string;
  /** The provider's last-modified time (ISO). */
  updatedAt: string;
  title: string;
  description: string | null;
  startsAt: string;
  endsAt: string;
  timezone: string;
  allDay: boolean;
  startDate: string | null;
  /** Inclusive last date. */
  endDate: string | null;
  busy: boolean;
  /**
   * The etag FlowForge last delivered for this item (null: first time). Calendar treats its row as
   * locally modified when the row's etag differs from it (conflict detection).
   */
  previousEtag: string | null;
}

/**
 * Subject: connectionId. Applied by calendar: upsert `items` and soft-delete `deletedExternalIds` by
 * (organization, user, source, externalId), all in one transaction. An external id appears at most
 * once per event (in `items` or in `deletedExternalIds`).
 */
export interface CalendarEventsSyncedData {
  connectionId: string;
  userId: string;
  organizationId: string;
  provider: string;
  /** The calendar subgraph's event source for this provider. */
  source: 'GOOGLE' | 'MICROSOFT';
  items: CalendarSyncItem[];
  deletedExternalIds: string[];
}

/** Calendar publishes this when a synced item and a local edit conflicted (subject: the calendar event id). */
export const CALENDAR_SYNC_CONFLICT = 'flowforge.calendar.event.sync_conflict';

export interface CalendarSyncConflictData {
  connectionId: string;
  userId: string;
  organizationId: string;
  externalId: string;
  eventId: string;
  winner: 'LOCAL' | 'REMOTE';
  reason: string;
  localEtag: string;
  remoteEtag: string;
  localUpdatedAt: string;
  remoteUpdatedAt: string;
  fields: string[];
  /** The local version (what a LOCAL winner pushes back to the provider). */
  local: { title: string; description: string | null; startsAt: string; endsAt: string; timezone: string; allDay: boolean; startDate: string | null; endDate: string | null; busy: boolean };
}

/** Calendar's event changes (topic flowforge.calendar, subject: the calendar event id, tenant: organizationId). */
export const CALENDAR_EVENT_CREATED = 'flowforge.calendar.event.created';
export const CALENDAR_EVENT_UPDATED = 'flowforge.calendar.event.updated';
export const CALENDAR_EVENT_DELETED = 'flowforge.calendar.event.deleted';

/** The calendar fields a provider sync maps (what a push to the provider may change). */
export type CalendarSyncedField = 'title' | 'description' | 'startsAt' | 'endsAt' | 'timezone' | 'allDay' | 'startDate' | 'endDate' | 'busy';

/**
 * created / updated / deleted: the event's state after the change. The provider fields were added for
 * two-way sync (integrations pushes local edits of provider events back); events written before lack
 * them (consumers must cope: treat as a local event).
 */
export interface CalendarEventChangedData {
  eventId: string;
  calendarId: string;
  userId: string;
  organizationId: string;
  title: string;
  description?: string | null;
  startsAt: string;
  endsAt: string;
  timezone: string;
  allDay: boolean;
  startDate?: string | null;
  endDate?: string | null;
  busy: boolean;
  recurrence: string | null;
  /** Edited occurrences: their series and original start. */
  recurringEventId: string | null;
  originalStartsAt: string | null;
  /** The row's etag after the change (a provider's etag when the row is the provider's version). */
  etag: string;
  /** Incremented by every change of the row (orders the changes of one event). */
  sequence?: number;
  deleted: boolean;
  /** LOCAL, or the provider the event came from (GOOGLE, MICROSOFT). */
  source?: 'LOCAL' | 'GOOGLE' | 'MICROSOFT';
  /** The provider's id of the event (provider events only). */
  externalId?: string | null;
  /** The provider connection whose calendar holds the event (provider events only). */
  connectionId?: string | null;
  /** The provider's etag of the version calendar last applied (the base of the edit; If-Match for a push). */
  providerEtag?: string | null;
  /** The fields this change touched (updated); every synced field when the whole event must be pushed. */
  changedFields?: CalendarSyncedField[];
  /**
   * True when the change is the provider's own (applied from calendar_events.synced): never pushed
   * back (that would loop). A merge of a local and a remote edit that differs from the provider's
   * version is published with false, so it is pushed.
   */
  fromProviderSync?: boolean;
}

export interface WebhookReceivedData {
  provider: string;
  deliveryId: string;
  event: string;
  connectionId: string | null;
  payload: unknown;
}

/** Commit and pull-request activity per user, a productivity signal for insights. Subject: connectionId. */
export interface GithubActivityData {
  connectionId: string;
  userId: string;
  organizationId: string;
  deliveryId: string;
  kind: 'push' | 'pull_request';
  repository: string;
  /** push: branch ref; pull_request: the action (opened, closed, ...). */
  action: string | null;
  commits: number;
  pullRequest: { number: number; merged: boolean; additions: number | null; deletions: number | null } | null;
  occurredAt: string;
}

export const HabitsEvents = {
  /** A habit was created (full state, with its schedule). */
  created: 'flowforge.habits.habit.created',
  /** Title, schedule, timesPerWeek, target or reminder changed (full state after the change). */
  updated: 'flowforge.habits.habit.updated',
  /** Archived or restored (data.archived tells which; full state). */
  archived: 'flowforge.habits.habit.archived',
  checkedIn: 'flowforge.habits.habit.checked_in',
  checkInUndone: 'flowforge.habits.habit.check_in_undone',
  goalProgressChanged: 'flowforge.habits.goal.progress_changed',
} as const;
export type HabitsEventType = (typeof HabitsEvents)[keyof typeof HabitsEvents];

/**
 * What a consumer needs to enumerate a habit's occurrences (see @flowforge/schedule): the canonical
 * RRULE evaluated on LOCAL DATES from startDate, the "N times a week, any days" count (null: every
 * occurrence of the rule is due), and the IANA time zone that decides which local date is "today"
 * (the owner's profile zone when the event was written).
 */
export interface HabitScheduleData {
  /** Canonical RRULE without "RRULE:", e.g. "FREQ=WEEKLY;BYDAY=MO,WE,FR". */
  rrule: string;
  timesPerWeek: number | null;
  /** First local date of the schedule, YYYY-MM-DD. */
  startDate: string;
  timezone: string;
}

/** created / updated / archived. Subject: habitId. Tenant: organizationId. */
export interface HabitEventData {
  habitId: string;
  userId: string;
  organizationId: string;
  title: string;
  schedule: HabitScheduleData;
  targetType: 'COUNT' | 'MINUTES';
  /** Per occurrence: times (COUNT) or minutes (MINUTES). */
  targetValue: number;
  /** Local "HH:MM" or null. */
  reminderTime: string | null;
  archived: boolean;
}

/** Subject: habitId. Tenant: organizationId. */
export interface HabitCheckedInData {
  checkInId: string;
  habitId: string;
  userId: string;
  organizationId: string;
  /** Local date YYYY-MM-DD. */
  date: string;
  value: number;
  targetValue: number;
  completed: boolean;
  /**
   * The habit's schedule when it was checked in, so a consumer that missed created/updated still
   * learns it. OPTIONAL: events written before it was added lack it (consumers must cope).
   */
  schedule?: HabitScheduleData;
}

/** Subject: habitId. Tenant: organizationId. */
export interface HabitCheckInUndoneData {
  checkInId: string;
  habitId: string;
  userId: string;
  organizationId: string;
  date: string;
}

/** Subject: goalId. Tenant: organizationId. */
export interface GoalProgressChangedData {
  goalId: string;
  userId: string;
  organizationId: string;
  metric: 'FOCUS_MINUTES' | 'FOCUS_SESSIONS' | 'HABIT_COMPLETIONS' | 'MANUAL';
  previous: number;
  value: number;
  target: number;
  status: string;
  source: string;
  sourceId: string | null;
}
