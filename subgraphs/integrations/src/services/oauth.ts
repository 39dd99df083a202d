/**
 * OAuth 2.0 authorization code + PKCE (S256) with oauth4webapi. `state` is 256 random bits bound to
 * the user, organization and sign-in that asked; only its SHA-256 is stored, the code_verifier is
 * envelope-encrypted, both expire after 10 minutes and are single-use. The redirect URI is fixed per
 * provider from config and must match exactly at the provider and again at the token exchange.
 */
import type { Identity } from '@flowforge/auth';
import { badInput, requirePermission, type Logger, type SubgraphEvents } from '@flowforge/runtime';
import * as oauth from 'oauth4webapi';
import { sha256, type TokenCipher } from '../crypto/token-cipher.js';
import { redirectUri, type IntegrationsConfig } from '../config.js';
import { syncStatusChanged } from '../events/catalog.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Connector, ConnectorCall, ProviderName } from '../providers/types.js';
import { oauthParts, type IssuedTokens, type TokenStore, type Tx } from './tokens.js';

export const STATE_TTL_MS = 10 * 60_000;

export class OAuthError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export interface CompletedConnection {
  connectionId: string;
  provider: ProviderName;
  userId: string;
  organizationId: string;
}

export class OAuthService {
  constructor(
    private readonly db: PrismaClient,
    private readonly cipher: TokenCipher,
    private readonly tokens: TokenStore,
    private readonly connectors: (provider: ProviderName) => Connector | null,
    private readonly callFor: (connection: ConnectorCall['connection'] & { provider: ProviderName }) => ConnectorCall,
    private readonly config: IntegrationsConfig,
    private readonly events: Pick<SubgraphEvents<Tx>, 'publish' | 'transaction'>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts the flow: returns the provider's authorization URL (with state and S256 challenge). */
  async connect(identity: Identity, provider: ProviderName): Promise<{ authorizationUrl: string; expiresAt: Date; connectionId: string }> {
    const member = requirePermission(identity, 'domain:own:write');
    const settings = this.connectors(provider)?.oauth;
    if (!settings) throw badInput(`${provider} is not configured on this server (its client id is not set).`, 'provider');
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();
    const stateHash = sha256(state);
    const redirect = redirectUri(this.config, provider);
    const expiresAt = new Date(this.clock() + STATE_TTL_MS);
    const connection = await this.db.$transaction(async (tx) => {
      await tx.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date(this.clock()) } } });
      await tx.oAuthState.create({
        data: {
          stateHash, organizationId: member.organizationId, userId: member.userId, sessionId: identity.sessionId, provider, redirectUri: redirect,
          scopes: [...settings.scopes], codeVerifierCiphertext: new Uint8Array(this.cipher.encrypt(verifier, `oauth:${stateHash}`)), keyVersion: this.cipher.version, expiresAt,
        },
      });
      return tx.providerConnection.upsert({
        where: { organizationId_userId_provider: { organizationId: member.organizationId, userId: member.userId, provider } },
        create: { organizationId: member.organizationId, userId: member.userId, provider, scopes: [...settings.scopes], status: 'PENDING' },
        update: {},
        select: { id: true },
      });
    });
    const url = new URL(settings.authorizeUrl);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: redirect,
      [settings.scopeParam ?? 'scope']: settings.scopes.join(settings.scopeParam === 'user_scope' ? ',' : ' '),
      // Slack: the bot scopes go in `scope` (comma separated), the user scopes in `user_scope`.
      ...(settings.botScopes?.length ? { scope: settings.botScopes.join(',') } : {}),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...settings.authorizeParams,
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return { authorizationUrl: url.toString(), expiresAt, connectionId: connection.id };
  }

  /**
   * The redirect back from the provider (GET /oauth/callback/<provider>?code&state). Claims the state
   * (single use), exchanges the code with the verifier, stores the tokens encrypted, CONNECTED.
   */
  async complete(provider: ProviderName, callbackUrl: URL): Promise<CompletedConnection> {
    const state = callbackUrl.searchParams.get('state');
    if (!state) throw new OAuthError('The callback has no state parameter.');
    const stateHash = sha256(state);
    const now = new Date(this.clock());
    const claimed = await this.db.oAuthState.updateMany({ where: { stateHash, provider, consumedAt: null, expiresAt: { gt: now } }, data: { consumedAt: now } });
    if (claimed.count !== 1) throw new OAuthError('This authorization link is unknown, expired or already used: start connecting again.');
    const pending = (await this.db.oAuthState.findUnique({ where: { stateHash } }))!;
    const expectedRedirect = redirectUri(this.config, provider);
    // Exact match: what the flow started with, what is configured now, and the path we were called on.
    if (pending.redirectUri !== expectedRedirect || callbackUrl.pathname !== new URL(expectedRedirect).pathname) {
      throw new OAuthError('The redirect URI does not match the one this authorization started with: start connecting again.');
    }
    const connector = this.connectors(provider);
    const settings = connector?.oauth;
    if (!connector || !settings) throw new OAuthError(`${provider} is not configured on this server.`);
    const { as, client, clientAuth, options } = oauthParts(settings, this.env);
    const verifier = this.cipher.decrypt(pending.codeVerifierCiphertext, pending.keyVersion, `oauth:${stateHash}`);

    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, client, callbackUrl.searchParams, state);
    } catch (error) {
      const detail = error instanceof oauth.AuthorizationResponseError ? `${error.error}${error.error_description ? `: ${error.error_description}` : ''}` : 'invalid response';
      throw new OAuthError(`The provider did not authorize the connection (${detail}).`);
    }
    let issued: IssuedTokens & { scope?: string; accountId?: string | null; bot?: SlackBotTokens | null };
    try {
      const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, pending.redirectUri, verifier, { ...options, signal: AbortSignal.timeout(15_000) });
      issued = provider === 'SLACK' ? await slackTokens(response) : await standardTokens(as, client, response);
    } catch (error) {
      const code = error instanceof oauth.ResponseBodyError ? error.error : error instanceof OAuthError ? error.message : 'token exchange failed';
      this.log({ level: 'warn', msg: 'oauth code exchange failed', provider, reason: code });
      throw new OAuthError(`The provider refused the authorization code (${code}): start connecting again.`);
    }

    const connection = await this.db.providerConnection.upsert({
      where: { organizationId_userId_provider: { organizationId: pending.organizationId, userId: pending.userId, provider } },
      create: { organizationId: pending.organizationId, userId: pending.userId, provider, scopes: pending.scopes, status: 'PENDING' },
      update: {},
      select: { id: true },
    });
    const scopes = issued.scope ? issued.scope.split(/[ ,]+/).filter(Boolean) : pending.scopes;
    await this.events.transaction(async (tx) => {
      const row = await tx.providerConnection.update({
        where: { id: connection.id },
        data: {
          ...this.tokens.encryptedColumns(connection.id, issued), status: 'CONNECTED', scopes, lastError: null, syncCursor: null,
          ...(issued.accountId ? { externalAccountId: issued.accountId } : {}),
          // Slack: the app's bot token beside the user token (cleared when this grant issued none).
          ...(provider === 'SLACK' ? { ...this.tokens.botColumns(connection.id, issued.bot ?? null), botUserId: issued.bot?.botUserId ?? null, botScopes: issued.bot?.scopes ?? [] } : {}),
        },
      });
      await this.events.publish(tx, [syncStatusChanged(row, null)]);
    });
    if (!issued.accountId && connector.identify) {
      // Jira: identify also discovers the site (cloud id) every call goes to; a failure here is retried by the first sync.
      const identified = await connector.identify(this.callFor({ id: connection.id, userId: pending.userId, organizationId: pending.organizationId, externalAccountId: null, provider })).catch((error: Error) => {
        this.log({ level: 'warn', msg: 'identify after connect failed', provider, connectionId: connection.id, error: error.message });
        return null;
      });
      const { accountId, providerState } = typeof identified === 'string' || identified === null ? { accountId: identified, providerState: undefined } : identified;
      if (accountId || providerState) {
        const current = providerState ? ((await this.db.providerConnection.findUnique({ where: { id: connection.id }, select: { providerState: true } }))?.providerState ?? {}) : null;
        await this.db.providerConnection.update({
          where: { id: connection.id },
          data: { ...(accountId ? { externalAccountId: accountId } : {}), ...(providerState ? { providerState: { ...(current as Record<string, unknown>), ...providerState } as Prisma.InputJsonValue } : {}) },
        });
      }
    }
    this.log({ msg: 'provider connected', provider, connectionId: connection.id, userId: pending.userId });
    return { connectionId: connection.id, provider, userId: pending.userId, organizationId: pending.organizationId };
  }
}

