/**
 * A local fake of the Jira Cloud endpoints we use, as a 3LO app sees them through the Atlassian API
 * gateway (JIRA_API_URL = this.url stands for https://api.atlassian.com):
 * - GET  /oauth/token/accessible-resources → [{ id: cloudId, url, name, scopes, avatarUrl }] for the token's sites
 * Site APIs live under /ex/jira/{cloudId} (unknown cloud id → 404; a site the token does not reach, or
 * one without read:jira-work → 401 "Unauthorized; scope does not match"):
 * - GET  /rest/api/3/myself
 * - GET  /rest/api/3/search/jql?jql&maxResults&fields&nextPageToken (and POST with the same JSON body)
 *   → { issues, nextPageToken?, isLast }: opaque, single-search tokens expiring after 7 days, bound to
 *   the JQL (other JQL → 400); the JQL must be bounded (`assignee = currentUser()…` is what the fake
 *   understands; empty → 400); maxResults defaults to 50 and is capped at 100 when fields are requested
 *   (5000 for ids only, Jira's documented maximum); without `fields` an issue is only `{ id }`; the last
 *   page has no nextPageToken key at all (as Jira answers).
 * - GET|POST /rest/api/3/search → 410 Gone (removed by CHANGE-2046), with Jira's migration message
 * - GET  /rest/api/3/issue/{key}/transitions → the transitions of the issue's workflow from its status
 * - POST /rest/api/3/issue/{key}/transitions { transition: { id } } → 204 (400 when not available; 401
 *   when the site lacks write:jira-work)
 * - POST /oauth/token (auth.atlassian.com's token endpoint; codes from `authorize()`, PKCE checked)
 * Errors are { errorMessages: [...], errors: {} }; 401 for unknown tokens; 429 + Retry-After via `rateLimitNext`.
 * `calls` records `METHOD path` with the /ex/jira/{cloudId} prefix cut off (`requests` keeps the cloud id).
 * `webhookBody(event, key)` builds the payload Jira POSTs for jira:issue_* events.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const REMOVED_SEARCH_MESSAGE = 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';
export const JIRA_SCOPES = ['read:jira-work', 'write:jira-work', 'read:jira-user'];
const PAGE_TOKEN_TTL_MS = 7 * 24 * 60 * 60_000;
const STATUSES: Record<string, { id: string; category: 'new' | 'indeterminate' | 'done' }> = {
  'To Do': { id: '10000', category: 'new' },
  'In Progress': { id: '3', category: 'indeterminate' },
  'In Review': { id: '10001', category: 'indeterminate' },
  Done: { id: '10002', category: 'done' },
};
/** The workflow: transition name → target status, allowed from these statuses. */
const WORKFLOW: { id: string; name: string; to: string; from: string[] }[] = [
  { id: '11', name: 'Start progress', to: 'In Progress', from: ['To Do', 'In Review'] },
  { id: '21', name: 'Request review', to: 'In Review', from: ['In Progress'] },
  { id: '31', name: 'Done', to: 'Done', from: ['In Progress', 'In Review'] },
  { id: '41', name: 'Reopen', to: 'To Do', from: ['Done', 'In Progress'] },
];

export interface FakeIssue {
  id: string;
  key: string;
  summary: string;
  status: string;
  assignee: string | null;
  updated: string;
}

export interface FakeSite {
  id: string;
  url: string;
  name: string;
  scopes: string[];
}

export class FakeJira {
  url = '';
  /** The sites of the Atlassian account; the first is the default one. */
  readonly sites: FakeSite[] = [{ id: randomUUID(), url: 'https://acme.atlassian.net', name: 'acme', scopes: [...JIRA_SCOPES] }];
  readonly tokens = new Map<string, string>(); // token → accountId
  /** token → the cloud ids it reaches (absent: every site). */
  readonly tokenSites = new Map<string, string[]>();
  readonly issues = new Map<string, FakeIssue>(); // key → issue
  readonly calls: string[] = [];
  readonly requests: { method: string; path: string; cloudId: string | null; query: Record<string, string> }[] = [];
  private readonly codes = new Map<string, { accountId: string; redirectUri: string; codeChallenge: string; sites: string[] | undefined }>();
  readonly pageTokens = new Map<string, { jql: string; offset: number; accountId: string; cloudId: string; expiresAt: number }>();
  rateLimitNext = 0;
  now: () => number = Date.now;
  private nextId = 10_000;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get site(): FakeSite {
    return this.sites[0]!;
  }

  addSite(site: Partial<FakeSite> & { url: string }): FakeSite {
    const added = { id: randomUUID(), name: new URL(site.url).hostname.split('.')[0]!, scopes: [...JIRA_SCOPES], ...site };
    this.sites.push(added);
    return added;
  }

  /** `sites`: the cloud ids the token reaches, in the order accessible-resources lists them (default: every site). */
  addUser(token: string, accountId: string, sites?: string[]) {
    this.tokens.set(token, accountId);
    if (sites) this.tokenSites.set(token, sites);
  }

