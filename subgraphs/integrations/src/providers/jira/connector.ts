/**
 * Jira Cloud (REST API v3, OAuth 2.0 3LO): issues assigned to the user sync as tasks with their
 * status; status changes are written back through the issue's transitions; webhooks keep them fresh.
 *
 * Contract used (3LO calls go through the Atlassian API gateway, never the site's own host):
 * - GET  {JIRA_API_URL=https://api.atlassian.com}/oauth/token/accessible-resources (bearer)
 *        → [{ id: cloudId, url: "https://<site>.atlassian.net", name, scopes: ["read:jira-work", …], avatarUrl }]
 *        (site discovery, once after connecting: the first site granting read:jira-work, preferring one
 *        that also grants write:jira-work, or the one whose url is JIRA_SITE_URL; stored in the
 *        connection's providerState.jira.site; no such site → REAUTH "noJiraSite")
 * Every other path is under {JIRA_API_URL}/ex/jira/{cloudId}:
 * - GET  /rest/api/3/myself → { accountId }                                   (identify)
 * - GET  /rest/api/3/search/jql?jql=assignee = currentUser() ORDER BY updated DESC&maxResults&fields=summary,status,updated[&nextPageToken]
 *        → { issues: [{ id, key, fields: { summary, status: { name, statusCategory: { key } }, updated } }], nextPageToken?, isLast? }
 *        (token paging: no total/startAt; continue with nextPageToken until it is absent or isLast;
 *        the JQL must be bounded; without `fields` only ids come back; maxResults defaults to 50 and
 *        Jira may return fewer; a token expires after 7 days, so it is never stored between runs)
 *        The old GET /rest/api/3/search (startAt/total) was removed (CHANGE-2046): 410 Gone.
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
export const ISSUE_FIELDS = 'summary,status,updated';
export const DEFAULT_JIRA_API_URL = 'https://api.atlassian.com';

/** One entry of GET /oauth/token/accessible-resources (`id` is the cloud id). */
export interface AccessibleResource {
  id: string;
  url: string;
  name?: string;
  scopes?: string[];
  avatarUrl?: string;
}

/** The Jira site a connection talks to (stored in providerState.jira.site). */
export interface JiraSite {
  cloudId: string;
  url: string;
  name: string | null;
  /** False when the site grants read:jira-work only: transitions will be refused. */
  canWrite: boolean;
}

export interface JiraState {
  site?: JiraSite | null;
}

/** The Jira part of a connection's providerState (tolerates anything stored there). */
export function jiraState(providerState: unknown): JiraState {
  const jira = (providerState as { jira?: unknown } | null | undefined)?.jira;
  const site = (jira as { site?: Partial<JiraSite> } | null | undefined)?.site;
  return site?.cloudId && site.url ? { site: { cloudId: site.cloudId, url: site.url, name: site.name ?? null, canWrite: site.canWrite !== false } } : {};
}

const normalizeSiteUrl = (url: string) => url.trim().toLowerCase().replace(/\/+$/, '');

/** Thrown when the token reaches no Jira site we may use: the user must connect again and pick one. */
export class NoJiraSiteError extends ProviderError {
  constructor(message: string) {
    super(message, 'REAUTH', null, 'noJiraSite');
    this.name = 'NoJiraSiteError';
  }
}

/**
 * Picks the site: among the resources granting read:jira-work, the one at `preferredUrl` when given,
 * else the first that also grants write:jira-work, else the first.
 */
export function selectJiraSite(resources: AccessibleResource[], preferredUrl: string | null): JiraSite {
  const jira = resources.filter((r) => r.id && r.url && r.scopes?.includes('read:jira-work'));
  const toSite = (r: AccessibleResource): JiraSite => ({ cloudId: r.id, url: r.url.replace(/\/+$/, ''), name: r.name ?? null, canWrite: Boolean(r.scopes?.includes('write:jira-work')) });
  if (preferredUrl) {
    const wanted = jira.find((r) => normalizeSiteUrl(r.url) === normalizeSiteUrl(preferredUrl));
    if (wanted) return toSite(wanted);
    const listed = resources.find((r) => r.url && normalizeSiteUrl(r.url) === normalizeSiteUrl(preferredUrl));
    throw new NoJiraSiteError(listed
      ? `Jira: the site ${preferredUrl} (JIRA_SITE_URL) was authorized without the read:jira-work scope: connect Jira again and grant access to it.`
      : `Jira: the site ${preferredUrl} (JIRA_SITE_URL) is not among the sites this authorization reaches${jira.length ? ` (${jira.map((r) => r.url).join(', ')})` : ''}: connect Jira again and pick that site.`);
  }
  const chosen = jira.find((r) => r.scopes?.includes('write:jira-work')) ?? jira[0];
  if (!chosen) throw new NoJiraSiteError('Jira: this authorization reaches no Jira site with the read:jira-work scope: connect Jira again and grant access to a Jira site.');
  return toSite(chosen);
}

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

