/**
 * Jira Cloud (REST API v3, OAuth 2.0 3LO): issues assigned to the user sync as tasks with their
 * status; status changes are written back through the issue's transitions; webhooks keep them fresh.
 *
 * Contract used:
 * - GET  /rest/api/3/myself → { accountId }                                   (identify)
 * - GET  /rest/api/3/search?jql=assignee = currentUser()&startAt&maxResults&fields=summary,status,updated
 *        → { startAt, maxResults, total, issues: [{ id, key, fields: { summary, status: { name, statusCategory: { key } }, updated } }] }
 *        (offset paging: continue while startAt + issues.length < total)
 * - GET  /rest/api/3/issue/{key}/transitions → { transitions: [{ id, name, to: { name, statusCategory } }] }
 * - POST /rest/api/3/issue/{key}/transitions { transition: { id } } → 204
 * - Webhooks (jira:issue_created / jira:issue_updated / jira:issue_deleted): a webhook registered with a
 *   secret is signed `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`; a webhook without one
 *   carries the shared secret in its URL (`?secret=`). Deduped on X-Atlassian-Webhook-Identifier
 *   (the same across Jira's retries of one delivery).
 * Errors: { errorMessages, errors }; 429 + Retry-After and 5xx retried; 401 re-authenticates.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderError } from '../../http/request.js';
import type { Connector, ConnectorCall, OAuthConfig, RawWebhookRequest, SyncBatch, WebhookVerdict } from '../types.js';

export const ASSIGNED_JQL = 'assignee = currentUser() ORDER BY updated DESC';

export interface JiraIssue {
  id: string;
  key: string;
  self?: string;
  fields?: {
    summary?: string;
    status?: { name?: string; statusCategory?: { key?: string } };
    updated?: string;
    assignee?: { accountId?: string } | null;
  };
}

export interface JiraTransition {
  id: string;
  name: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

export type JiraWrite = { op: 'transition'; issueKey: string; status: string };

export type TaskStatusCategory = 'TO_DO' | 'IN_PROGRESS' | 'DONE';

/** Jira's status category keys: new, indeterminate, done. */
export function statusCategory(key: string | undefined): TaskStatusCategory {
  if (key === 'done') return 'DONE';
  if (key === 'indeterminate') return 'IN_PROGRESS';
  return 'TO_DO';
}

export function mapJiraError(status: number, body: unknown): ProviderError {
  const b = body as { errorMessages?: string[]; message?: string } | null;
  const message = `Jira: ${b?.errorMessages?.[0] ?? b?.message ?? `HTTP ${status}`}`;
  if (status === 429 || status >= 500) return new ProviderError(message, 'RETRY', status);
  if (status === 401) return new ProviderError(message, 'REAUTH', status);
  if (status === 404) return new ProviderError(message, 'NOT_FOUND', status);
  return new ProviderError(message, 'GIVE_UP', status);
}

export class NoTransitionError extends Error {
  constructor(readonly status: string, readonly reachable: string[]) {
    super(`No transition leads to "${status}"; reachable: ${reachable.length ? reachable.join(', ') : 'none'}.`);
  }
}

const header = (request: RawWebhookRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const jiraSignature = (secret: string, rawBody: string | Buffer) => `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;

export class JiraConnector implements Connector<JiraIssue, JiraWrite, JiraTransition | null> {
  readonly provider = 'JIRA' as const;

  constructor(readonly oauth: OAuthConfig | null, private readonly apiUrl: string, private readonly webhookSecret: string | null, private readonly pageSize = 50) {}

  mapError(status: number, body: unknown) {
    return mapJiraError(status, body);
  }

  private async jira<T>(call: ConnectorCall, method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<T> {
    return call.http.request<T>({ method, url: `${this.apiUrl}${path}`, accessToken: await call.accessToken(), query: options.query, body: options.body });
  }

  async identify(call: ConnectorCall): Promise<string | null> {
    return (await this.jira<{ accountId?: string }>(call, 'GET', '/rest/api/3/myself')).accountId ?? null;
  }

  /** Every issue assigned to the user, page by page (offset paging); cursor set on the last page. */
  async *fullSync(call: ConnectorCall): AsyncIterable<SyncBatch<JiraIssue>> {
    let startAt = 0;
    for (;;) {
      const page = await this.jira<{ startAt?: number; maxResults?: number; total?: number; issues?: JiraIssue[] }>(call, 'GET', '/rest/api/3/search', {
        query: { jql: ASSIGNED_JQL, startAt, maxResults: this.pageSize, fields: 'summary,status,updated' },
      });
      const issues = page.issues ?? [];
      startAt = (page.startAt ?? startAt) + issues.length;
      const last = issues.length === 0 || startAt >= (page.total ?? 0);
      yield { items: issues, cursor: last ? new Date().toISOString() : null };
      if (last) return;
    }
  }

  async transitions(call: ConnectorCall, issueKey: string): Promise<JiraTransition[]> {
    return (await this.jira<{ transitions?: JiraTransition[] }>(call, 'GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`)).transitions ?? [];
  }

  /** Moves the issue to the named status through the transition leading there (null: already there is up to the caller). */
  async writeBack(call: ConnectorCall, change: JiraWrite): Promise<JiraTransition | null> {
    const available = await this.transitions(call, change.issueKey);
    const wanted = change.status.trim().toLowerCase();
    const transition = available.find((t) => t.to?.name?.toLowerCase() === wanted) ?? available.find((t) => t.name.toLowerCase() === wanted);
    if (!transition) throw new NoTransitionError(change.status, [...new Set(available.map((t) => t.to?.name ?? t.name))]);
    await this.jira(call, 'POST', `/rest/api/3/issue/${encodeURIComponent(change.issueKey)}/transitions`, { body: { transition: { id: transition.id } } });
    return transition;
  }

  /** Secret first (signature over the raw bytes, or the URL secret), then parse. */
  async handleWebhook(request: RawWebhookRequest): Promise<WebhookVerdict> {
    if (request.method !== 'POST') return { kind: 'rejected', status: 405, reason: 'Use POST.' };
    if (!this.webhookSecret) return { kind: 'rejected', status: 404, reason: 'Jira webhooks are not configured.' };
    const signature = header(request, 'x-hub-signature');
    const urlSecret = request.url.searchParams.get('secret');
    const verified = signature ? safeEqual(jiraSignature(this.webhookSecret, request.rawBody), signature) : urlSecret !== null && safeEqual(urlSecret, this.webhookSecret);
    if (!verified) return { kind: 'rejected', status: 401, reason: 'Missing or wrong webhook signature/secret.' };
    let body: { webhookEvent?: string; timestamp?: number; issue?: JiraIssue; changelog?: unknown };
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'rejected', status: 400, reason: 'Body is not JSON.' };
    }
    const event = body.webhookEvent ?? 'unknown';
    if (!body.issue?.id || !event.startsWith('jira:issue_')) return { kind: 'respond', status: 200, body: { ok: true, ignored: true } };
    const deliveryId = header(request, 'x-atlassian-webhook-identifier') ?? `${event}:${body.issue.id}:${body.timestamp ?? createHash('sha256').update(request.rawBody).digest('hex')}`;
    return { kind: 'accepted', deliveryId, event, payload: { issue: body.issue, timestamp: body.timestamp ?? null } };
  }
}
