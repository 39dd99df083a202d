import type { Prisma, PrismaClient, Provider } from '../generated/prisma/client.js';

/** Token columns never leave the repository: they are omitted from every read. */
const secrets = { accessTokenCiphertext: true, refreshTokenCiphertext: true, tokenKeyVersion: true, botTokenCiphertext: true, botRefreshTokenCiphertext: true, botTokenKeyVersion: true } as const satisfies Prisma.ProviderConnectionOmit;
export type ConnectionRow = Prisma.ProviderConnectionGetPayload<{ omit: typeof secrets }>;

/** Provider connections. Every query is scoped by organization and user. */
export class ConnectionRepository {
  constructor(readonly db: PrismaClient) {}

  findOwned(organizationId: string, userId: string, id: string): Promise<ConnectionRow | null> {
    return this.db.providerConnection.findFirst({ where: { id, organizationId, userId }, omit: secrets });
  }

  list(organizationId: string, userId: string): Promise<ConnectionRow[]> {
    return this.db.providerConnection.findMany({ where: { organizationId, userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], omit: secrets });
  }

  createPending(organizationId: string, userId: string, provider: Provider, scopes: string[]): Promise<ConnectionRow> {
    return this.db.providerConnection.create({ data: { organizationId, userId, provider, scopes, status: 'PENDING' }, omit: secrets });
  }
}
