/**
 * Jira issues assigned to the user ↔ external_tasks, both ways:
 * - sync(): pages through `assignee = currentUser()`, upserts every issue, drops tasks no longer
 *   assigned (every run is logged in integration_sync_logs);
 * - webhook(): a verified jira:issue_* delivery updates/creates/deletes the task of the connected
 *   assignee (and drops it from a connection it was reassigned away from);
 * - updateStatus(): writes a status change back through the issue's transitions, then stores the
 *   status the transition led to. Deliveries older (fields.updated) than what we hold change nothing.
 * Every provider call goes to the connection's Jira site (cloud id), discovered once through
 * accessible-resources (after OAuth, or here when missing) and kept in providerState.jira.site; a token
 * reaching no Jira site marks the connection NEEDS_REAUTH with the reason.
 */
import type { Logger } from '@flowforge/runtime';
import type { ExternalTask, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import { jiraState, NoJiraSiteError, statusCategory, type JiraConnector, type JiraIssue, type JiraSite } from '../providers/jira/connector.js';
import type { ConnectorCall } from '../providers/types.js';
import type { ConnectorCalls } from './calls.js';

const omitTokens = { accessTokenCiphertext: true, refreshTokenCiphertext: true } as const;

type Connection = { id: string; userId: string; organizationId: string; externalAccountId: string | null; providerState?: unknown };

export class JiraTasks {
  constructor(
    private readonly db: PrismaClient,
    private readonly calls: ConnectorCalls,
    private readonly jira: JiraConnector,
    /** JIRA_SITE_URL: task links when a connection has no stored site (yet). */
    private readonly siteUrl: string | null,
    private readonly log: Logger,
    private readonly markNeedsReauth: (connectionId: string, reason: string) => Promise<void> = async () => {},
  ) {}

  private call(connection: Connection): ConnectorCall {
    return this.calls.call({ id: connection.id, userId: connection.userId, organizationId: connection.organizationId, externalAccountId: connection.externalAccountId, providerState: connection.providerState, provider: 'JIRA' });
  }

  /**
   * The connection with its Jira site: the stored one, or discovered now and stored (with the account
   * id when that is missing too). No usable site → NEEDS_REAUTH with the reason, and the error is thrown.
   */
  private async withSite<C extends Connection>(connection: C): Promise<C & { site: JiraSite }> {
    const stored = jiraState(connection.providerState).site;
    if (stored) return { ...connection, site: stored };
    const call = this.call(connection);
    try {
      const site = await this.calls.withRefresh(call, () => this.jira.discoverSite(call));
      const providerState = { ...((connection.providerState ?? {}) as Record<string, unknown>), jira: { site } };
      const withState = { ...connection, providerState };
      let externalAccountId = connection.externalAccountId;
      if (!externalAccountId) {
        const siteCall = this.call(withState);
        externalAccountId = (await this.calls.withRefresh(siteCall, () => this.jira.identify(siteCall))).accountId;
      }
      await this.db.providerConnection.update({ where: { id: connection.id }, data: { providerState: providerState as unknown as Prisma.InputJsonValue, ...(externalAccountId ? { externalAccountId } : {}) } });
      this.log({ msg: 'jira site discovered', connectionId: connection.id, cloudId: site.cloudId, site: site.url });
      return { ...withState, externalAccountId, site };
    } catch (error) {
      if (error instanceof NoJiraSiteError) await this.markNeedsReauth(connection.id, error.message);
      throw error;
    }
  }

  private columns(issue: JiraIssue, siteUrl: string | null) {
    const remote = issue.fields?.updated ? new Date(issue.fields.updated) : null;
    return {
      key: issue.key,
      title: issue.fields?.summary ?? issue.key,
      status: issue.fields?.status?.name ?? 'Unknown',
      statusCategory: statusCategory(issue.fields?.status?.statusCategory?.key),
      url: siteUrl ? `${siteUrl}/browse/${issue.key}` : null,
      remoteUpdatedAt: remote && !Number.isNaN(remote.getTime()) ? remote : null,
    };
  }

  /** Upsert unless what we hold is newer (an older webhook delivered late changes nothing). */
  private async upsert(connection: { id: string; organizationId: string; userId: string; providerState?: unknown }, issue: JiraIssue): Promise<void> {
    const data = this.columns(issue, jiraState(connection.providerState).site?.url ?? this.siteUrl);
    const existing = await this.db.externalTask.findUnique({ where: { connectionId_externalId: { connectionId: connection.id, externalId: issue.id } }, select: { remoteUpdatedAt: true } });
    if (existing?.remoteUpdatedAt && data.remoteUpdatedAt && existing.remoteUpdatedAt > data.remoteUpdatedAt) return;
    await this.db.externalTask.upsert({
      where: { connectionId_externalId: { connectionId: connection.id, externalId: issue.id } },
      create: { ...data, connectionId: connection.id, organizationId: connection.organizationId, userId: connection.userId, provider: 'JIRA', externalId: issue.id },
      update: data,
    });
  }

  async sync(connectionId: string): Promise<{ items: number }> {
    const connection = await this.db.providerConnection.findUnique({ where: { id: connectionId }, omit: omitTokens });
    if (!connection || connection.provider !== 'JIRA' || connection.status !== 'CONNECTED') return { items: 0 };
    const started = Date.now();
    const log = await this.db.integrationSyncLog.create({ data: { organizationId: connection.organizationId, userId: connection.userId, connectionId } });
    const seen = new Set<string>();
    try {
      const sited = await this.withSite(connection);
      const call = this.call(sited);
      await this.calls.withRefresh(call, async () => {
        for await (const page of this.jira.fullSync(call)) {
          for (const issue of page.items) {
            seen.add(issue.id);
            await this.upsert(sited, issue);
          }
        }
      });
      await this.db.externalTask.deleteMany({ where: { connectionId, externalId: { notIn: [...seen] } } });
      await this.db.integrationSyncLog.update({ where: { id: log.id }, data: { status: 'SUCCEEDED', itemsSynced: seen.size, durationMs: Date.now() - started } });
      await this.db.providerConnection.update({ where: { id: connectionId }, data: { lastSyncAt: new Date(), lastError: null } });
      this.log({ msg: 'jira tasks synced', connectionId, items: seen.size });
      return { items: seen.size };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.db.integrationSyncLog.update({ where: { id: log.id }, data: { status: 'FAILED', itemsSynced: seen.size, durationMs: Date.now() - started, error: message } });
      // NEEDS_REAUTH (token store / no site) already recorded its reason; other failures show on the connection.
      if (!(error instanceof ProviderError && error.action === 'REAUTH')) await this.db.providerConnection.update({ where: { id: connectionId }, data: { lastError: message.slice(0, 1000) } });
      throw error;
    }
  }

  /** A verified jira:issue_created / issue_updated / issue_deleted delivery. */
  async webhook(event: string, issue: JiraIssue): Promise<void> {
    const assignee = issue.fields?.assignee?.accountId ?? null;
    if (event === 'jira:issue_deleted') {
      await this.db.externalTask.deleteMany({ where: { provider: 'JIRA', externalId: issue.id } });
      return;
    }
    const connections = assignee ? await this.db.providerConnection.findMany({ where: { provider: 'JIRA', status: 'CONNECTED', externalAccountId: assignee }, select: { id: true, organizationId: true, userId: true, providerState: true } }) : [];
    // Reassigned away (or unassigned): no longer this user's task.
    const updated = issue.fields?.updated ? new Date(issue.fields.updated) : null;
    const notNewer = updated && !Number.isNaN(updated.getTime()) ? { OR: [{ remoteUpdatedAt: null }, { remoteUpdatedAt: { lte: updated } }] } : {};
    await this.db.externalTask.deleteMany({ where: { provider: 'JIRA', externalId: issue.id, connectionId: { notIn: connections.map((c) => c.id) }, ...notNewer } });
    for (const connection of connections) await this.upsert(connection, issue);
  }

  /** Write-back: transition the issue to `status` and store where it landed. */
  async updateStatus(task: ExternalTask, status: string): Promise<ExternalTask> {
    if (task.status.toLowerCase() === status.trim().toLowerCase()) return task;
    const connection = await this.db.providerConnection.findUnique({ where: { id: task.connectionId }, omit: omitTokens });
    if (!connection || connection.status !== 'CONNECTED') throw new ProviderError('The Jira connection is not connected.', 'REAUTH', null);
    const call = this.call(await this.withSite(connection));
    const transition = await this.calls.withRefresh(call, () => this.jira.writeBack(call, { op: 'transition', issueKey: task.key, status }));
    const updated = await this.db.externalTask.update({
      where: { id: task.id },
      // remoteUpdatedAt stays: Jira's own timestamp arrives with the transition's webhook (or the next poll).
      data: { status: transition?.to?.name ?? status, statusCategory: statusCategory(transition?.to?.statusCategory?.key) },
    });
    this.log({ msg: 'jira task transitioned', connectionId: connection.id, taskId: task.id });
    return updated;
  }
}
