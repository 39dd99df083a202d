/**
 * Google push channels: one per connection, watched with a random token (only its SHA-256 is kept),
 * renewed a day before expiry (new channel first, then channels.stop on the old one), and polling as
 * the fallback when pushes stop arriving.
 */
import type { Logger } from '@flowforge/runtime';
import { randomBytes, randomUUID } from 'node:crypto';
import { webhookUrl, type IntegrationsConfig } from '../config.js';
import { sha256 } from '../crypto/token-cipher.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { PRIMARY, type GoogleCalendarConnector } from '../providers/google-calendar/connector.js';
import type { ConnectorCalls } from './calls.js';

export const RENEW_BEFORE_MS = 24 * 3_600_000;
export const CHANNEL_TTL_MS = 7 * 24 * 3_600_000;

export class PushChannels {
  constructor(
    private readonly db: PrismaClient,
    private readonly calls: ConnectorCalls,
    private readonly google: GoogleCalendarConnector,
    private readonly config: IntegrationsConfig,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Watches (or re-watches before expiry); returns whether a new channel was created. */
  async ensure(connectionId: string): Promise<boolean> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
    if (!connection || connection.status !== 'CONNECTED' || connection.provider !== 'GOOGLE_CALENDAR') return false;
    if (connection.channelId && connection.channelExpiresAt && connection.channelExpiresAt.getTime() - this.clock() > RENEW_BEFORE_MS) return false;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'GOOGLE_CALENDAR' });
    const client = this.google.client(call.http);
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    // Store the channel before watching: Google sends its "sync" message right away.
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelId: id, channelTokenHash: sha256(token), channelResourceId: null, channelExpiresAt: new Date(this.clock() + CHANNEL_TTL_MS) } });
    const channel = await client.watch(await call.accessToken(), PRIMARY, { id, address: webhookUrl(this.config, 'GOOGLE_CALENDAR'), token, expiration: this.clock() + CHANNEL_TTL_MS });
    await this.db.providerConnection.update({ where: { id: connection.id }, data: { channelResourceId: channel.resourceId, channelExpiresAt: channel.expiration ? new Date(Number(channel.expiration)) : undefined } });
    if (connection.channelId && connection.channelResourceId) {
      await client.stopChannel(await call.accessToken(), { id: connection.channelId, resourceId: connection.channelResourceId }).catch((error: Error) => this.log({ level: 'warn', msg: 'stopping the old push channel failed', connectionId, error: error.message }));
    }
    this.log({ msg: 'push channel watched', connectionId, renewed: Boolean(connection.channelId) });
    return true;
  }

  async stop(connectionId: string): Promise<void> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: { accessTokenCiphertext: true, refreshTokenCiphertext: true } });
    if (!connection?.channelId || !connection.channelResourceId || connection.provider !== 'GOOGLE_CALENDAR') return;
    const call = this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, provider: 'GOOGLE_CALENDAR' });
    await this.google.client(call.http).stopChannel(await call.accessToken(), { id: connection.channelId, resourceId: connection.channelResourceId }).catch(() => {});
    await this.db.providerConnection.update({ where: { id: connectionId }, data: { channelId: null, channelResourceId: null, channelTokenHash: null, channelExpiresAt: null } });
  }
}
