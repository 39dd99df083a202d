/**
 * Productivity anomalies, pure: days whose focus minutes are far from the user's OWN normal.
 * Normal = the `window` (56) days before each day: median and MAD (median absolute deviation).
 * robust z = 0.6745 * (minutes - median) / max(MAD, 10 minutes); |z| >= 3.5 is an anomaly (the
 * Iglewicz-Hoaglin rule). The 10-minute floor keeps a user with very regular days from being flagged
 * for a few minutes' difference. Days need at least 14 days of history before them to be judged.
 */
export interface DayMinutes { date: string; minutes: number }
export interface Anomaly { date: string; minutes: number; usualMinutes: number; robustZ: number; direction: 'HIGH' | 'LOW'; reason: string }

export const ANOMALY_WINDOW_DAYS = 56;
export const ANOMALY_THRESHOLD = 3.5;
const MIN_HISTORY_DAYS = 14;
const MAD_FLOOR = 10;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `days` must be consecutive local dates, oldest first (zeros included); judges the ones in [from, to]. */
export function detectAnomalies(days: readonly DayMinutes[], from: string, to: string, threshold = ANOMALY_THRESHOLD): Anomaly[] {
  const anomalies: Anomaly[] = [];
  days.forEach((day, i) => {
    if (day.date < from || day.date > to) return;
    const history = days.slice(Math.max(0, i - ANOMALY_WINDOW_DAYS), i).map((d) => d.minutes);
    if (history.length < MIN_HISTORY_DAYS) return;
    const usual = median(history);
    const mad = median(history.map((m) => Math.abs(m - usual)));
    const z = (0.6745 * (day.minutes - usual)) / Math.max(mad, MAD_FLOOR);
    if (Math.abs(z) < threshold) return;
    const direction = z > 0 ? 'HIGH' : 'LOW';
    const r = (v: number) => Math.round(v);
    anomalies.push({
      date: day.date, minutes: r(day.minutes), usualMinutes: r(usual), robustZ: Math.round(z * 10) / 10, direction,
      reason: `${r(day.minutes)} focus minutes against your usual ${r(usual)} (median of the ${history.length} days before; typical spread ${r(mad)} min): `
        + (direction === 'HIGH' ? 'far more than normal for you - a crunch day?' : 'far less than normal for you - a break, meetings or something in the way?')
        + ` Robust z-score ${Math.round(z * 10) / 10} (|z| >= ${threshold} counts as unusual).`,
    });
  });
  return anomalies;
}
