import { isValidTimeZone } from '@flowforge/time';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from './rows.js';

/**
 * The user's time zone, from the local user_profiles projection (fed by orgs' profile events).
 *
 * Resolution order: reads that get the zone from the gateway (@requires) use it, since it is the live
 * value from orgs; everything else (mutations, event consumers) uses the projection; 'UTC' when the
 * user has neither. A zone seen through @requires seeds the projection when it has no row yet, with
 * the oldest possible timestamp so that any profile event overrides it.
 */
export class ProfileStore {
  private readonly seeded = new Set<string>();

  constructor(private readonly db: PrismaClient) {}

  async zoneOf(userId: string, required?: string | null, tx: Db = this.db): Promise<string> {
    if (required && isValidTimeZone(required)) {
      if (!this.seeded.has(userId)) {
        this.seeded.add(userId);
        await this.db.userProfile.createMany({ data: [{ userId, timezone: required, updatedAt: new Date(0) }], skipDuplicates: true });
      }
      return required;
    }
    const row = await tx.userProfile.findUnique({ where: { userId } });
    return row && isValidTimeZone(row.timezone) ? row.timezone : 'UTC';
  }

  /** Applies a profile change unless a newer one is already stored. Returns whether it changed anything. */
  async apply(tx: Db, userId: string, timezone: string, time: Date): Promise<boolean> {
    if (!isValidTimeZone(timezone)) return false;
    const existing = await tx.userProfile.findUnique({ where: { userId } });
    if (!existing) {
      await tx.userProfile.create({ data: { userId, timezone, updatedAt: time } });
      return true;
    }
    if (existing.updatedAt > time) return false;
    await tx.userProfile.update({ where: { userId }, data: { timezone, updatedAt: time } });
    return existing.timezone !== timezone;
  }
}
