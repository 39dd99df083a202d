/**
 * Adaptive break suggestion (DOCUMENTED HEURISTIC), computed when a session starts or resumes:
 *  - your sustainable block = the median focused minutes of your good sessions (quality >= your own
 *    median quality) of the last 90 days, clamped to 20..90; 50 minutes with fewer than 5 sessions;
 *  - break after min(planned, sustainable) focused minutes, counting what the session already did;
 *  - break length 5 min for blocks <= 30, 10 for <= 60, 15 beyond; +5 when you already focused
 *    3 hours or more today.
 */
export interface BreakHistorySession { actualMinutes: number; quality: number }

export interface BreakSuggestion {
  breakAt: Date;
  breakMinutes: number;
  sustainableMinutes: number;
  basedOnSessions: number;
  explanation: string;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
};

export function suggestBreak(args: { now: Date; plannedMinutes: number; focusedSoFar: number; todayMinutes: number; history: readonly BreakHistorySession[] }): BreakSuggestion {
  const { history } = args;
  let sustainable = 50;
  let source = 'a default of 50 minutes (fewer than 5 past sessions)';
  if (history.length >= 5) {
    const q = median(history.map((h) => h.quality));
    const good = history.filter((h) => h.quality >= q);
    sustainable = Math.round(Math.min(90, Math.max(20, median(good.map((h) => h.actualMinutes)))));
    source = `the median length of your ${good.length} better-than-usual sessions of the last 90 days`;
  }
  const block = Math.min(args.plannedMinutes > 0 ? args.plannedMinutes : sustainable, sustainable);
  const remaining = Math.max(0, block - args.focusedSoFar);
  let breakMinutes = block <= 30 ? 5 : block <= 60 ? 10 : 15;
  const tired = args.todayMinutes + args.focusedSoFar >= 180;
  if (tired) breakMinutes += 5;
  const breakAt = new Date(args.now.getTime() + remaining * 60_000);
  const explanation = `Take a ${breakMinutes}-minute break after ${Math.round(remaining)} more minutes of focus (at ${breakAt.toISOString().slice(11, 16)} UTC). `
    + `Your sustainable block is about ${sustainable} minutes, from ${source}${tired ? '; the break is longer because you already focused 3 hours or more today' : ''}.`;
  return { breakAt, breakMinutes, sustainableMinutes: sustainable, basedOnSessions: history.length, explanation };
}
