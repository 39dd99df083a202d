import type { Identity } from '@flowforge/auth';
import { badInput, forbidden, requirePermission } from '@flowforge/runtime';
import type { ConnectionRepository, ConnectionRow } from '../data/connections.js';
import { validateScopes } from '../domain/connection.js';
import { Prisma, type Provider } from '../generated/prisma/client.js';

/** The caller's own provider connections in their active organization. */
export class IntegrationsService {
  constructor(private readonly connections: ConnectionRepository) {}

  list(identity: Identity, userId: string): Promise<ConnectionRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own provider connections.');
    return this.connections.list(member.organizationId, member.userId);
  }

  /** A PENDING connection; the OAuth flow that completes it arrives with the integrations issue. */
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
}