async function standardTokens(as: oauth.AuthorizationServer, client: oauth.Client, response: Response) {
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { accessToken: result.access_token, refreshToken: result.refresh_token ?? null, expiresIn: result.expires_in ?? null, scope: result.scope };
}

export interface SlackBotTokens extends IssuedTokens {
  botUserId: string | null;
  scopes: string[];
}

type SlackAccessBody = {
  ok?: boolean;
  error?: string;
  /** The bot token (scopes requested in `scope`): token_type "bot", with bot_user_id; refresh_token/expires_in when token rotation is on. */
  access_token?: string;
  token_type?: string;
  scope?: string;
  bot_user_id?: string;
  refresh_token?: string;
  expires_in?: number;
  /** The user token (scopes requested in `user_scope`): token_type "user"; its own refresh_token/expires_in when rotation is on. */
  authed_user?: { id?: string; access_token?: string; token_type?: string; refresh_token?: string; expires_in?: number; scope?: string };
};

/**
 * Slack's oauth.v2.access answers 200 { ok, access_token, token_type: "bot", scope, bot_user_id,
 * [refresh_token, expires_in], authed_user: { id, scope, access_token, token_type: "user",
 * [refresh_token, expires_in] }, team, … } when both bot scopes (`scope`) and user scopes
 * (`user_scope`) were requested. The user token is the connection's access token; the bot token is
 * stored beside it (null when the grant has none).
 */
async function slackTokens(response: Response) {
  const body = await response.json() as SlackAccessBody;
  if (!body.ok || !body.authed_user?.access_token) throw new OAuthError(body.error ?? 'no user token');
  const bot: SlackBotTokens | null = body.access_token && body.token_type === 'bot'
    ? { accessToken: body.access_token, refreshToken: body.refresh_token ?? null, expiresIn: body.expires_in ?? null, botUserId: body.bot_user_id ?? null, scopes: (body.scope ?? '').split(/[ ,]+/).filter(Boolean) }
    : null;
  return { accessToken: body.authed_user.access_token, refreshToken: body.authed_user.refresh_token ?? null, expiresIn: body.authed_user.expires_in ?? null, scope: body.authed_user.scope, accountId: body.authed_user.id ?? null, bot };
}
