import { createHash } from 'node:crypto';
import type { Identity } from '@flowforge/auth';
import { badInput, forbidden, notFound, requireId, requireMember, requirePermission, requireUser } from '@flowforge/runtime';
import { instantAtLocalTime } from '@flowforge/time';
import type { FactInput, FactRepository } from '../data/facts.js';
import type { AiModelRepository, AiModelRow } from '../data/models.js';
import type { SettingsRepository } from '../data/settings.js';
import { validateRegisterModel, type RegisterModelInput } from '../domain/model.js';
import { mondayOnOrBefore, rng, simulateSessions, simulateUser } from '../domain/synthetic.js';
import { Prisma } from '../generated/prisma/client.js';
import type { RetrainScheduler, TrainingService } from './training.js';

/** The organization's AI model registry (any member reads, only ADMIN changes), opt-out and demo data. */
export class InsightsService {
  constructor(private readonly deps: {
    models: AiModelRepository; facts: FactRepository; settings: SettingsRepository;
    training: TrainingService; scheduler: RetrainScheduler; env: NodeJS.ProcessEnv;
  }) {}

  list(identity: Identity, name?: string | null): Promise<AiModelRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    return this.deps.models.list(member.organizationId, name == null ? null : name.trim());
  }

  async register(identity: Identity, input: RegisterModelInput): Promise<AiModelRow> {
    const member = requirePermission(identity, 'org:update');
    const valid = validateRegisterModel(input);
    try {
      return await this.deps.models.create(member.organizationId, valid);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw badInput(`Model "${valid.name}" version "${valid.version}" is already registered in this organization; register a new version.`, 'version');
      }
      throw error;
    }
  }

  /** Opting out (or back in) changes what the organization's next model trains on: retrain soon. */
  async setOptOut(identity: Identity, optOut: boolean): Promise<{ id: string }> {
    const user = requireUser(identity);
    await this.deps.settings.setOptOut(user.userId, optOut);
    if (identity.organizationId) this.deps.scheduler.markDirty(identity.organizationId);
    return { id: user.userId };
  }

  retrainNow(identity: Identity): Promise<AiModelRow | null> {
    const member = requirePermission(identity, 'org:update');
    return this.deps.training.trainFocusForecast(member.organizationId);
  }

  async promote(identity: Identity, id: string): Promise<AiModelRow> {
    const member = requirePermission(identity, 'org:update');
    const row = await this.deps.models.findInOrganization(member.organizationId, requireId(id, 'id'));
    if (!row) throw notFound('No AI model with that id in the active organization.');
    if (!row.artifactPath || row.status === 'rejected') throw badInput(`${row.name} ${row.version} cannot serve (${row.status}${row.artifactPath ? '' : ', no artifact'}).`, 'id');
    return this.deps.models.promote(member.organizationId, row.id);
  }

  /** SYNTHETIC demo history (see schema.graphql): never in production unless INSIGHTS_DEMO_SEED=1. */
  async seedDemo(identity: Identity, args: { weeks: number; simulatedMembers: number; seed: number }): Promise<number> {
    const member = requirePermission(identity, 'focus:own:write');
    if (this.deps.env.NODE_ENV === 'production' && this.deps.env.INSIGHTS_DEMO_SEED !== '1') throw forbidden('Demo data is disabled in production (set INSIGHTS_DEMO_SEED=1 to allow it).');
    if (!Number.isInteger(args.weeks) || args.weeks < 1 || args.weeks > 52) throw badInput('weeks must be a whole number between 1 and 52.', 'weeks');
    if (!Number.isInteger(args.simulatedMembers) || args.simulatedMembers < 0 || args.simulatedMembers > 50) throw badInput('simulatedMembers must be a whole number between 0 and 50.', 'simulatedMembers');
    const timeZone = (await this.deps.settings.timezones([member.userId])).get(member.userId) ?? 'UTC';
    const random = rng(args.seed);
    const now = Date.now();
    const start = mondayOnOrBefore(new Date(now - args.weeks * 7 * 86_400_000));
    const users = [simulateUser(random, member.userId), ...Array.from({ length: args.simulatedMembers }, () => simulateUser(random))];
    const rows: FactInput[] = [];
    for (const user of users) {
      for (const s of simulateSessions(user, random, { weeks: args.weeks + 1, start })) {
        // The generator's UTC wall clock is the user's local wall clock.
        const startedAt = instantAtLocalTime(s.startedAt.toISOString().slice(0, 10), s.startedAt.getUTCHours() * 60 + s.startedAt.getUTCMinutes(), timeZone);
        if (startedAt.getTime() + s.actualMinutes * 60_000 > now) continue;
        rows.push({
          sessionId: scopedUuid(member.organizationId, s.sessionId), organizationId: member.organizationId, userId: s.userId, startedAt, endedAt: new Date(startedAt.getTime() + s.actualMinutes * 60_000),
          plannedMinutes: s.plannedMinutes, actualMinutes: s.actualMinutes, rating: s.rating, interruptions: s.interruptions, category: s.category, notes: null, source: 'demo', eventId: null,
        });
      }
    }
    for (const user of users.slice(1)) await this.deps.settings.rememberTimezone(user.userId, timeZone);
    const added = await this.deps.facts.insertMany(rows);
    this.deps.scheduler.markDirty(member.organizationId);
    return added;
  }
}

/** A uuid derived from the organization and a generator id: the same seed gives the same rows in one organization, never rows that collide with another's. */
function scopedUuid(organizationId: string, id: string): string {
  const hex = createHash('sha256').update(`${organizationId}:${id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
