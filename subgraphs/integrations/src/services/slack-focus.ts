/**
 * Focus sessions → Slack: on session.started set a "Focusing" status (expiring with the planned end)
 * and snooze notifications; on session.ended restore the status the user had, and end the snooze.
 * The previous status is kept in the connection's provider_state under the session id, so a
 * redelivered event neither overwrites it with our own status nor restores twice.
 */
import type { FocusSessionEventData } from '@flowforge/events';
import type { Logger } from '@flowforge/runtime';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { SlackConnector, SlackProfile } from '../providers/slack/connector.js';
import type { ConnectorCalls } from './calls.js';

interface SlackState {
  focus?: { sessionId: string; previous: SlackProfile } | null;
}

export class SlackFocus {
  constructor(private readonly db: PrismaClient, private readonly calls: ConnectorCalls, private readonly slack: SlackConnector, private readonly log: Logger) {}

  private async connection(data: FocusSessionEventData) {
    return this.db.providerConnection.findFirst({ where: { organizationId: data.organizationId, userId: data.userId, provider: 'SLACK', status: 'CONNECTED' }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
  }

  async started(data: FocusSessionEventData): Promise<boolean> {
    const connection = await this.connection(data);
    if (!connection) return false;
    const state = (connection.providerState ?? {}) as SlackState;
    if (state.focus?.sessionId === data.sessionId) return false; // already applied
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'SLACK' });
    const until = Math.floor((Date.parse(data.startedAt) + data.plannedMinutes * 60_000) / 1000);
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
    if (!state.focus || state.focus.sessionId !== data.sessionId) return false;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'SLACK' });
    await this.slack.writeBack(call, { op: 'restore', profile: state.focus.previous });
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { providerState: { ...state, focus: null } as unknown as Prisma.InputJsonValue } });
    this.log({ msg: 'slack status restored', connectionId: connection.id, sessionId: data.sessionId });
    return true;
  }
}
