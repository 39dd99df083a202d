import type { Identity } from '@flowforge/auth';
import { badInput, forbidden, notFound, requireId, requirePermission } from '@flowforge/runtime';
import type { ConnectionRepository, ConnectionRow } from '../data/connections.js';
import { validateScopes } from '../domain/connection.js';
import { Prisma, type ExternalTask, type IntegrationConflict, type IntegrationSyncLog, type Provider } from '../generated/prisma/client.js';
import { ProviderError } from '../http/request.js';
import { NoTransitionError } from '../providers/jira/connector.js';
import type { IntegrationsApp } from './app.js';

export interface AuthorizationView {
  authorizationUrl: string;
  expiresAt: Date;
  connection: ConnectionRow;
}

const clamp = (value: number | null | undefined, fallback: number, max: number, field: string) => {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(`${field} must be a whole number from 1 to ${max}; got ${n}.`, field);
  return n;
};

/** The caller's own provider connections in their active organization. */
export class IntegrationsService {
  constructor(private readonly connections: ConnectionRepository, private readonly app: IntegrationsApp) {}

  list(identity: Identity, userId: string): Promise<ConnectionRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own provider connections.');
    return this.connections.list(member.organizationId, member.userId);
  }

  /** A PENDING connection with the scopes to request (connectProvider starts the OAuth flow). */
  async create(identity: Identity, provider: Provider, scopes: readonly string[]): Promise<ConnectionRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const valid = validateScopes(scopes);
    try {
      return await this.connections.createPending(member.organizationId, member.userId, provider, valid);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw badInput(`You already have a ${provider} connection in this organization.`, 'provider');
      }
      throw error;
    }
  }

  async connect(identity: Identity, provider: Provider): Promise<AuthorizationView> {
    const started = await this.app.oauth.connect(identity, provider);
    const member = requirePermission(identity, 'domain:own:write');
    const connection = (await this.connections.findOwned(member.organizationId, member.userId, started.connectionId))!;
    return { authorizationUrl: started.authorizationUrl, expiresAt: started.expiresAt, connection };
  }

  private async owned(identity: Identity, id: string, permission: 'domain:own:read' | 'domain:own:write'): Promise<ConnectionRow> {
    const member = requirePermission(identity, permission);
    const connection = await this.connections.findOwned(member.organizationId, member.userId, requireId(id, 'id'));
    if (!connection) throw notFound('No provider connection with that id among yours in the active organization.');
    return connection;
  }

  async syncNow(identity: Identity, id: string): Promise<ConnectionRow> {
    const connection = await this.owned(identity, id, 'domain:own:write');
    if (connection.status !== 'CONNECTED') throw badInput(`The connection is ${connection.status}; connect it first.`, 'id');
    if (connection.provider === 'JIRA') {
      await this.app.jiraTasks.sync(connection.id).catch(() => {}); // recorded in the sync log
      return (await this.connections.findOwned(connection.organizationId, connection.userId, connection.id))!;
    }
    await this.app.engine.sync(connection.id, 'manual');
    return (await this.connections.findOwned(connection.organizationId, connection.userId, connection.id))!;
  }

  async disconnect(identity: Identity, id: string): Promise<ConnectionRow> {
    const connection = await this.owned(identity, id, 'domain:own:write');
    if (connection.provider === 'JIRA') await this.app.db.externalTask.deleteMany({ where: { connectionId: connection.id } });
    if (connection.provider === 'MICROSOFT_TEAMS') await this.app.teamsPresence.stopSubscription(connection.id).catch(() => {});
    else await this.app.push.stop(connection.id).catch(() => {});
    await this.app.db.providerConnection.update({
      where: { id: connection.id },
      data: { status: 'DISCONNECTED', accessTokenCiphertext: null, refreshTokenCiphertext: null, tokenKeyVersion: null, tokenExpiresAt: null, ...this.app.tokens.botColumns(connection.id, null), syncCursor: null },
    });
    return (await this.connections.findOwned(connection.organizationId, connection.userId, connection.id))!;
  }

  syncLogs(connection: ConnectionRow, first: number | null | undefined): Promise<IntegrationSyncLog[]> {
    return this.app.db.integrationSyncLog.findMany({ where: { connectionId: connection.id }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: clamp(first, 10, 50, 'first') });
  }

  conflictsOf(connection: ConnectionRow, first: number | null | undefined): Promise<IntegrationConflict[]> {
    return this.app.db.integrationConflict.findMany({ where: { connectionId: connection.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: clamp(first, 20, 100, 'first') });
  }

  conflicts(identity: Identity, userId: string, first: number | null | undefined): Promise<IntegrationConflict[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own integration conflicts.');
    return this.app.db.integrationConflict.findMany({ where: { organizationId: member.organizationId, userId: member.userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: clamp(first, 20, 100, 'first') });
  }

  async tasks(identity: Identity, userId: string, first: number | null | undefined): Promise<ExternalTask[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own tasks.');
    return this.app.db.externalTask.findMany({ where: { organizationId: member.organizationId, userId: member.userId }, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], take: clamp(first, 50, 200, 'first') });
  }

  async updateTaskStatus(identity: Identity, id: string, status: string): Promise<ExternalTask> {
    const member = requirePermission(identity, 'domain:own:write');
    const wanted = status.trim();
    if (wanted.length === 0 || wanted.length > 255) throw badInput('status must be a status name of 1 to 255 characters.', 'status');
    const task = await this.app.db.externalTask.findFirst({ where: { id: requireId(id, 'id'), organizationId: member.organizationId, userId: member.userId } });
    if (!task) throw notFound('No task with that id among yours in the active organization.');
    try {
      return await this.app.jiraTasks.updateStatus(task, wanted);
    } catch (error) {
      if (error instanceof NoTransitionError) throw badInput(error.message, 'status');
      if (error instanceof ProviderError && error.action === 'REAUTH') throw badInput('The Jira connection needs to be authorized again.', 'id');
      throw error;
    }
  }

  connectionOf(identity: Identity, id: string) {
    return this.owned(identity, id, 'domain:own:read');
  }
}
