/**
 * Slack: set the user's status and Do Not Disturb while a focus session runs and restore them
 * afterwards (user token, least-privilege user scopes), post a summary DM when it ends (the app's bot
 * token, bot scopes chat:write + im:write; the user token for connections without one), and signed
 * Events API requests.
 * The Web API answers HTTP 200 with { ok: false, error } for most failures, 429 + Retry-After for rate limits.
 */
import { ProviderError } from '../../http/request.js';
import { verifySlackSignature } from '../../webhooks/signatures.js';
import type { Connector, ConnectorCall, OAuthConfig, RawWebhookRequest, WebhookVerdict } from '../types.js';

export interface SlackProfile {
  status_text?: string;
  status_emoji?: string;
  status_expiration?: number;
}

export type SlackWrite =
  | { op: 'focus'; untilEpochSeconds: number; minutes: number }
  | { op: 'restore'; profile: SlackProfile };

const REAUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);
export const FOCUS_STATUS = { status_text: 'Focusing (FlowForge)', status_emoji: ':headphones:' };

export function mapSlackError(status: number, body: unknown): ProviderError {
  const error = (body as { error?: string } | null)?.error ?? null;
  if (status === 429 || error === 'ratelimited') return new ProviderError('Slack rate limit', 'RETRY', status, error);
  if (status >= 500) return new ProviderError(`Slack HTTP ${status}`, 'RETRY', status, error);
  if (status === 401 || (error && REAUTH_ERRORS.has(error))) return new ProviderError(`Slack: ${error ?? 'unauthorized'}`, 'REAUTH', status, error);
  return new ProviderError(`Slack: ${error ?? `HTTP ${status}`}`, 'GIVE_UP', status, error);
}

/** Slack's oauth.v2.access errors in RFC 6749 terms (a spent or revoked refresh token is invalid_grant). */
const SLACK_TOKEN_ERROR_RFC: Record<string, string> = { invalid_refresh_token: 'invalid_grant', invalid_code: 'invalid_grant', invalid_client_id: 'invalid_client', bad_client_secret: 'invalid_client', invalid_grant_type: 'unsupported_grant_type' };

/**
 * The token endpoint quirk hook (OAuthConfig.tokenResponse) for oauth.v2.access: Slack answers HTTP
 * 200 { ok: false, error } for failures, rewritten to 400 { error } (RFC 6749); and a refresh answer
 * (grant_type=refresh_token with token rotation on) carries the one renewed token at the top level
 * with token_type "bot" or "user", which oauth4webapi refuses (bearer/DPoP only): it becomes
 * "bearer" (Slack's value kept in slack_token_type). A code exchange answer (it has authed_user) is
 * left as it is: the OAuth service reads both tokens from it itself.
 */
export async function slackTokenResponse(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const text = await response.text();
  const rebuilt = (status: number, payload: unknown) => new Response(typeof payload === 'string' ? payload : JSON.stringify(payload), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return rebuilt(200, text);
  }
  if (body.ok === false) {
    const slackError = typeof body.error === 'string' ? body.error : 'unknown_error';
    return rebuilt(400, { error: SLACK_TOKEN_ERROR_RFC[slackError] ?? slackError, slack_error: slackError });
  }
  if (!body.authed_user && typeof body.token_type === 'string' && ['bot', 'user'].includes(body.token_type)) {
    return rebuilt(200, { ...body, token_type: 'bearer', slack_token_type: body.token_type });
  }
  return rebuilt(200, text);
}

