/**
 * GitHub: push and pull_request webhooks (X-Hub-Signature-256 over the raw body, checked before
 * parsing; X-GitHub-Delivery deduped) become per-user activity signals for insights. OAuth only to
 * learn the user's login (read:user).
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

  constructor(readonly oauth: OAuthConfig | null, private readonly apiUrl: string, private readonly webhookSecret: string | null) {}

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