/** What identify() found: the account at Jira and the site (to store in providerState.jira). */
export interface JiraIdentity {
  accountId: string | null;
  providerState: { jira: { site: JiraSite } };
}

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

  private readonly apiUrl: string;

  /**
   * @param apiUrl the Atlassian API gateway (JIRA_API_URL, default https://api.atlassian.com); site calls go to `${apiUrl}/ex/jira/${cloudId}`.
   * @param siteUrl JIRA_SITE_URL: when set, the site to pick among the accessible resources.
   */
  constructor(readonly oauth: OAuthConfig | null, apiUrl: string, private readonly webhookSecret: string | null, private readonly pageSize = 50, readonly siteUrl: string | null = null) {
    this.apiUrl = (apiUrl || DEFAULT_JIRA_API_URL).replace(/\/+$/, '');
  }

  mapError(status: number, body: unknown) {
    return mapJiraError(status, body);
  }

  /** The site API root of a cloud id. */
  siteApi(cloudId: string): string {
    return `${this.apiUrl}/ex/jira/${encodeURIComponent(cloudId)}`;
  }

  /** The stored site of the call's connection, or (not stored yet) the one discovery picks now. */
  async site(call: ConnectorCall): Promise<JiraSite> {
    return jiraState(call.connection.providerState).site ?? this.discoverSite(call);
  }

  async accessibleResources(call: ConnectorCall): Promise<AccessibleResource[]> {
    const resources = await call.http.request<AccessibleResource[]>({ method: 'GET', url: `${this.apiUrl}/oauth/token/accessible-resources`, accessToken: await call.accessToken() });
    return Array.isArray(resources) ? resources : [];
  }

  /** GET /oauth/token/accessible-resources, then selectJiraSite (NoJiraSiteError when none fits). */
  async discoverSite(call: ConnectorCall): Promise<JiraSite> {
    return selectJiraSite(await this.accessibleResources(call), this.siteUrl);
  }

  private async jira<T>(call: ConnectorCall, site: JiraSite, method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<T> {
    return call.http.request<T>({ method, url: `${this.siteApi(site.cloudId)}${path}`, accessToken: await call.accessToken(), query: options.query, body: options.body });
  }

  /** Discovers the site (unless the connection has one), then asks who the user is there. */
  async identify(call: ConnectorCall): Promise<JiraIdentity> {
    const site = await this.site(call);
    const me = await this.jira<{ accountId?: string }>(call, site, 'GET', '/rest/api/3/myself');
    return { accountId: me.accountId ?? null, providerState: { jira: { site } } };
  }

  /** Every issue assigned to the user, page by page (nextPageToken paging); cursor set on the last page. */
  async *fullSync(call: ConnectorCall): AsyncIterable<SyncBatch<JiraIssue>> {
    const site = await this.site(call);
    let nextPageToken: string | undefined;
    const seenTokens = new Set<string>();
    for (;;) {
      const page = await this.jira<{ issues?: JiraIssue[]; nextPageToken?: string | null; isLast?: boolean }>(call, site, 'GET', '/rest/api/3/search/jql', {
        query: { jql: ASSIGNED_JQL, maxResults: this.pageSize, fields: ISSUE_FIELDS, ...(nextPageToken ? { nextPageToken } : {}) },
      });
      const issues = page.issues ?? [];
      const next = page.nextPageToken ?? undefined;
      // The last page has no token (or isLast); a repeated token would loop forever: stop there too.
      const last = !next || page.isLast === true || seenTokens.has(next);
      yield { items: issues, cursor: last ? new Date().toISOString() : null };
      if (last) return;
      seenTokens.add(next);
      nextPageToken = next;
    }
  }

  async transitions(call: ConnectorCall, issueKey: string, site?: JiraSite): Promise<JiraTransition[]> {
    return (await this.jira<{ transitions?: JiraTransition[] }>(call, site ?? await this.site(call), 'GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`)).transitions ?? [];
  }

  /** Moves the issue to the named status through the transition leading there (null: already there is up to the caller). */
  async writeBack(call: ConnectorCall, change: JiraWrite): Promise<JiraTransition | null> {
    const site = await this.site(call);
    if (!site.canWrite) throw new ProviderError(`Jira: the site ${site.url} was authorized without the write:jira-work scope: connect Jira again to change issue status.`, 'GIVE_UP', null, 'readOnlySite');
    const available = await this.transitions(call, change.issueKey, site);
    const wanted = change.status.trim().toLowerCase();
    const transition = available.find((t) => t.to?.name?.toLowerCase() === wanted) ?? available.find((t) => t.name.toLowerCase() === wanted);
    if (!transition) throw new NoTransitionError(change.status, [...new Set(available.map((t) => t.to?.name ?? t.name))]);
    await this.jira(call, site, 'POST', `/rest/api/3/issue/${encodeURIComponent(change.issueKey)}/transitions`, { body: { transition: { id: transition.id } } });
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
