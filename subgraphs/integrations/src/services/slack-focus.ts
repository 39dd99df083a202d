/**
 * Focus sessions → Slack: on session.started set a "Focusing" status (expiring with the planned end)
 * and snooze notifications; on session.ended restore the status the user had, and end the snooze.
 * The previous status is kept in the connection's provider_state under the session id, so a
 * redelivered event neither overwrites it with our own status nor restores twice.
 *
 * Notification: after the restore, a short summary DM ("Focus session done: 48 of 50 minutes,
 * 1 interruption. Status restored.") via conversations.open + chat.postMessage, posted with the app's
 * bot token into the app's DM with the user, so Slack notifies them. Status and DND stay on the user
 * token (users.profile.set / dnd.setSnooze take user tokens only). Connections made before the bot
 * scopes were requested have no bot token: they get the old self-DM with the user token (a record,
 * no notification), and the log says so (reconnect Slack to get the notifying DM).
 *
 * Exactly one delivery acts: a conditional update claims the session (`focus: null`,
 * `summarySent: sessionId`) before any call to Slack, so a redelivered or concurrently delivered ended
 * event neither restores twice nor posts twice. A failed restore hands the claim back and throws (the
 * event is redelivered). A retryable failure of the post (429/5xx after the request helper's retries)
 * leaves `summary: { sessionId, text }` pending and throws, so the redelivery retries only the post.
 * A non-retryable failure of the post (e.g. missing_scope on a connection made before chat:write /
 * im:write were requested) is logged and dropped: the restore stands. Which token posts is decided at
 * post time (bot token stored or not); the claim logic is the same for both.
 */
import { ProviderError } from '../http/request.js';
import type { FocusSessionEventData } from '@flowforge/events';
import type { Logger } from '@flowforge/runtime';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { SlackConnector, SlackProfile } from '../providers/slack/connector.js';
import type { ConnectorCall } from '../providers/types.js';
import type { ConnectorCalls } from './calls.js';

interface SlackState {
  focus?: { sessionId: string; previous: SlackProfile } | null;
  /** The ended session whose summary DM is still to be posted. */
  summary?: { sessionId: string; text: string } | null;
  /** The last session whose summary DM was posted. */
  summarySent?: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Focus session done: 48 of 50 minutes, 1 interruption. Status restored." */
export function focusSummaryText(data: FocusSessionEventData): string {
  const parts = [`${Math.round(data.actualMinutes ?? 0)} of ${plural(data.plannedMinutes, 'minute')}`, plural(data.interruptionCount, 'interruption')];
  if (data.pauseCount > 0) parts.push(plural(data.pauseCount, 'pause'));
  if (data.rating != null) parts.push(`rated ${data.rating}/5`);
  return `Focus session done: ${parts.join(', ')}. Status restored.`;
}

export class SlackFocus {
  constructor(private readonly db: PrismaClient, private readonly calls: ConnectorCalls, private readonly slack: SlackConnector, private readonly log: Logger) {}

