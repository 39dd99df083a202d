import { can, type Identity, type Role } from '@flowforge/auth';
import type { EventPayload } from './engine.js';
import type { BusEvent } from './bus.js';

/**
 * Subscription root fields -> events. Each field says which event types feed it, checks the
 * subscriber's arguments once at subscribe time, and per event decides (synchronously, BEFORE any
 * execution) whether the event is for this subscriber and what the root field's value is: only
 * `__typename` + key of each entity, the owning subgraphs fill in the rest as the subscriber.
 * Tenant filtering happens before this (the hub only looks at subscriptions of event.tenant).
 */

export interface Subscriber extends Identity {
  userId: string;
  organizationId: string;
  role: Role;
}

export class SubscribeError extends Error {
  constructor(readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT', message: string) {
    super(message);
  }
}

/** Runs a query through the gateway as the subscriber (same planner, same subgraph checks). */
export type QueryAsSubscriber = (subscriber: Subscriber, query: string, variables: Record<string, unknown>) => Promise<{ data?: Record<string, any> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>;

/** Per event: the root value for this subscriber, or null when the event is not theirs. */
export type EventMatcher = (event: BusEvent) => EventPayload | null;

export interface SubscriptionFieldDefinition {
  /** Topics (`flowforge.<domain>`) the field needs. */
  topics: readonly string[];
  /** Event types (exact) that feed the field. */
  eventTypes: readonly string[];
  /** Selection added under an alias so every event reaches the owning subgraph's authorization (see engine.ts). */
  probe: string | null;
  authorize(args: Record<string, unknown>, subscriber: Subscriber, queryAs: QueryAsSubscriber): Promise<EventMatcher>;
}

const text = (data: unknown, key: string): string | null => {
  const value = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : null;
};
const ref = (typename: string, id: string | null) => (id === null ? null : { __typename: typename, id });

const FOCUS_TYPES = ['started', 'paused', 'resumed', 'ended', 'updated', 'interrupted'].map((t) => `flowforge.focus.session.${t}`);
const PRESENCE_TYPES = ['started', 'paused', 'resumed', 'ended'].map((t) => `flowforge.focus.session.${t}`);

/** Events about one user's own things: only that user sees them (fail closed when the event names no user). */
const ownedBy = (event: BusEvent, subscriber: Subscriber) => text(event.data, 'userId') === subscriber.userId;

/** Team membership, read through the gateway as the subscriber and kept for 30 s (refreshed in the background). */
const TEAM_TTL_MS = 30_000;
const TEAM_QUERY = 'query FlowForgeTeamMembers($org: ID!) { organization(id: $org) { teams { id members { user { id } } } } }';

async function teamMembers(queryAs: QueryAsSubscriber, subscriber: Subscriber, teamId: string): Promise<Set<string>> {
  const result = await queryAs(subscriber, TEAM_QUERY, { org: subscriber.organizationId });
  const code = result.errors?.[0]?.extensions?.code;
  if (code === 'FORBIDDEN') throw new SubscribeError('FORBIDDEN', 'You may not see the teams of this organization.');
  if (result.errors?.length && !result.data?.organization) throw new Error(`Reading team members failed: ${result.errors[0]!.message}`);
  const team = (result.data?.organization?.teams as { id: string; members: { user: { id: string } }[] }[] | undefined)?.find((t) => t.id === teamId);
  if (!team) throw new SubscribeError('NOT_FOUND', `No team ${teamId} in your active organization.`);
  return new Set(team.members.map((m) => m.user.id));
}

export const SUBSCRIPTION_FIELDS: Record<string, SubscriptionFieldDefinition> = {
  focusSessionChanged: {
    topics: ['flowforge.focus'],
    eventTypes: FOCUS_TYPES,
    probe: 'state',
    async authorize(args, subscriber) {
      const userId = typeof args.userId === 'string' ? args.userId : subscriber.userId;
      if (userId !== subscriber.userId && !can(subscriber.role, 'focus:members:read')) {
        throw new SubscribeError('FORBIDDEN', `Your role ${subscriber.role} may follow only your own focus sessions; ADMIN and MANAGER may follow a member's.`);
      }
      return (event) => (text(event.data, 'userId') === userId ? ref('FocusSession', text(event.data, 'sessionId') ?? event.subject) : null);
    },
  },

  teamFocusActivity: {
    topics: ['flowforge.focus'],
    eventTypes: PRESENCE_TYPES,
    probe: 'team { name }',
    async authorize(args, subscriber, queryAs) {
      const teamId = String(args.teamId);
      let members = await teamMembers(queryAs, subscriber, teamId);
      let fetchedAt = Date.now();
      let refreshing = false;
      return (event) => {
        if (Date.now() - fetchedAt > TEAM_TTL_MS && !refreshing) {
          refreshing = true;
          teamMembers(queryAs, subscriber, teamId).then((fresh) => { members = fresh; }, () => { members = new Set(); })
            .finally(() => { fetchedAt = Date.now(); refreshing = false; });
        }
        const userId = text(event.data, 'userId');
        if (!userId || !members.has(userId)) return null;
        return {
          __typename: 'TeamFocusActivityEvent',
          team: ref('Team', teamId),
          user: ref('User', userId),
          focusing: text(event.data, 'state') === 'ACTIVE' || event.type.endsWith('.started') || event.type.endsWith('.resumed'),
          session: ref('FocusSession', text(event.data, 'sessionId') ?? event.subject),
          occurredAt: event.time,
        };
      };
    },
  },

  habitCheckedIn: {
    topics: ['flowforge.habits'],
    eventTypes: ['flowforge.habits.habit.checked_in'],
    probe: 'habit { title }',
    async authorize(args, subscriber) {
      const habitId = typeof args.habitId === 'string' ? args.habitId : null;
      return (event) => {
        const id = text(event.data, 'habitId') ?? event.subject;
        if (!ownedBy(event, subscriber) || (habitId && id !== habitId)) return null;
        return { __typename: 'HabitCheckedInEvent', habit: ref('Habit', id), user: ref('User', subscriber.userId), checkedInAt: text(event.data, 'checkedInAt') ?? event.time };
      };
    },
  },

  goalProgressChanged: {
    topics: ['flowforge.habits'],
    eventTypes: ['flowforge.habits.goal.progress_changed'],
    probe: null,
    async authorize(args, subscriber) {
      const goalId = String(args.goalId);
      return (event) => {
        if (!ownedBy(event, subscriber) || (text(event.data, 'goalId') ?? event.subject) !== goalId) return null;
        const progress = (event.data as Record<string, unknown> | null)?.progress;
        return { __typename: 'GoalProgressChangedEvent', goal: ref('Goal', goalId), progress: typeof progress === 'number' ? progress : null, occurredAt: event.time };
      };
    },
  },

  calendarChanged: {
    topics: ['flowforge.calendar'],
    eventTypes: ['created', 'updated', 'deleted'].map((t) => `flowforge.calendar.event.${t}`),
    probe: null, // a deleted event cannot be read back; ownership is checked on the event's userId
    async authorize(_args, subscriber) {
      return (event) => {
        if (!ownedBy(event, subscriber)) return null;
        const kind = event.type.slice('flowforge.calendar.event.'.length).toUpperCase();
        const eventId = text(event.data, 'eventId') ?? text(event.data, 'id') ?? event.subject;
        return { __typename: 'CalendarChangedEvent', kind, eventId, event: kind === 'DELETED' ? null : ref('CalendarEvent', eventId), occurredAt: event.time };
      };
    },
  },

  insightCreated: {
    topics: ['flowforge.insights'],
    eventTypes: ['flowforge.insights.insight.created'],
    probe: null,
    async authorize(_args, subscriber) {
      // About one user (theirs only) or about the whole organization (every member).
      return (event) => {
        const about = text(event.data, 'userId');
        if (about !== null && about !== subscriber.userId) return null;
        return ref('Insight', text(event.data, 'insightId') ?? event.subject);
      };
    },
  },

  integrationSyncStatusChanged: {
    topics: ['flowforge.integrations'],
    eventTypes: ['flowforge.integrations.sync.status_changed'],
    probe: 'status',
    async authorize(args, subscriber) {
      const connectionId = typeof args.connectionId === 'string' ? args.connectionId : null;
      return (event) => {
        const id = text(event.data, 'connectionId') ?? event.subject;
        if (!ownedBy(event, subscriber) || (connectionId && id !== connectionId)) return null;
        return ref('ProviderConnection', id);
      };
    },
  },
};

export const SUBSCRIPTION_TOPICS = [...new Set(Object.values(SUBSCRIPTION_FIELDS).flatMap((field) => field.topics))];
