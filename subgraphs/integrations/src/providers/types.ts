/**
 * The contract every provider folder implements (cal.com's one-interface-per-app-store-entry, with
 * Twenty's error taxonomy). A connector is stateless: the sync engine, token store and webhook
 * route own persistence, and hand the connector what it needs per call.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderError, ProviderHttpClient } from '../http/request.js';

export type ProviderName = 'GOOGLE_CALENDAR' | 'SLACK' | 'MICROSOFT_TEAMS' | 'JIRA' | 'GITHUB';

/** OAuth 2.0 authorization-code (+ PKCE) settings, from env (see config.ts). */
export interface OAuthConfig {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Least privilege: only what the connector uses. */
  scopes: readonly string[];
  /** Provider-specific authorize parameters (e.g. Google's access_type=offline). */
  authorizeParams?: Record<string, string>;
  /** Space (RFC 6749) or comma (Slack's user_scope) separated. */
  scopeParam?: string;
  /**
   * Slack: the app's bot scopes, sent comma separated in `scope` beside the user scopes in `user_scope`;
   * oauth.v2.access then issues a bot token as well as the user token.
   */
  botScopes?: readonly string[];
  /**
   * Provider quirk hook: rewrites the token endpoint's raw answer (code exchange and refresh) into an
   * RFC 6749 one before oauth4webapi reads it (e.g. GitHub answers errors with HTTP 200 + { error }).
   */
  tokenResponse?: (response: Response) => Promise<Response>;
}

/** What a connector call gets: a fresh access token and the provider's HTTP client. */
export interface ConnectorCall {
  accessToken(): Promise<string>;
  http: ProviderHttpClient;
  connection: { id: string; userId: string; organizationId: string; externalAccountId: string | null; /** The stored provider state (e.g. the Jira site), when the caller has it. */ providerState?: unknown };
}

/** What identify() may return besides the bare account id: provider state to store on the connection (merged per top-level key). */
export interface ConnectorIdentity {
  accountId: string | null;
  providerState?: Record<string, unknown>;
}

/** One page of provider items; `cursor` is set only when the listing finished (Google: on the last page). */
export interface SyncBatch<TItem> {
  items: TItem[];
  cursor: string | null;
  /** Full sync bounded in time (Google's timeMin): only items ending after this instant are listed. */
  listsEndingAfter?: string;
}

export interface RawWebhookRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The exact bytes received: signatures are computed over them, before any parsing. */
  rawBody: Buffer;
}

export type WebhookVerdict =
  /** Refused before parsing (bad signature/token, stale timestamp): nothing was parsed. */
  | { kind: 'rejected'; status: number; reason: string }
  /** Answer right away (Slack url_verification; Graph's validationToken echoed as text/plain when contentType is set and body a string). */
  | { kind: 'respond'; status: number; body: unknown; contentType?: string; /** Logged (info) when set: e.g. a Graph lifecycle notification of an unknown subscription, acknowledged and ignored. */ note?: string }
  /** Verified: acknowledge, record `deliveryId` (dedupe), then process `payload` through the event backbone. */
  | { kind: 'accepted'; deliveryId: string; event: string; payload: unknown; connectionId?: string | null; /** Acknowledgement status (default 200; Graph: 202). */ status?: number };

export interface Connector<TItem = unknown, TWrite = unknown, TWriteResult = unknown> {
  readonly provider: ProviderName;
  /** Null when the provider is not configured on this server (no client id). */
  readonly oauth: OAuthConfig | null;
  /** Who is connected (email, user id, login), asked once after the OAuth callback. */
  identify?(call: ConnectorCall): Promise<string | ConnectorIdentity | null>;
  fullSync?(call: ConnectorCall): AsyncIterable<SyncBatch<TItem>>;
  incrementalSync?(call: ConnectorCall, cursor: string): AsyncIterable<SyncBatch<TItem>>;
  /** Verifies the signature or channel token BEFORE parsing, then classifies the request. */
  handleWebhook?(request: RawWebhookRequest, lookup: WebhookLookup): Promise<WebhookVerdict>;
  writeBack?(call: ConnectorCall, change: TWrite): Promise<TWriteResult>;
  /** Maps a provider HTTP failure to RETRY / REAUTH / FULL_RESYNC / NOT_FOUND / GIVE_UP. */
  mapError(status: number, body: unknown, headers?: Headers): ProviderError;
}

/** Data a webhook check may need (e.g. the hash of a push channel's token). */
export interface WebhookLookup {
  channel(channelId: string): Promise<{ connectionId: string; tokenHash: string | null; resourceId: string | null } | null>;
}
