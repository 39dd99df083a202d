import type { AiModel, Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { ValidModel } from '../domain/model.js';

export type AiModelRow = AiModel;

/** AI model registry. Every query is scoped by organization. */
export class AiModelRepository {
  constructor(readonly db: PrismaClient) {}

  findInOrganization(organizationId: string, id: string): Promise<AiModelRow | null> {
    return this.db.aiModel.findFirst({ where: { id, organizationId } });
  }

  list(organizationId: string, name?: string | null): Promise<AiModelRow[]> {
    return this.db.aiModel.findMany({
      where: { organizationId, ...(name != null && { name }) },
      orderBy: [{ name: 'asc' }, { createdAt: 'desc' }, { id: 'asc' }],
    });
  }

  create(organizationId: string, model: ValidModel): Promise<AiModelRow> {
    return this.db.aiModel.create({ data: { organizationId, ...model, performanceMetrics: model.performanceMetrics as Prisma.InputJsonObject } });
  }
}