  addIssue(assignee: string | null, summary: string, status = 'To Do'): FakeIssue {
    const id = String(this.nextId++);
    const issue = { id, key: `FF-${Number(id) - 9_999}`, summary, status, assignee, updated: new Date().toISOString() };
    this.issues.set(issue.key, issue);
    return issue;
  }

  update(key: string, change: Partial<Omit<FakeIssue, 'id' | 'key'>>) {
    const issue = this.issues.get(key)!;
    Object.assign(issue, change, { updated: new Date(Math.max(Date.now(), Date.parse(issue.updated) + 1)).toISOString() });
    return issue;
  }

  /** The issue as Jira shows it; `fields` null: ids only (search/jql without `fields`). */
  view(issue: FakeIssue, options: { fields?: string[] | null; cloudId?: string } = {}) {
    const status = STATUSES[issue.status]!;
    const all = { summary: issue.summary, status: { name: issue.status, id: status.id, statusCategory: { key: status.category } }, updated: issue.updated, assignee: issue.assignee ? { accountId: issue.assignee } : null };
    if (options.fields === null) return { id: issue.id };
    const wanted = options.fields;
    const fields = !wanted || wanted.some((f) => f === '*all' || f === '*navigable') ? all : Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
    const self = options.cloudId ? `${this.url}/ex/jira/${options.cloudId}/rest/api/3/issue/${issue.id}` : `${this.site.url}/rest/api/3/issue/${issue.id}`;
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, key: issue.key, self, fields };
  }

  webhookBody(event: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted', key: string) {
    return JSON.stringify({ timestamp: Date.now(), webhookEvent: event, issue_event_type_name: 'issue_generic', issue: this.view(this.issues.get(key)!) });
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
    this.send(res, status, { errorMessages: [message], errors: {} }, headers);
  }

  /** An authorization code (what auth.atlassian.com redirects back with) for a user reaching `sites`. */
  authorize(accountId: string, redirectUri: string, codeChallenge: string, sites?: string[]): string {
    const code = `jira-code-${randomUUID()}`;
    this.codes.set(code, { accountId, redirectUri, codeChallenge, sites });
    return code;
  }

  /** POST /oauth/token (auth.atlassian.com): authorization_code with PKCE → rotating refresh token. */
  private token(p: URLSearchParams, res: ServerResponse) {
    if (p.get('grant_type') !== 'authorization_code') return this.send(res, 400, { error: 'unsupported_grant_type', error_description: 'Only authorization_code in the fake.' });
    const code = this.codes.get(p.get('code') ?? '');
    this.codes.delete(p.get('code') ?? '');
    if (!code || code.redirectUri !== p.get('redirect_uri')) return this.send(res, 403, { error: 'invalid_grant', error_description: 'Invalid authorization code' });
    if (createHash('sha256').update(p.get('code_verifier') ?? '').digest('base64url') !== code.codeChallenge) return this.send(res, 403, { error: 'invalid_grant', error_description: 'Invalid code_verifier' });
    const access = `jira-access-${randomUUID()}`;
    this.addUser(access, code.accountId, code.sites);
    return this.send(res, 200, { access_token: access, refresh_token: `jira-refresh-${randomUUID()}`, expires_in: 3600, scope: 'read:jira-work write:jira-work read:jira-user offline_access', token_type: 'Bearer' });
  }

  private reaches(token: string, cloudId: string) {
    const only = this.tokenSites.get(token);
    return !only || only.includes(cloudId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const scoped = /^\/ex\/jira\/([^/]+)(\/.*)$/.exec(url.pathname);
    const cloudId = scoped ? decodeURIComponent(scoped[1]!) : null;
    const path = scoped ? scoped[2]! : url.pathname;
    this.calls.push(`${req.method} ${path}`);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, cloudId, query: Object.fromEntries(url.searchParams) });
    if (req.method === 'POST' && path === '/oauth/token') return this.token(new URLSearchParams(raw), res);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.fail(res, 429, 'Rate limit exceeded.', { 'retry-after': '0' });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const me = token ? this.tokens.get(token) : undefined;
    if (!token || !me) return this.fail(res, 401, 'Client must be authenticated to access this resource.');
    if (!scoped) {
      if (req.method === 'GET' && path === '/oauth/token/accessible-resources') {
        const only = this.tokenSites.get(token);
        const reached = only ? only.map((id) => this.sites.find((s) => s.id === id)).filter((s): s is FakeSite => Boolean(s)) : this.sites;
        return this.send(res, 200, reached.map((s) => ({ id: s.id, url: s.url, name: s.name, scopes: s.scopes, avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png' })));
      }
      return this.fail(res, 404, 'Not found.'); // site APIs exist only under /ex/jira/{cloudId}
    }
    const site = this.sites.find((s) => s.id === cloudId);
    if (!site) return this.fail(res, 404, 'No Jira site with this cloud id.');
    if (!this.reaches(token, site.id) || !site.scopes.includes('read:jira-work')) return this.send(res, 401, { code: 401, message: 'Unauthorized; scope does not match' });
    if (req.method === 'GET' && path === '/rest/api/3/myself') return this.send(res, 200, { accountId: me, accountType: 'atlassian', active: true });
    if (path === '/rest/api/3/search' || path === '/rest/api/2/search') return this.send(res, 410, { errorMessages: [REMOVED_SEARCH_MESSAGE], errors: {} });
    if (path === '/rest/api/3/search/jql' && (req.method === 'GET' || req.method === 'POST')) {
      let params: { jql?: string; maxResults?: number; fields?: string[]; nextPageToken?: string };
      if (req.method === 'GET') {
        const fields = url.searchParams.getAll('fields').flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
        params = { jql: url.searchParams.get('jql') ?? undefined, maxResults: url.searchParams.has('maxResults') ? Number(url.searchParams.get('maxResults')) : undefined, fields: fields.length ? fields : undefined, nextPageToken: url.searchParams.get('nextPageToken') ?? undefined };
      } else {
        try {
          params = JSON.parse(raw || '{}');
        } catch {
          return this.fail(res, 400, 'Unexpected character in the request body.');
        }
      }
      return this.search(res, me, site, params);
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/.exec(path);
    if (m) {
      const issue = this.issues.get(decodeURIComponent(m[1]!)) ?? [...this.issues.values()].find((i) => i.id === decodeURIComponent(m[1]!));
      if (!issue) return this.fail(res, 404, 'Issue does not exist or you do not have permission to see it.');
      const available = WORKFLOW.filter((t) => t.from.includes(issue.status));
      if (req.method === 'GET') {
        return this.send(res, 200, { expand: 'transitions', transitions: available.map((t) => ({ id: t.id, name: t.name, to: { name: t.to, id: STATUSES[t.to]!.id, statusCategory: { key: STATUSES[t.to]!.category } }, isAvailable: true })) });
      }
      if (req.method === 'POST') {
        if (!site.scopes.includes('write:jira-work')) return this.send(res, 401, { code: 401, message: 'Unauthorized; scope does not match' });
        const id = (JSON.parse(raw || '{}') as { transition?: { id?: string } }).transition?.id;
        const transition = available.find((t) => t.id === id);
        if (!transition) return this.fail(res, 400, `Transition id '${id}' is not valid for this issue.`);
        this.update(issue.key, { status: transition.to });
        return this.send(res, 204);
      }
    }
    return this.fail(res, 404, 'Not found.');
  }

  private search(res: ServerResponse, me: string, site: FakeSite, params: { jql?: string; maxResults?: number; fields?: string[]; nextPageToken?: string }) {
    const jql = (params.jql ?? '').trim();
    if (!jql || /^order\s+by/i.test(jql)) return this.fail(res, 400, 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    if (!/^assignee\s*=\s*currentUser\(\)/i.test(jql)) return this.fail(res, 400, `Unsupported JQL in the fake: ${jql}`);
    const requested = params.maxResults ?? 50;
    if (!Number.isInteger(requested) || requested < 1) return this.fail(res, 400, `The value '${String(params.maxResults)}' is invalid for maxResults.`);
    const fields = params.fields?.filter((f) => f !== 'id' && f !== 'key') ?? [];
    const idsOnly = fields.length === 0 && !params.fields?.includes('key');
    const maxResults = Math.min(requested, idsOnly ? 5000 : 100);
    let offset = 0;
    if (params.nextPageToken) {
      const state = this.pageTokens.get(params.nextPageToken);
      if (!state || state.accountId !== me || state.cloudId !== site.id) return this.fail(res, 400, 'Invalid nextPageToken.');
      if (state.expiresAt <= this.now()) return this.fail(res, 400, 'The nextPageToken has expired. Start the search again.');
      if (state.jql !== jql) return this.fail(res, 400, 'The nextPageToken was issued for a different query.');
      offset = state.offset;
    }
    const mine = [...this.issues.values()].filter((i) => i.assignee === me).sort((a, b) => b.updated.localeCompare(a.updated) || a.id.localeCompare(b.id));
    const page = mine.slice(offset, offset + maxResults);
    const more = offset + page.length < mine.length;
    let nextPageToken: string | undefined;
    if (more) {
      nextPageToken = randomBytes(24).toString('base64url');
      this.pageTokens.set(nextPageToken, { jql, offset: offset + page.length, accountId: me, cloudId: site.id, expiresAt: this.now() + PAGE_TOKEN_TTL_MS });
    }
    const view = params.fields === undefined ? null : params.fields;
    return this.send(res, 200, { issues: page.map((i) => this.view(i, { fields: view, cloudId: site.id })), ...(nextPageToken ? { nextPageToken } : {}), isLast: !more });
  }
}
