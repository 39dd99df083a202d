import type { AiModel, Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { ValidModel } from '../domain/model.js';

export type AiModelRow = AiModel;
export type ModelStatus = 'candidate' | 'active' | 'canary' | 'rejected' | 'retired';

export interface TrainedVersion {
  name: string;
  modelType: string;
  status: ModelStatus;
  canaryShare: number;
  performanceMetrics: Prisma.InputJsonObject;
  config: Prisma.InputJsonObject;
  artifactPath: string | null;
  artifactSha256: string | null;
  trainedOnScope: 'organization' | 'user';
  trainedOnUserId: string | null;
}

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

  /** The organization-scoped versions that may serve: the active one and the canary (each at most one). */
  async serving(organizationId: string, name: string): Promise<{ active: AiModelRow | null; canary: AiModelRow | null }> {
    const rows = await this.db.aiModel.findMany({
      where: { organizationId, name, status: { in: ['active', 'canary'] }, trainedOnScope: 'organization' },
      orderBy: { createdAt: 'desc' },
    });
    return { active: rows.find((r) => r.status === 'active') ?? null, canary: rows.find((r) => r.status === 'canary') ?? null };
  }

  latest(organizationId: string, name: string): Promise<AiModelRow | null> {
    return this.db.aiModel.findFirst({ where: { organizationId, name }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  }

  /**
   * Registers a trained version as v<N+1>. An active or canary version retires the previous one of
   * that status in the same transaction, so there is never more than one of each.
   */
  registerTrained(organizationId: string, version: TrainedVersion, trainedAt = new Date()): Promise<AiModelRow> {
    return this.db.$transaction(async (tx) => {
      const count = await tx.aiModel.count({ where: { organizationId, name: version.name } });
      if (version.status === 'active' || version.status === 'canary') {
        await tx.aiModel.updateMany({ where: { organizationId, name: version.name, status: version.status }, data: { status: 'retired', canaryShare: 0 } });
      }
      return tx.aiModel.create({ data: { organizationId, version: `v${count + 1}`, trainedAt, ...version } });
    });
  }

  /** Makes a canary (or candidate) the active version; the previous active one retires. */
  promote(organizationId: string, id: string): Promise<AiModelRow> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.aiModel.findFirstOrThrow({ where: { organizationId, id } });
      await tx.aiModel.updateMany({ where: { organizationId, name: row.name, status: 'active' }, data: { status: 'retired' } });
      return tx.aiModel.update({ where: { id }, data: { status: 'active', canaryShare: 0 } });
    });
  }

  setStatus(id: string, status: ModelStatus): Promise<AiModelRow> {
    return this.db.aiModel.update({ where: { id }, data: { status } });
  }
}
