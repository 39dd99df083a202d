import type { PrismaClient } from '../generated/prisma/client.js';

/** Per-user insights settings (opt-out, last known time zone). Users are global, not per organization. */
export class SettingsRepository {
  constructor(readonly db: PrismaClient) {}

  async optedOut(userId: string): Promise<boolean> {
    return (await this.db.insightsUserSetting.findUnique({ where: { userId } }))?.optOut ?? false;
  }

  async setOptOut(userId: string, optOut: boolean): Promise<void> {
    await this.db.insightsUserSetting.upsert({ where: { userId }, create: { userId, optOut }, update: { optOut } });
  }

  async optedOutAmong(userIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.insightsUserSetting.findMany({ where: { userId: { in: [...userIds] }, optOut: true }, select: { userId: true } });
    return new Set(rows.map((r) => r.userId));
  }

  async rememberTimezone(userId: string, timezone: string): Promise<void> {
    await this.db.insightsUserSetting.upsert({ where: { userId }, create: { userId, timezone }, update: { timezone } });
  }

  async timezones(userIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db.insightsUserSetting.findMany({ where: { userId: { in: [...userIds] } }, select: { userId: true, timezone: true } });
    return new Map(rows.filter((r) => r.timezone).map((r) => [r.userId, r.timezone!]));
  }
}
