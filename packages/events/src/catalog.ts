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
