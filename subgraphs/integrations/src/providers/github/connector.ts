/**
 * GitHub: push and pull_request webhooks (X-Hub-Signature-256 over the raw body, checked before
 * parsing; X-GitHub-Delivery deduped) become per-user activity signals for insights. OAuth (app
 * flow with PKCE S256) only to learn the user's login (read:user); the token endpoint's HTTP 200
 * error answers are normalised by githubTokenResponse.
 */
import { ProviderError } from '../../http/request.js';
import { verifyGithubSignature } from '../../webhooks/signatures.js';
import type { Connector, ConnectorCall, OAuthConfig, RawWebhookRequest, WebhookVerdict } from '../types.js';

export function mapGithubError(status: number, body: unknown, headers?: Headers): ProviderError {
  const message = (body as { message?: string } | null)?.message ?? `HTTP ${status}`;
  const remaining = headers?.get('x-ratelimit-remaining');
  if (status === 429 || (status === 403 && (remaining === '0' || /rate limit/i.test(message)))) return new ProviderError(message, 'RETRY', status, 'rateLimited');
  if (status >= 500) return new ProviderError(message, 'RETRY', status);
  if (status === 401) return new ProviderError(message, 'REAUTH', status);
  if (status === 404) return new ProviderError(message, 'NOT_FOUND', status);
  return new ProviderError(message, 'GIVE_UP', status);
}

/** GitHub token endpoint errors renamed to their RFC 6749 §5.2 code (the others keep GitHub's, for clear messages). */
const GITHUB_TOKEN_ERROR_RFC: Record<string, string> = { bad_refresh_token: 'invalid_grant' };

/**
 * GitHub's POST /login/oauth/access_token answers errors (bad_verification_code,
 * incorrect_client_credentials, redirect_uri_mismatch, bad_refresh_token, …) with HTTP 200 and
 * { error, error_description, error_uri }; oauth4webapi (rightly, per RFC 6749 §5.2) expects a 4xx
 * for those and would only report "access_token must be a string". This turns such answers into the
 * RFC shape (HTTP 400; we authenticate with client_secret_post, so not 401), keeping GitHub's error code, except
 * bad_refresh_token which is RFC invalid_grant (so a dead refresh token means "authorize again").
 * Successful answers pass through untouched. We always send Accept: application/json (oauth4webapi
 * does), so the form-encoded default of GitHub is not expected; it is read too, to be safe.
 */
export async function githubTokenResponse(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const text = await response.text();
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    if ((response.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
  }
  const rebuilt = (status: number, payload: string) => new Response(payload, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  if (body && typeof body.error === 'string' && body.error && !('access_token' in body)) {
    const error = GITHUB_TOKEN_ERROR_RFC[body.error] ?? body.error;
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    return rebuilt(400, JSON.stringify({ error, ...(description ? { error_description: description } : {}), ...(error !== body.error ? { github_error: body.error } : {}), ...(typeof body.error_uri === 'string' ? { error_uri: body.error_uri } : {}) }));
  }
  // Form-encoded success (no Accept: application/json): hand oauth4webapi JSON, numbers as numbers.
  if (body && !(response.headers.get('content-type') ?? '').includes('json')) {
    const json: Record<string, unknown> = { ...body };
    for (const key of ['expires_in', 'refresh_token_expires_in']) if (typeof json[key] === 'string') json[key] = Number(json[key]);
    return rebuilt(200, JSON.stringify(json));
  }
  return rebuilt(200, text);
}

const header = (request: RawWebhookRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export interface GithubPayload {
  sender?: { login?: string };
  repository?: { full_name?: string };
  ref?: string;
  commits?: unknown[];
  head_commit?: { timestamp?: string } | null;
  action?: string;
  pull_request?: { number?: number; merged?: boolean; additions?: number; deletions?: number; updated_at?: string; user?: { login?: string } };
}

export class GithubConnector implements Connector {
  readonly provider = 'GITHUB' as const;

  readonly oauth: OAuthConfig | null;

  constructor(oauth: OAuthConfig | null, private readonly apiUrl: string, private readonly webhookSecret: string | null) {
    this.oauth = oauth ? { ...oauth, tokenResponse: githubTokenResponse } : null;
  }

  mapError(status: number, body: unknown, headers?: Headers) {
    return mapGithubError(status, body, headers);
  }

  async identify(call: ConnectorCall): Promise<string | null> {
    const user = await call.http.request<{ login?: string }>({ url: `${this.apiUrl}/user`, accessToken: await call.accessToken(), headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' } });
    return user?.login ?? null;
  }

  async handleWebhook(request: RawWebhookRequest): Promise<WebhookVerdict> {
    if (request.method !== 'POST') return { kind: 'rejected', status: 405, reason: 'Use POST.' };
    if (!this.webhookSecret) return { kind: 'rejected', status: 404, reason: 'GitHub webhooks are not configured.' };
    if (!verifyGithubSignature(this.webhookSecret, header(request, 'x-hub-signature-256'), request.rawBody)) return { kind: 'rejected', status: 401, reason: 'Signature mismatch.' };
    const delivery = header(request, 'x-github-delivery');
    const event = header(request, 'x-github-event') ?? 'unknown';
    if (!delivery) return { kind: 'rejected', status: 400, reason: 'Missing X-GitHub-Delivery.' };
    let payload: GithubPayload;
    try {
      payload = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'rejected', status: 400, reason: 'Body is not JSON.' };
    }
    if (event === 'ping') return { kind: 'respond', status: 200, body: { ok: true } };
    if (event !== 'push' && event !== 'pull_request') return { kind: 'respond', status: 202, body: { ok: true, ignored: event } };
    return { kind: 'accepted', deliveryId: delivery, event, payload };
  }
}