const header = (request: RawWebhookRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class SlackConnector implements Connector<never, SlackWrite, SlackProfile | null> {
  readonly provider = 'SLACK' as const;

  readonly oauth: OAuthConfig | null;

  constructor(oauth: OAuthConfig | null, private readonly apiUrl: string, private readonly signingSecret: string | null, private readonly clock: () => number = Date.now) {
    this.oauth = oauth ? { ...oauth, tokenResponse: slackTokenResponse } : null;
  }

  mapError(status: number, body: unknown) {
    return mapSlackError(status, body);
  }

  /** One Web API method; `{ ok: false }` answers become ProviderErrors too. */
  async api<T extends { ok: boolean; error?: string }>(call: ConnectorCall, method: string, args: Record<string, unknown> = {}, form = false): Promise<T> {
    const body = form ? new URLSearchParams(Object.entries(args).map(([k, v]): [string, string] => [k, String(v)])) : args;
    const result = await call.http.request<T>({ method: 'POST', url: `${this.apiUrl}/${method}`, accessToken: await call.accessToken(), body });
    if (!result?.ok) throw mapSlackError(200, result);
    return result;
  }

  async identify(call: ConnectorCall): Promise<string | null> {
    const result = await this.api<{ ok: boolean; user_id?: string }>(call, 'auth.test');
    return result.user_id ?? null;
  }

  async getProfile(call: ConnectorCall): Promise<SlackProfile> {
    const result = await this.api<{ ok: boolean; profile?: SlackProfile }>(call, 'users.profile.get', {}, true);
    return { status_text: result.profile?.status_text ?? '', status_emoji: result.profile?.status_emoji ?? '', status_expiration: result.profile?.status_expiration ?? 0 };
  }

  async writeBack(call: ConnectorCall, change: SlackWrite): Promise<SlackProfile | null> {
    if (change.op === 'focus') {
      const previous = await this.getProfile(call);
      await this.api(call, 'users.profile.set', { profile: { ...FOCUS_STATUS, status_expiration: change.untilEpochSeconds } });
      await this.api(call, 'dnd.setSnooze', { num_minutes: Math.max(1, change.minutes) }, true);
      return previous;
    }
    await this.api(call, 'users.profile.set', { profile: { status_text: change.profile.status_text ?? '', status_emoji: change.profile.status_emoji ?? '', status_expiration: change.profile.status_expiration ?? 0 } });
    try {
      await this.api(call, 'dnd.endSnooze', {}, true);
    } catch (error) {
      // Snooze already over (it expires by itself): nothing to end.
      if (!(error instanceof ProviderError) || error.reason !== 'snooze_not_active') throw error;
    }
    return null;
  }

  /**
   * A direct message to `slackUserId`: `conversations.open` (users=<id>, scope im:write) gives the
   * DM channel id, then `chat.postMessage` to it (scope chat:write). The call's token decides who
   * writes: with the bot token it is the app's DM with the user, posted as the app (bot_id), and Slack
   * notifies the user; with a user token and the user's own id it is the user's self-DM, posted as the
   * user, which notifies no one. Returns the channel and the message ts.
   */
  async postDirectMessage(call: ConnectorCall, slackUserId: string, text: string): Promise<{ channel: string; ts: string }> {
    const opened = await this.api<{ ok: boolean; channel?: { id?: string } }>(call, 'conversations.open', { users: slackUserId });
    const channel = opened.channel?.id;
    if (!channel) throw new ProviderError('Slack: conversations.open returned no channel', 'GIVE_UP', 200, null);
    const posted = await this.api<{ ok: boolean; channel?: string; ts?: string }>(call, 'chat.postMessage', { channel, text, unfurl_links: false, unfurl_media: false });
    return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
  }

  /** Events API: signature first (raw body), then url_verification or an event to queue (deduped by event_id). */
  async handleWebhook(request: RawWebhookRequest): Promise<WebhookVerdict> {
    if (request.method !== 'POST') return { kind: 'rejected', status: 405, reason: 'Use POST.' };
    if (!this.signingSecret) return { kind: 'rejected', status: 404, reason: 'Slack is not configured.' };
    const check = verifySlackSignature(this.signingSecret, header(request, 'x-slack-request-timestamp'), header(request, 'x-slack-signature'), request.rawBody, Math.floor(this.clock() / 1000));
    if (!check.ok) return { kind: 'rejected', status: 401, reason: check.reason };
    let body: { type?: string; challenge?: string; event_id?: string; team_id?: string; event?: { type?: string; user?: string } };
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'rejected', status: 400, reason: 'Body is not JSON.' };
    }
    if (body.type === 'url_verification') return { kind: 'respond', status: 200, body: { challenge: body.challenge } };
    if (body.type !== 'event_callback' || !body.event_id) return { kind: 'respond', status: 200, body: { ok: true } };
    return { kind: 'accepted', deliveryId: body.event_id, event: body.event?.type ?? 'unknown', payload: { teamId: body.team_id, event: body.event, retryNum: header(request, 'x-slack-retry-num') ?? null } };
  }
}
