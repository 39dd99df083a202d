/**
 * Synthetic focus histories with DOCUMENTED latent behaviour, so models can be checked against a
 * known ground truth. ALL METRICS COMPUTED ON THIS DATA ARE ON SYNTHETIC DATA, not real users.
 *
 * Each simulated user u has
 *   - base level b_u ~ U(35, 55) and a peak hour p_u ~ U(8, 16) (local time, fractional),
 *   - a peak amplitude A_u ~ U(20, 40) and width s_u ~ U(1.5, 3.5) hours,
 *   - weekday effects d_u[Mon..Fri] ~ N(0, 5) and a weekend effect w_u ~ U(-15, 0) on Sat/Sun,
 *   - a late-evening penalty of 4 points per hour after 20:00,
 *   - observation noise sigma_u ~ U(8, 14).
 * Latent expected quality at local weekday d, hour h:
 *   E_u(d, h) = clamp(b_u + A_u * exp(-(h + 0.5 - p_u)^2 / (2 s_u^2)) + d_u[d] + (weekend ? w_u : 0) - 4 * max(0, h - 20), 0, 100)
 * Sessions: on each day of `weeks` weeks (weekdays with probability 0.9, weekend days 0.3) the user
 * works 1-3 sessions starting at uniformly random hours 7..21. A session's latent quality is
 * q = E_u(d, h) + N(0, sigma_u); its observables follow from q:
 *   rating = clamp(round(1 + 4q/100 + N(0, 0.4)), 1, 5), actual/planned = clamp(0.45 + 0.6q/100 + N(0, 0.08), 0.1, 1),
 *   interruptions = max(0, round((100 - q)/30 + N(0, 0.6))), planned minutes one of 25/45/50/60/90.
 * Dates are UTC and users' time zone is UTC, so local hour = UTC hour.
 */
import { sessionQuality, type QualityObservation } from './focus-features.js';

/** Mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface SimulatedUser {
  userId: string;
  base: number;
  peakHour: number;
  amplitude: number;
  width: number;
  weekdayEffects: number[]; // Mon..Fri
  weekendEffect: number;
  noise: number;
}

export interface SyntheticSession {
  sessionId: string;
  userId: string;
  startedAt: Date;
  endedAt: Date;
  plannedMinutes: number;
  actualMinutes: number;
  rating: number;
  interruptions: number;
  category: string;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const uniform = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();

function syntheticUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function simulateUser(random: () => number, userId = syntheticUuid(random)): SimulatedUser {
  return {
    userId,
    base: uniform(random, 35, 55),
    peakHour: uniform(random, 8, 16),
    amplitude: uniform(random, 20, 40),
    width: uniform(random, 1.5, 3.5),
    weekdayEffects: Array.from({ length: 5 }, () => 5 * gaussian(random)),
    weekendEffect: uniform(random, -15, 0),
    noise: uniform(random, 8, 14),
  };
}

/** Latent expected quality E_u(d, h) for hour of week 0..167 (Monday = 0). */
export function latentQuality(user: SimulatedUser, hourOfWeek: number): number {
  const day = Math.floor(hourOfWeek / 24);
  const hour = hourOfWeek % 24;
  const peak = user.amplitude * Math.exp(-((hour + 0.5 - user.peakHour) ** 2) / (2 * user.width ** 2));
  const dayEffect = day < 5 ? user.weekdayEffects[day]! : user.weekendEffect;
  return clamp(user.base + peak + dayEffect - 4 * Math.max(0, hour - 20), 0, 100);
}

/** The observables of a session with latent quality q (see the header). */
export function observe(q: number, plannedMinutes: number, random: () => number): { plannedMinutes: number; actualMinutes: number; rating: number; interruptions: number } {
  const ratio = clamp(0.45 + (0.6 * q) / 100 + 0.08 * gaussian(random), 0.1, 1);
  return {
    plannedMinutes,
    actualMinutes: Math.round(plannedMinutes * ratio * 10) / 10,
    rating: clamp(Math.round(1 + (4 * q) / 100 + 0.4 * gaussian(random)), 1, 5),
    interruptions: Math.max(0, Math.round((100 - q) / 30 + 0.6 * gaussian(random))),
  };
}

/**
 * Ground truth for one hour of the week: the EXPECTED session quality (domain/focus-features'
 * sessionQuality of the observables) there, by Monte Carlo over `draws` seeded sessions.
 */
export function expectedSessionQuality(user: SimulatedUser, hourOfWeek: number, draws = 64, seed = 99): number {
  const random = rng(seed + hourOfWeek);
  let sum = 0;
  for (let i = 0; i < draws; i++) {
    sum += sessionQuality(observe(latentQuality(user, hourOfWeek) + user.noise * gaussian(random), 50, random));
  }
  return sum / draws;
}

const CATEGORIES = ['Writing', 'Coding', 'Reading', 'Planning', 'Email'];
const PLANNED = [25, 45, 50, 60, 90];

/** Sessions of `user` over `weeks` weeks starting Monday `start` (UTC midnight). */
export function simulateSessions(user: SimulatedUser, random: () => number, options: { weeks: number; start: Date }): SyntheticSession[] {
  const sessions: SyntheticSession[] = [];
  for (let dayIndex = 0; dayIndex < options.weeks * 7; dayIndex++) {
    const weekday = dayIndex % 7;
    if (random() > (weekday < 5 ? 0.9 : 0.3)) continue;
    const count = 1 + Math.floor(random() * 3);
    const hours = new Set<number>();
    for (let i = 0; i < count; i++) hours.add(7 + Math.floor(random() * 15));
    for (const hour of [...hours].sort((a, b) => a - b)) {
      const q = latentQuality(user, weekday * 24 + hour) + user.noise * gaussian(random);
      const planned = PLANNED[Math.floor(random() * PLANNED.length)]!;
      const outcome = observe(q, planned, random);
      const startedAt = new Date(options.start.getTime() + (dayIndex * 24 + hour) * 3_600_000 + Math.floor(random() * 30) * 60_000);
      sessions.push({
        sessionId: syntheticUuid(random),
        userId: user.userId,
        startedAt,
        endedAt: new Date(startedAt.getTime() + outcome.actualMinutes * 60_000),
        ...outcome,
        category: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
      });
    }
  }
  return sessions;
}

export interface SyntheticDataset {
  users: SimulatedUser[];
  sessions: SyntheticSession[];
  observations: QualityObservation[];
}

/** The Monday on or before `date`, UTC midnight. */
export function mondayOnOrBefore(date: Date): Date {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return new Date(midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * 86_400_000);
}

export function syntheticDataset(options: { users: number; weeks: number; seed: number; start?: Date }): SyntheticDataset {
  const random = rng(options.seed);
  const start = options.start ?? new Date(Date.UTC(2026, 0, 5)); // a Monday
  const users = Array.from({ length: options.users }, () => simulateUser(random));
  const sessions = users.flatMap((user) => simulateSessions(user, random, { weeks: options.weeks, start }));
  const observations = sessions.map((s) => ({
    userId: s.userId,
    hourOfWeek: ((s.startedAt.getUTCDay() + 6) % 7) * 24 + s.startedAt.getUTCHours(),
    quality: sessionQuality(s),
  }));
  return { users, sessions, observations };
}
