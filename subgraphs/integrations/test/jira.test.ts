import type { Identity } from '@flowforge/auth';
import { randomUUID } from 'node:crypto';
import { ConnectionRepository } from '../src/data/connections.js';
import { jiraSignature } from '../src/providers/jira/connector.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { IntegrationsService } from '../src/services/integrations.js';
import { FakeJira, JIRA_SCOPES, type FakeSite } from './fakes/jira.js';
import { eventually, openHarness, type Harness } from './harness.js';

const SECRET = 'jira-webhook-secret';

describe('Jira tasks', () => {
  let h: Harness;
  let jira: FakeJira;
  let app: IntegrationsApp;
  let service: IntegrationsService;

  beforeAll(async () => {
    h = await openHarness();
    jira = await new FakeJira().start();
    app = h.app({ pageSize: 2, env: { ...jiraEnv(), JIRA_SITE_URL: 'https://acme.atlassian.net', JIRA_WEBHOOK_SECRET: SECRET } });
    await app.subscribe();
    service = new IntegrationsService(new ConnectionRepository(h.db), app);
  });
  afterAll(async () => {
    await h?.close();
    await jira?.stop();
  });

  const jiraEnv = () => ({ JIRA_CLIENT_ID: 'j', JIRA_CLIENT_SECRET: 's', JIRA_API_URL: jira.url, JIRA_OAUTH_AUTHORIZE_URL: `${jira.url}/authorize`, JIRA_OAUTH_TOKEN_URL: `${jira.url}/oauth/token` });
  const removedSearchCalls = () => jira.calls.filter((c) => / \/rest\/api\/\d\/search$/.test(c));

  async function connect(accountId: string, sites?: FakeSite[]) {
    const organizationId = randomUUID();
    const userId = randomUUID();
    const token = `jira-token-${randomUUID()}`;
    jira.addUser(token, accountId, sites?.map((s) => s.id));
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'JIRA', status: 'CONNECTED', externalAccountId: accountId } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: token }) });
    return { organizationId, userId, connectionId: row.id };
  }
  const post = (body: string, headers: Record<string, string>, query = '') =>
    app.webhooks.receive('JIRA', { method: 'POST', url: new URL(`http://x/webhooks/jira${query}`), headers, rawBody: Buffer.from(body) });

  it('syncs the issues assigned to the user (search/jql nextPageToken paging through a 429) and drops unassigned ones', async () => {
    const ids = await connect('acc-1');
    const issues = ['Write spec', 'Fix login', 'Ship it', 'Review PR', 'Deploy'].map((s) => jira.addIssue('acc-1', s));
    jira.addIssue('someone-else', 'Not mine');
    jira.update(issues[1]!.key, { status: 'In Progress' });
    // The first sync discovers the site; then the first search page answers 429 once.
    await app.jiraTasks.sync(ids.connectionId);
    jira.rateLimitNext = 1;
    const before = jira.calls.length;
    expect(await app.jiraTasks.sync(ids.connectionId)).toEqual({ items: 5 });
    const calls = jira.calls.slice(before);
    expect(calls).toEqual(Array(1 + 3).fill('GET /rest/api/3/search/jql')); // the 429, then pages of 2: 2 + 2 + 1; the site is stored
    const searches = jira.requests.filter((r) => r.path.endsWith('/rest/api/3/search/jql')).slice(-3);
    expect(searches.map((r) => r.cloudId)).toEqual(Array(3).fill(jira.site.id));
    expect(searches[0]!.query).toEqual({ jql: 'assignee = currentUser() ORDER BY updated DESC', maxResults: '2', fields: 'summary,status,updated' });
    expect(searches[1]!.query.nextPageToken).toEqual(expect.any(String));
    expect(searches[2]!.query.nextPageToken).not.toBe(searches[1]!.query.nextPageToken);
    expect(removedSearchCalls()).toEqual([]);
    const tasks = await h.db.externalTask.findMany({ where: { connectionId: ids.connectionId } });
    expect(tasks.map((t) => t.title).sort()).toEqual(['Deploy', 'Fix login', 'Review PR', 'Ship it', 'Write spec']);
    expect(tasks.find((t) => t.key === issues[1]!.key)).toMatchObject({ status: 'In Progress', statusCategory: 'IN_PROGRESS', url: `https://acme.atlassian.net/browse/${issues[1]!.key}` });

    jira.update(issues[4]!.key, { assignee: 'someone-else' });
    expect(await app.jiraTasks.sync(ids.connectionId)).toEqual({ items: 4 });
    expect(await h.db.externalTask.count({ where: { connectionId: ids.connectionId } })).toBe(4);
    const log = await h.db.integrationSyncLog.findFirst({ where: { connectionId: ids.connectionId }, orderBy: { startedAt: 'desc' } });
    expect(log).toMatchObject({ status: 'SUCCEEDED', itemsSynced: 4 });
  });

  it('User.tasks and updateTaskStatus write the status back through the issue transitions', async () => {
    const ids = await connect('acc-2');
    const issue = jira.addIssue('acc-2', 'Transition me');
    await app.jiraTasks.sync(ids.connectionId);
    const identity: Identity = { userId: ids.userId, organizationId: ids.organizationId, workspaceId: null, role: 'USER', sessionId: null };
    const tasks = await service.tasks(identity, ids.userId, 10);
    await expect(service.tasks({ ...identity, userId: randomUUID() }, ids.userId, 10)).rejects.toThrow(/your own tasks/);
    const task = tasks.find((t) => t.key === issue.key)!;
    expect(task.status).toBe('To Do');
    const moved = await service.updateTaskStatus(identity, task.id, 'in progress');
    expect(moved).toMatchObject({ status: 'In Progress', statusCategory: 'IN_PROGRESS' });
    expect(jira.issues.get(issue.key)!.status).toBe('In Progress');
    expect(jira.calls).toContain(`POST /rest/api/3/issue/${issue.key}/transitions`);
    expect(jira.requests.filter((r) => r.method === 'POST').at(-1)).toMatchObject({ path: `/ex/jira/${jira.site.id}/rest/api/3/issue/${issue.key}/transitions` });
    // Done is reachable from In Progress; "To Do" → "In Review" is not.
    await app.jiraTasks.updateStatus(moved, 'Done');
    expect(jira.issues.get(issue.key)!.status).toBe('Done');
    const done = (await h.db.externalTask.findUnique({ where: { id: task.id } }))!;
    expect(done.statusCategory).toBe('DONE');
    await expect(service.updateTaskStatus(identity, done.id, 'In Review')).rejects.toThrow(/No transition leads to "In Review"; reachable: To Do/);
    await expect(service.updateTaskStatus({ ...identity, userId: randomUUID() }, done.id, 'To Do')).rejects.toThrow(/No task with that id/);
    // Same status: no provider call.
    const before = jira.calls.length;
    await app.jiraTasks.updateStatus(done, 'done');
    expect(jira.calls.length).toBe(before);
  });

  it('webhooks: signature (X-Hub-Signature) or URL secret checked before parsing, deduped, tasks follow the issue', async () => {
    const ids = await connect('acc-3');
    const issue = jira.addIssue('acc-3', 'From a webhook');
    const created = jira.webhookBody('jira:issue_created', issue.key);
    const signed = (body: string, delivery: string) => ({ 'x-hub-signature': jiraSignature(SECRET, body), 'x-atlassian-webhook-identifier': delivery, 'content-type': 'application/json' });
    expect((await post(created, { ...signed(created, 'w-1'), 'x-hub-signature': jiraSignature('wrong', created) })).status).toBe(401);
    expect((await post(created, { 'x-atlassian-webhook-identifier': 'w-1' })).status).toBe(401); // no signature, no URL secret
    expect((await post(created, {}, '?secret=nope')).status).toBe(401);
    expect((await post('{not json', signed(created, 'w-1'))).status).toBe(401); // signature over other bytes
    expect(await post(created, signed(created, 'w-1'))).toEqual({ status: 200, body: { ok: true } });
    expect(await post(created, signed(created, 'w-1'))).toEqual({ status: 200, body: { ok: true, duplicate: true } }); // Jira's retry
    await eventually(async () => expect(await h.db.externalTask.findFirst({ where: { connectionId: ids.connectionId, key: issue.key } })).toMatchObject({ title: 'From a webhook', status: 'To Do' }));

    jira.update(issue.key, { status: 'In Progress', summary: 'Renamed' });
    const updated = jira.webhookBody('jira:issue_updated', issue.key);
    expect((await post(updated, { 'x-atlassian-webhook-identifier': 'w-2' }, `?secret=${SECRET}`)).status).toBe(200); // URL secret
    await eventually(async () => expect(await h.db.externalTask.findFirst({ where: { connectionId: ids.connectionId, key: issue.key } })).toMatchObject({ title: 'Renamed', status: 'In Progress', statusCategory: 'IN_PROGRESS' }));

    // A late, older delivery changes nothing.
    expect((await post(created, signed(created, 'w-0'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await h.db.externalTask.findFirst({ where: { connectionId: ids.connectionId, key: issue.key } })).toMatchObject({ title: 'Renamed' });

    jira.update(issue.key, { assignee: 'someone-else' });
    const reassigned = jira.webhookBody('jira:issue_updated', issue.key);
    expect((await post(reassigned, signed(reassigned, 'w-3'))).status).toBe(200);
    await eventually(async () => expect(await h.db.externalTask.count({ where: { connectionId: ids.connectionId, key: issue.key } })).toBe(0));
  });

  it('pages 120 issues through nextPageToken (maxResults 50; a larger page size is capped by Jira at 100) and never calls the removed /search', async () => {
    const ids = await connect('acc-many');
    for (let i = 0; i < 120; i++) jira.addIssue('acc-many', `Issue ${i}`);
    for (const [pageSize, pages] of [[50, 3], [500, 2]] as const) {
      const sized = h.app({ pageSize, cipher: app.cipher, env: { ...jiraEnv(), JIRA_SITE_URL: 'https://acme.atlassian.net' } });
      const before = jira.requests.length;
      expect(await sized.jiraTasks.sync(ids.connectionId)).toEqual({ items: 120 });
      const searches = jira.requests.slice(before).filter((r) => r.path.endsWith('/search/jql'));
      expect(searches).toHaveLength(pages);
      expect(searches.map((r) => r.query.maxResults)).toEqual(Array(pages).fill(String(pageSize)));
      expect(searches.map((r) => Boolean(r.query.nextPageToken))).toEqual([false, ...Array(pages - 1).fill(true)]);
    }
    expect(await h.db.externalTask.count({ where: { connectionId: ids.connectionId } })).toBe(120);
    expect(removedSearchCalls()).toEqual([]);
  });

  it('the fake answers the removed /rest/api/3/search with 410 and the migration message', async () => {
    const token = `jira-token-${randomUUID()}`;
    jira.addUser(token, 'acc-410');
    const response = await fetch(`${jira.url}/ex/jira/${jira.site.id}/rest/api/3/search?jql=assignee%3DcurrentUser()`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(410);
    expect(await response.json()).toEqual({ errorMessages: [expect.stringContaining('/rest/api/3/search/jql')], errors: {} });
    expect((await fetch(`${jira.url}/ex/jira/${randomUUID()}/rest/api/3/myself`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const unbounded = await fetch(`${jira.url}/ex/jira/${jira.site.id}/rest/api/3/search/jql?jql=${encodeURIComponent('ORDER BY updated')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(unbounded.status).toBe(400);
    jira.calls.length = 0; // these probes are not the connector's calls
    jira.requests.length = 0;
  });

  describe('site discovery (accessible-resources)', () => {
    let anySite: IntegrationsApp;
    let wiki: FakeSite;
    let beta: FakeSite;
    let readOnly: FakeSite;

    beforeAll(() => {
      anySite = h.app({ pageSize: 50, cipher: app.cipher, env: jiraEnv() }); // no JIRA_SITE_URL
      wiki = jira.addSite({ url: 'https://wiki-only.atlassian.net', scopes: ['read:confluence-content.all', 'write:confluence-content'] });
      readOnly = jira.addSite({ url: 'https://read-only.atlassian.net', scopes: ['read:jira-work', 'read:jira-user'] });
      beta = jira.addSite({ url: 'https://beta.atlassian.net/', scopes: [...JIRA_SCOPES] });
    });

    const stored = async (connectionId: string) => (await h.db.providerConnection.findUnique({ where: { id: connectionId } }))!;

    it('picks the first site with read:jira-work and write:jira-work, stores it, and calls /ex/jira/{cloudId}', async () => {
      const ids = await connect('acc-site-1', [wiki, readOnly, beta]);
      const issue = jira.addIssue('acc-site-1', 'On beta');
      expect(await anySite.jiraTasks.sync(ids.connectionId)).toEqual({ items: 1 });
      const row = await stored(ids.connectionId);
      expect(row.providerState).toEqual({ jira: { site: { cloudId: beta.id, url: 'https://beta.atlassian.net', name: 'beta', canWrite: true } } });
      expect(await h.db.externalTask.findFirst({ where: { connectionId: ids.connectionId } })).toMatchObject({ key: issue.key, url: `https://beta.atlassian.net/browse/${issue.key}` });
      expect(jira.requests.filter((r) => r.path.endsWith('/search/jql')).at(-1)!.cloudId).toBe(beta.id);
      // Stored: the next sync asks accessible-resources no more.
      const resourcesBefore = jira.calls.filter((c) => c === 'GET /oauth/token/accessible-resources').length;
      await anySite.jiraTasks.sync(ids.connectionId);
      expect(jira.calls.filter((c) => c === 'GET /oauth/token/accessible-resources').length).toBe(resourcesBefore);
    });

    it('a site granting read:jira-work only is used for reading; transitions are refused with a clear error', async () => {
      const ids = await connect('acc-site-2', [wiki, readOnly]);
      jira.addIssue('acc-site-2', 'Read only');
      expect(await anySite.jiraTasks.sync(ids.connectionId)).toEqual({ items: 1 });
      expect((await stored(ids.connectionId)).providerState).toMatchObject({ jira: { site: { cloudId: readOnly.id, canWrite: false } } });
      const task = (await h.db.externalTask.findFirst({ where: { connectionId: ids.connectionId } }))!;
      await expect(anySite.jiraTasks.updateStatus(task, 'In Progress')).rejects.toThrow(/without the write:jira-work scope/);
    });

    it('JIRA_SITE_URL picks that site even when another Jira site comes first', async () => {
      const ids = await connect('acc-site-3', [beta, jira.site]);
      await app.jiraTasks.sync(ids.connectionId);
      expect((await stored(ids.connectionId)).providerState).toMatchObject({ jira: { site: { cloudId: jira.site.id, url: 'https://acme.atlassian.net' } } });
    });

    it('no site with Jira scopes (or not the JIRA_SITE_URL one): the sync fails with the reason and the connection needs re-authorization', async () => {
      const none = await connect('acc-site-4', [wiki]);
      await expect(anySite.jiraTasks.sync(none.connectionId)).rejects.toThrow(/reaches no Jira site with the read:jira-work scope/);
      expect(await stored(none.connectionId)).toMatchObject({ status: 'NEEDS_REAUTH', lastError: expect.stringMatching(/no Jira site/) });
      expect(await h.db.integrationSyncLog.findFirst({ where: { connectionId: none.connectionId } })).toMatchObject({ status: 'FAILED' });
      await eventually(async () => expect(h.published.some((e) => e.subject === none.connectionId && (e.data as { status?: string }).status === 'NEEDS_REAUTH')).toBe(true));
      // Not connected any more: later syncs do nothing until the user connects again.
      expect(await anySite.jiraTasks.sync(none.connectionId)).toEqual({ items: 0 });

      const other = await connect('acc-site-5', [beta]);
      await expect(app.jiraTasks.sync(other.connectionId)).rejects.toThrow(/https:\/\/acme\.atlassian\.net \(JIRA_SITE_URL\) is not among the sites/);
      expect(await stored(other.connectionId)).toMatchObject({ status: 'NEEDS_REAUTH' });
      expect(removedSearchCalls()).toEqual([]);
    });

    it('after the OAuth callback, identify discovers the site and stores it with the account id', async () => {
      const identity: Identity = { userId: randomUUID(), organizationId: randomUUID(), workspaceId: null, role: 'USER', sessionId: null };
      const { authorizationUrl } = await anySite.oauth.connect(identity, 'JIRA');
      const authorize = new URL(authorizationUrl);
      expect(authorize.searchParams.get('audience')).toBe('api.atlassian.com');
      const code = jira.authorize('acc-oauth', authorize.searchParams.get('redirect_uri')!, authorize.searchParams.get('code_challenge')!, [wiki.id, beta.id]);
      const callback = new URL(authorize.searchParams.get('redirect_uri')!);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', authorize.searchParams.get('state')!);
      const done = await anySite.oauth.complete('JIRA', callback);
      const row = await stored(done.connectionId);
      expect(row).toMatchObject({ status: 'CONNECTED', externalAccountId: 'acc-oauth', providerState: { jira: { site: { cloudId: beta.id, url: 'https://beta.atlassian.net' } } } });
      jira.addIssue('acc-oauth', 'After OAuth');
      const resourcesBefore = jira.calls.filter((c) => c === 'GET /oauth/token/accessible-resources').length;
      expect(await anySite.jiraTasks.sync(done.connectionId)).toEqual({ items: 1 });
      expect(jira.calls.filter((c) => c === 'GET /oauth/token/accessible-resources').length).toBe(resourcesBefore);
    });
  });
});