  private async connection(data: FocusSessionEventData) {
    return this.db.providerConnection.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, provider: 'SLACK', status: 'CONNECTED' }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true, botTokenCiphertext: true, botRefreshTokenCiphertext: true } });
  }

  async started(data: FocusSessionEventData): Promise<boolean> {
    const connection = await this.connection(data);
    if (!connection) return false;
    const state = (connection.providerState ?? {}) as SlackState;
    if (state.focus?.sessionId === data.sessionId) return false; // already applied
    // Redelivered after the session ended (at-least-once: a replay after a restart): that session is over.
    if (state.summarySent === data.sessionId || state.summary?.sessionId === data.sessionId) return false;
    const until = Math.floor((Date.parse(data.startedAt) + data.plannedMinutes * 60_000) / 1000);
    if (data.endedAt || until * 1000 <= Date.now()) return false;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'SLACK' });
    const minutes = Math.max(1, Math.ceil((until * 1000 - Date.now()) / 60_000));
    const previous = await this.slack.writeBack(call, { op: 'focus', untilEpochSeconds: until, minutes });
    // A status left over from an earlier session of ours is not worth restoring.
    const keep = state.focus && previous?.status_text === 'Focusing (FlowForge)' ? state.focus.previous : (previous ?? {});
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { providerState: { ...state, focus: { sessionId: data.sessionId, previous: keep } } as unknown as Prisma.InputJsonValue } });
    this.log({ msg: 'slack focus status set', connectionId: connection.id, sessionId: data.sessionId });
    return true;
  }

  async ended(data: FocusSessionEventData): Promise<boolean> {
    const connection = await this.connection(data);
    if (!connection) return false;
    const state = (connection.providerState ?? {}) as SlackState;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'SLACK' });
    const sent: SlackState = { ...state, focus: null, summary: null, summarySent: data.sessionId };
    if (state.focus?.sessionId === data.sessionId) {
      if (!(await this.claim(connection.id, 'focus', data.sessionId, sent))) return false; // a concurrent delivery restores
      try {
        await this.slack.writeBack(call, { op: 'restore', profile: state.focus.previous });
      } catch (error) {
        await this.save(connection.id, state); // hand the claim back: the redelivered event restores
        throw error;
      }
      this.log({ msg: 'slack status restored', connectionId: connection.id, sessionId: data.sessionId });
      await this.postSummary(call, connection, data, { ...sent, summary: { sessionId: data.sessionId, text: focusSummaryText(data) } });
      return true;
    }
    // A summary left pending by a post that failed earlier: only the post is retried.
    if (state.summary?.sessionId !== data.sessionId) return false; // not ours, already posted, or never started on Slack
    if (!(await this.claim(connection.id, 'summary', data.sessionId, sent))) return false;
    await this.postSummary(call, connection, data, state);
    return true;
  }

  /** Moves the state on only if `key` still names this session, so one of concurrent deliveries wins. */
  private async claim(id: string, key: 'focus' | 'summary', sessionId: string, next: SlackState): Promise<boolean> {
    const { count } = await this.db.providerConnection.updateMany({ where: { id, providerState: { path: [key, 'sessionId'], equals: sessionId } }, data: { providerState: next as unknown as Prisma.InputJsonValue } });
    return count === 1;
  }

  private async save(id: string, state: SlackState): Promise<void> {
    await this.db.providerConnection.update({ where: { id }, data: { providerState: state as unknown as Prisma.InputJsonValue } });
  }

  /** `pending` is the state to hand back (summary still to post) when the post fails retryably. */
  private async postSummary(call: ReturnType<ConnectorCalls['call']>, connection: { id: string; externalAccountId: string | null }, data: FocusSessionEventData, pending: SlackState): Promise<void> {
    if (!connection.externalAccountId || !pending.summary) return;
    // The app's bot token when the connection has one (a DM from the app: it notifies); otherwise the
    // user's token (the user's own self-DM: a record, no notification).
    let bot: ConnectorCall | null;
    try {
      bot = await this.calls.botCall({ ...call.connection, provider: 'SLACK' });
    } catch (error) {
      await this.save(connection.id, pending); // e.g. the database: the redelivery retries the post
      throw error;
    }
    try {
      if (!bot) {
        this.log({ msg: 'slack focus summary: no bot token on this connection (connected before the bot scopes), falling back to the self-DM with the user token, which does not notify; reconnect Slack for a notifying DM', connectionId: connection.id, sessionId: data.sessionId });
      }
      await this.slack.postDirectMessage(bot ?? call, connection.externalAccountId, pending.summary.text);
      this.log({ msg: 'slack focus summary posted', connectionId: connection.id, sessionId: data.sessionId, as: bot ? 'bot' : 'user' });
    } catch (error) {
      if (error instanceof ProviderError && error.action === 'RETRY') {
        await this.save(connection.id, pending);
        throw error;
      }
      this.log({ level: 'warn', msg: 'slack focus summary not posted', connectionId: connection.id, sessionId: data.sessionId, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
