/**
 * The productivity assistant's question parser: a few TEMPLATES (regular expressions), no language
 * model. It turns a question into a structured query { metric, range, groupBy, goal } over the
 * user's OWN facts, or says it did not understand.
 */
import { addDays, weekStart } from '@flowforge/time';

export type AskMetric = 'focus_minutes' | 'focus_quality' | 'goal_progress';
export interface AskQuery {
  metric: AskMetric;
  /** Local dates, inclusive. */
  range: { from: string; to: string; label: string };
  groupBy: 'day' | 'hour' | null;
  /** For goal_progress: the words used to find the goal by its title. */
  goal?: string;
}

export const ASK_HELP = 'I can answer: "when was I most focused last week?", "how many focus minutes this month?", '
  + '"what is my best time of day?" and "am I on track for my <name> goal?".';

export function parseRange(question: string, today: string, fallbackDays: number): AskQuery['range'] {
  const q = question.toLowerCase();
  const monthStart = `${today.slice(0, 7)}-01`;
  if (/\btoday\b/.test(q)) return { from: today, to: today, label: 'today' };
  if (/\byesterday\b/.test(q)) return { from: addDays(today, -1), to: addDays(today, -1), label: 'yesterday' };
  if (/\blast week\b/.test(q)) { const s = addDays(weekStart(today), -7); return { from: s, to: addDays(s, 6), label: 'last week' }; }
  if (/\bthis week\b/.test(q)) return { from: weekStart(today), to: today, label: 'this week' };
  if (/\blast month\b/.test(q)) { const end = addDays(monthStart, -1); return { from: `${end.slice(0, 7)}-01`, to: end, label: 'last month' }; }
  if (/\bthis month\b/.test(q)) return { from: monthStart, to: today, label: 'this month' };
  const n = /\b(?:last|past) (\d{1,3}) days\b/.exec(q);
  if (n) { const days = Math.min(366, Math.max(1, Number(n[1]))); return { from: addDays(today, -(days - 1)), to: today, label: `the last ${days} days` }; }
  return { from: addDays(today, -(fallbackDays - 1)), to: today, label: `the last ${fallbackDays} days` };
}

export function parseQuestion(question: string, today: string): AskQuery | null {
  const q = question.toLowerCase().trim();
  const goal = /\b(?:on track|reach|achieve|hit|make it)\b.*?\b(?:my|the)\s+(.+?)\s+goal\b/.exec(q) ?? /\bgoal\s+["“]?(.+?)["”]?\s*\??$/.exec(q);
  if (goal && /goal/.test(q)) return { metric: 'goal_progress', range: { from: today, to: today, label: 'today' }, groupBy: null, goal: goal[1]!.trim() };
  if (/\b(best|most productive|most focused)\s+(time|hour)|time of (the )?day|what time\b/.test(q)) return { metric: 'focus_quality', range: parseRange(q, today, 90), groupBy: 'hour' };
  if (/\b(most focused|most productive|best day|focused the most)\b/.test(q)) return { metric: 'focus_minutes', range: parseRange(q, today, 7), groupBy: 'day' };
  if (/\bhow (many|much|long)\b/.test(q) && /\b(focus|focused|minutes|hours|sessions)\b/.test(q)) return { metric: 'focus_minutes', range: parseRange(q, today, 30), groupBy: null };
  return null;
}
