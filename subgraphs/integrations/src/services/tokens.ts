/**
 * The encrypted token store: writes tokens envelope-encrypted (bound to their row and column),
 * hands out a valid access token (refreshing a minute before expiry, single-flight per connection,
 * honouring refresh-token rotation), marks revoked grants NEEDS_REAUTH and tells the user. Re-wrapping
 * every token under a new key-encryption key is an operator command (services/key-rotation.ts,
 * `pnpm integrations:rotate-key`). Tokens never reach a log line.
 *
 * Slack connections carry a second token, the app's bot token (kind `bot`): its own columns
 * (`bot_token_ciphertext`, `bot_refresh_token_ciphertext`, `bot_token_expires_at`) and its own key
 * version (`bot_token_key_version`), so refreshing one token never strands the other under an old key.
 */
import type { SubgraphEvents, Logger } from '@flowforge/runtime';
import * as oauth from 'oauth4webapi';
import type { TokenCipher } from '../crypto/token-cipher.js';
import { syncStatusChanged } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import type { OAuthConfig, ProviderName } from '../providers/types.js';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
export type Db = PrismaClient | Tx;

export const REFRESH_MARGIN_MS = 60_000;

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string | null;
  /** Seconds. */
  expiresIn?: number | null;
}

/** oauth4webapi's objects for a provider; plain http only for loopback fakes outside production. */
export function oauthParts(config: OAuthConfig, env: NodeJS.ProcessEnv) {
  const as: oauth.AuthorizationServer = { issuer: new URL(config.authorizeUrl).origin, authorization_endpoint: config.authorizeUrl, token_endpoint: config.tokenUrl };
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth = oauth.ClientSecretPost(config.clientSecret);
  const loopback = [config.tokenUrl, config.authorizeUrl].every((u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname));
  const options: oauth.TokenEndpointRequestOptions = { [oauth.allowInsecureRequests]: loopback && env.NODE_ENV !== 'production' };
  // Only token endpoint requests use these options: a provider's quirk hook sees exactly those answers.
  const normalize = config.tokenResponse;
  if (normalize) options[oauth.customFetch] = async (url, init) => normalize(await fetch(url, init));
  return { as, client, clientAuth, options };
}

export const accessContext = (connectionId: string) => `${connectionId}:access`;
export const refreshContext = (connectionId: string) => `${connectionId}:refresh`;
export const botContext = (connectionId: string) => `${connectionId}:bot`;
export const botRefreshContext = (connectionId: string) => `${connectionId}:bot-refresh`;

/** Which of a connection's tokens: the user's (every provider) or the app's bot token (Slack). */
export type TokenKind = 'user' | 'bot';

export class TokenStore {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly db: PrismaClient,
    readonly cipher: TokenCipher,
    private readonly oauthConfig: (provider: ProviderName) => OAuthConfig | null,
    private readonly events: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The columns to write for freshly issued tokens (a missing refresh token keeps the stored one). */
  encryptedColumns(connectionId: string, tokens: IssuedTokens) {
    return {
      accessTokenCiphertext: new Uint8Array(this.cipher.encrypt(tokens.accessToken, accessContext(connectionId))),
      ...(tokens.refreshToken ? { refreshTokenCiphertext: new Uint8Array(this.cipher.encrypt(tokens.refreshToken, refreshContext(connectionId))) } : {}),
      tokenKeyVersion: this.cipher.version,
      tokenExpiresAt: tokens.expiresIn ? new Date(this.clock() + tokens.expiresIn * 1000) : null,
    };
  }

  /**
   * The bot-token columns for a freshly issued Slack bot token (null: none issued, the columns are
   * cleared). Unlike encryptedColumns, the refresh token is always written: a grant without one
   * (rotation off) leaves no spent refresh token behind.
   */
  botColumns(connectionId: string, tokens: IssuedTokens | null) {
    if (!tokens) return { botTokenCiphertext: null, botRefreshTokenCiphertext: null, botTokenKeyVersion: null, botTokenExpiresAt: null };
    return {
      botTokenCiphertext: new Uint8Array(this.cipher.encrypt(tokens.accessToken, botContext(connectionId))),
      botRefreshTokenCiphertext: tokens.refreshToken ? new Uint8Array(this.cipher.encrypt(tokens.refreshToken, botRefreshContext(connectionId))) : null,
      botTokenKeyVersion: this.cipher.version,
      botTokenExpiresAt: tokens.expiresIn ? new Date(this.clock() + tokens.expiresIn * 1000) : null,
    };
  }

  /**
   * A keep-the-refresh-token write needs the old refresh token re-encrypted when the key changed:
   * read both, write both under the current key.
   */
  private async save(connectionId: string, kind: TokenKind, tokens: IssuedTokens, current: { refresh: string | null }) {
    const refreshToken = tokens.refreshToken ?? current.refresh;
    const columns = kind === 'bot' ? this.botColumns(connectionId, { ...tokens, refreshToken }) : this.encryptedColumns(connectionId, { ...tokens, refreshToken });
    await this.db.providerConnection.update({ where: { id: connectionId }, data: { ...columns, lastError: null } });
  }

