import type { Identity } from '@flowforge/auth';
import { badInput, requirePermission } from '@flowforge/runtime';
import type { AiModelRepository, AiModelRow } from '../data/models.js';
import { validateRegisterModel, type RegisterModelInput } from '../domain/model.js';
import { Prisma } from '../generated/prisma/client.js';

/** The organization's AI model registry: any member reads, only ADMIN registers. */
export class InsightsService {
  constructor(private readonly models: AiModelRepository) {}

  list(identity: Identity, name?: string | null): Promise<AiModelRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    return this.models.list(member.organizationId, name == null ? null : name.trim());
  }

  async register(identity: Identity, input: RegisterModelInput): Promise<AiModelRow> {
    const member = requirePermission(identity, 'org:update');
    const valid = validateRegisterModel(input);
    try {
      return await this.models.create(member.organizationId, valid);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw badInput(`Model "${valid.name}" version "${valid.version}" is already registered in this organization; register a new version.`, 'version');
      }
      throw error;
    }
  }
}
