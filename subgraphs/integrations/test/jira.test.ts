import type { Identity } from '@flowforge/auth';
import { randomUUID } from 'node:crypto';
import { ConnectionRepository } from '../src/data/connections.js';
import { jiraSignature } from '../src/providers/jira/connector.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { IntegrationsService } from '../src/services/integrations.js';
import { FakeJira } from './fakes/jira.js';
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
    app = h.app({ pageSize: 2, env: { JIRA_CLIENT_ID: 'j', JIRA_CLIENT_SECRET: 's', JIRA_API_URL: jira.url, JIRA_SITE_URL: 'https://acme.atlassian.net', JIRA_WEBHOOK_SECRET: SECRET } });
    await app.subscribe();
    service = new IntegrationsService(new ConnectionRepository(h.db), app);
  });
  afterAll(async () => {
    await h?.close();
    await jira?.stop();
  });

  async function connect(accountId: string) {
    const organizationId = randomUUID();
    const userId = randomUUID();
    const token = `jira-token-${randomUUID()}`;
    jira.addUser(token, accountId);
    const row = await h.db.providerConnection.create({ data: { organizationId, userId, provider: 'JIRA', status: 'CONNECTED', externalAccountId: accountId } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: token }) });
    return { organizationId, userId, connectionId: row.id };
  }
  const post = (body: string, headers: Record<string, string>, query = '') =>
    app.webhooks.receive('JIRA', { method: 'POST', url: new URL(`http://x/webhooks/jira${query}`), headers, rawBody: Buffer.from(body) });

  it('syncs the issues assigned to the user (offset paging through a 429) and drops unassigned ones', async () => {
    const ids = await connect('acc-1');
    const issues = ['Write spec', 'Fix login', 'Ship it', 'Review PR', 'Deploy'].map((s) => jira.addIssue('acc-1', s));
    jira.addIssue('someone-else', 'Not mine');
    jira.update(issues[1]!.key, { status: 'In Progress' });
    jira.rateLimitNext = 1;
    expect(await app.jiraTasks.sync(ids.connectionId)).toEqual({ items: 5 });
    expect(jira.calls.filter((c) => c === 'GET /rest/api/3/search')).toHaveLength(1 + 3); // the 429, then pages of 2: 2 + 2 + 1
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
});
