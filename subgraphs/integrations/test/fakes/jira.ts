/**
 * A local fake of the Jira Cloud REST API v3 endpoints we use:
 * - GET  /rest/api/3/myself
 * - GET  /rest/api/3/search?jql=assignee = currentUser()…&startAt&maxResults → { startAt, maxResults, total, issues }
 *   (offset paging, maxResults capped at 100 as Jira does; other JQL answers 400)
 * - GET  /rest/api/3/issue/{key}/transitions → the transitions of the issue's workflow from its status
 * - POST /rest/api/3/issue/{key}/transitions { transition: { id } } → 204 (400 when not available)
 * Errors are { errorMessages: [...], errors: {} }; 401 for unknown tokens; 429 + Retry-After via `rateLimitNext`.
 * `webhookBody(event, key)` builds the payload Jira POSTs for jira:issue_* events.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export class FakeJira {
  url = '';
  readonly tokens = new Map<string, string>(); // token → accountId
  readonly issues = new Map<string, FakeIssue>(); // key → issue
  readonly calls: string[] = [];
  rateLimitNext = 0;
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

  addUser(token: string, accountId: string) {
    this.tokens.set(token, accountId);
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

  view(issue: FakeIssue) {
    const status = STATUSES[issue.status]!;
    return {
      id: issue.id, key: issue.key, self: `${this.url}/rest/api/3/issue/${issue.id}`,
      fields: { summary: issue.summary, status: { name: issue.status, id: status.id, statusCategory: { key: status.category } }, updated: issue.updated, assignee: issue.assignee ? { accountId: issue.assignee } : null },
    };
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

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    this.calls.push(`${req.method} ${url.pathname}`);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.fail(res, 429, 'Rate limit exceeded.', { 'retry-after': '0' });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const me = token ? this.tokens.get(token) : undefined;
    if (!me) return this.fail(res, 401, 'Client must be authenticated to access this resource.');
    if (req.method === 'GET' && url.pathname === '/rest/api/3/myself') return this.send(res, 200, { accountId: me, accountType: 'atlassian', active: true });
    if (req.method === 'GET' && url.pathname === '/rest/api/3/search') {
      const jql = url.searchParams.get('jql') ?? '';
      if (!/^assignee\s*=\s*currentUser\(\)/i.test(jql)) return this.fail(res, 400, `Unsupported JQL in the fake: ${jql}`);
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const maxResults = Math.min(100, Number(url.searchParams.get('maxResults') ?? 50));
      const mine = [...this.issues.values()].filter((i) => i.assignee === me).sort((a, b) => b.updated.localeCompare(a.updated) || a.id.localeCompare(b.id));
      return this.send(res, 200, { expand: 'schema,names', startAt, maxResults, total: mine.length, issues: mine.slice(startAt, startAt + maxResults).map((i) => this.view(i)) });
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/.exec(url.pathname);
    if (m) {
      const issue = this.issues.get(decodeURIComponent(m[1]!)) ?? [...this.issues.values()].find((i) => i.id === decodeURIComponent(m[1]!));
      if (!issue) return this.fail(res, 404, 'Issue does not exist or you do not have permission to see it.');
      const available = WORKFLOW.filter((t) => t.from.includes(issue.status));
      if (req.method === 'GET') {
        return this.send(res, 200, { expand: 'transitions', transitions: available.map((t) => ({ id: t.id, name: t.name, to: { name: t.to, id: STATUSES[t.to]!.id, statusCategory: { key: STATUSES[t.to]!.category } }, isAvailable: true })) });
      }
      if (req.method === 'POST') {
        const id = (JSON.parse(raw || '{}') as { transition?: { id?: string } }).transition?.id;
        const transition = available.find((t) => t.id === id);
        if (!transition) return this.fail(res, 400, `Transition id '${id}' is not valid for this issue.`);
        this.update(issue.key, { status: transition.to });
        return this.send(res, 204);
      }
    }
    return this.fail(res, 404, 'Not found.');
  }
}
