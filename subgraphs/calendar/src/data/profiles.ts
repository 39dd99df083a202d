import { isValidTimeZone } from '@flowforge/time';
import { DEFAULT_PROFILE, sanitizeProfile, type Profile } from '../domain/working-hours.js';
import type { Db } from './db.js';

/** The local projection of orgs' user profiles (time zone, working hours). */
export class ProfileRepository {
  async get(db: Db, userId: string): Promise<Profile> {
    const row = await db.userProfile.findUnique({ where: { userId } });
    return row ? sanitizeProfile({ timezone: row.timezone, workingHours: row.workingHours }, isValidTimeZone) : DEFAULT_PROFILE;
  }

  /** Applies a profile as of `at` (upsert); an older one than what is stored changes nothing. */
  async apply(db: Db, userId: string, profile: Profile, at: Date): Promise<void> {
    await db.$executeRaw`
      insert into user_profiles (user_id, timezone, working_hours, updated_at)
      values (${userId}::uuid, ${profile.timezone}, ${JSON.stringify(profile.workingHours)}::jsonb, ${at})
      on conflict (user_id) do update set timezone = excluded.timezone, working_hours = excluded.working_hours, updated_at = excluded.updated_at
      where user_profiles.updated_at <= excluded.updated_at`;
  }
}