  private async read(connectionId: string, kind: TokenKind) {
    const row = await this.db.providerConnection.findUnique({ where: { id: connectionId } });
    if (!row) throw new ProviderError('The connection no longer exists.', 'GIVE_UP', null);
    if (kind === 'bot') {
      const version = row.botTokenKeyVersion;
      const access = row.botTokenCiphertext && version !== null ? this.cipher.decrypt(row.botTokenCiphertext, version, botContext(row.id)) : null;
      const refresh = row.botRefreshTokenCiphertext && version !== null ? this.cipher.decrypt(row.botRefreshTokenCiphertext, version, botRefreshContext(row.id)) : null;
      return { row, access, refresh, expiresAt: row.botTokenExpiresAt };
    }
    const version = row.tokenKeyVersion;
    const access = row.accessTokenCiphertext && version !== null ? this.cipher.decrypt(row.accessTokenCiphertext, version, accessContext(row.id)) : null;
    const refresh = row.refreshTokenCiphertext && version !== null ? this.cipher.decrypt(row.refreshTokenCiphertext, version, refreshContext(row.id)) : null;
    return { row, access, refresh, expiresAt: row.tokenExpiresAt };
  }

  /** Whether the connection has a bot token stored (Slack connections made with the bot scopes). */
  async hasBotToken(connectionId: string): Promise<boolean> {
    const row = await this.db.providerConnection.findUnique({ where: { id: connectionId }, select: { botTokenKeyVersion: true, botTokenCiphertext: true } });
    return Boolean(row?.botTokenCiphertext && row.botTokenKeyVersion !== null);
  }

  /**
   * A valid access token (the user's, or with `kind: 'bot'` the app's bot token): refreshed when it
   * expires within a minute (one refresh per connection and kind at a time).
   */
  accessToken(connectionId: string, options: { forceRefresh?: boolean; kind?: TokenKind } = {}): Promise<string> {
    const kind = options.kind ?? 'user';
    const key = kind === 'bot' ? `bot:${connectionId}` : connectionId;
    const running = this.inflight.get(key);
    if (running) return running;
    const work = (async () => {
      const { row, access, refresh, expiresAt } = await this.read(connectionId, kind);
      if (row.status === 'NEEDS_REAUTH' || row.status === 'DISCONNECTED') throw new ProviderError(`The ${row.provider} connection needs to be authorized again.`, 'REAUTH', null);
      if (kind === 'bot' && !access) throw new ProviderError('No bot token is stored for this connection.', 'GIVE_UP', null, 'no_bot_token');
      const fresh = access && !options.forceRefresh && (!expiresAt || expiresAt.getTime() - this.clock() > REFRESH_MARGIN_MS);
      if (fresh) return access;
      if (!refresh) {
        if (access && !options.forceRefresh) return access;
        await this.markNeedsReauth(connectionId, 'No refresh token: authorize again.');
        throw new ProviderError('No refresh token.', 'REAUTH', null);
      }
      const config = this.oauthConfig(row.provider);
      if (!config) throw new ProviderError(`${row.provider} is not configured on this server.`, 'GIVE_UP', null);
      const { as, client, clientAuth, options: requestOptions } = oauthParts(config, this.env);
      let issued: oauth.TokenEndpointResponse;
      try {
        const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refresh, { ...requestOptions, signal: AbortSignal.timeout(15_000) });
        issued = await oauth.processRefreshTokenResponse(as, client, response);
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError && (error.error === 'invalid_grant' || error.status === 401)) {
          await this.markNeedsReauth(connectionId, 'The provider revoked or expired our access (invalid_grant): authorize again.');
          throw new ProviderError('invalid_grant', 'REAUTH', error.status, error.error);
        }
        const status = error instanceof oauth.ResponseBodyError ? error.status : null;
        throw new ProviderError(`Refreshing the access token failed${status ? ` (HTTP ${status})` : ''}.`, status !== null && status < 500 && status !== 429 ? 'GIVE_UP' : 'RETRY', status);
      }
      // Rotation: when the provider sends a new refresh token, the old one is spent: store the new one.
      await this.save(connectionId, kind, { accessToken: issued.access_token, refreshToken: issued.refresh_token ?? null, expiresIn: issued.expires_in ?? null }, { refresh });
      this.log({ msg: 'access token refreshed', connectionId, provider: row.provider, token: kind, rotated: Boolean(issued.refresh_token) });
      return issued.access_token;
    })();
    this.inflight.set(key, work);
    return work.finally(() => this.inflight.delete(key));
  }

  async markNeedsReauth(connectionId: string, error: string): Promise<void> {
    await this.events.transaction(async (tx) => {
      const row = await tx.providerConnection.update({ where: { id: connectionId }, data: { status: 'NEEDS_REAUTH', lastError: error } });
      await this.events.publish(tx, [syncStatusChanged(row, error)]);
    });
    this.log({ level: 'warn', msg: 'connection needs re-authorization', connectionId, reason: error });
  }
}
