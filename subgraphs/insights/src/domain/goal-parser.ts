/**
 * parseGoal: a rule-based parser (no model) for short goal sentences such as
 * "meditate 10 minutes every weekday morning until June". It returns a draft habit/goal (title,
 * RRULE schedule, target, deadline) and marks which words it understood as what; anything it did
 * not understand stays in the title or in `unrecognized`, never silently dropped.
 */
export interface GoalPart { text: string; kind: 'TARGET' | 'FREQUENCY' | 'TIME_OF_DAY' | 'DEADLINE'; value: string }
export interface GoalDraft {
  title: string;
  schedule: string | null;
  /** "3 times a week": any 3 days of each week (createHabit's timesPerWeek with FREQ=WEEKLY). */
  timesPerWeek: number | null;
  /** HH:MM from a time of day ("morning" = 08:00), for the habit's reminder. */
  reminderTime: string | null;
  target: { amount: number; unit: string; per: string } | null;
  deadline: string | null;
  parts: GoalPart[];
  understood: boolean;
  explanation: string;
}

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, fifteen: 15, twenty: 20, thirty: 30, a: 1, an: 1 };
const UNITS: Record<string, string> = { minute: 'minutes', minutes: 'minutes', min: 'minutes', mins: 'minutes', hour: 'hours', hours: 'hours', hr: 'hours', hrs: 'hours', page: 'pages', pages: 'pages', km: 'km', kilometers: 'km', kilometres: 'km', mile: 'miles', miles: 'miles', step: 'steps', steps: 'steps', glass: 'glasses', glasses: 'glasses', time: 'times', times: 'times', chapter: 'chapters', chapters: 'chapters' };
const DAYS: Record<string, string> = { monday: 'MO', tuesday: 'TU', wednesday: 'WE', thursday: 'TH', friday: 'FR', saturday: 'SA', sunday: 'SU', mon: 'MO', tue: 'TU', wed: 'WE', thu: 'TH', fri: 'FR', sat: 'SA', sun: 'SU' };
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const TIMES: Record<string, number> = { morning: 8, noon: 12, afternoon: 14, evening: 19, night: 21, tonight: 21 };

const num = (word: string) => (/^\d+(\.\d+)?$/.test(word) ? Number(word) : NUMBER_WORDS[word.toLowerCase()]);
const pad = (n: number) => String(n).padStart(2, '0');

export function parseGoal(text: string, today: string): GoalDraft {
  let rest = ` ${text.trim().replace(/\s+/g, ' ')} `;
  const parts: GoalPart[] = [];
  const take = (re: RegExp, handle: (m: RegExpMatchArray) => GoalPart | null) => {
    const m = rest.match(re);
    if (!m) return;
    const part = handle(m);
    if (!part) return;
    parts.push(part);
    rest = rest.replace(m[0], ' ');
  };
  let freq: string | null = null;
  let byDay: string[] = [];
  let hour: number | null = null;
  let minute = 0;
  let target: GoalDraft['target'] = null;
  let deadline: string | null = null;
  let timesPerWeek: number | null = null;
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];

  take(/\b(?:until|by|before)\s+(\d{4}-\d{2}-\d{2})\b/i, (m) => ((deadline = m[1]!), { text: m[0].trim(), kind: 'DEADLINE', value: deadline }));
  take(new RegExp(`\\b(?:until|by|before|till)\\s+(?:the\\s+end\\s+of\\s+)?(${MONTHS.join('|')})(?:\\s+(\\d{1,2}))?(?:,?\\s+(\\d{4}))?\\b`, 'i'), (m) => {
    const month = MONTHS.indexOf(m[1]!.toLowerCase()) + 1;
    let year = m[3] ? Number(m[3]) : ty;
    if (!m[3] && (month < tm || (month === tm && Number(m[2] ?? 1) < td))) year += 1;
    // "until June" = up to the start of June; "until June 15" = that day; "by the end of June" = its last day.
    const day = m[2] ? Number(m[2]) : /end of/i.test(m[0]) ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 1;
    deadline = `${year}-${pad(month)}-${pad(day)}`;
    return { text: m[0].trim(), kind: 'DEADLINE', value: deadline };
  });
  take(/\bfor\s+(\d+|one|two|three|four|five|six|ten)\s+(day|week|month)s?\b/i, (m) => {
    const n = num(m[1]!)!;
    const d = new Date(Date.UTC(ty, tm - 1, td));
    if (m[2]!.toLowerCase() === 'month') d.setUTCMonth(d.getUTCMonth() + n);
    else d.setUTCDate(d.getUTCDate() + n * (m[2]!.toLowerCase() === 'week' ? 7 : 1));
    deadline = d.toISOString().slice(0, 10);
    return { text: m[0].trim(), kind: 'DEADLINE', value: deadline };
  });
  take(/\b(\d+|one|two|three|four|five|six|seven|twice|once)\s*(?:times\s+)?(?:a|per|each)\s+(week|month|day)\b/i, (m) => {
    const word = m[1]!.toLowerCase();
    const n = word === 'twice' ? 2 : word === 'once' ? 1 : num(word)!;
    freq = m[2]!.toLowerCase() === 'day' ? 'DAILY' : m[2]!.toLowerCase() === 'week' ? 'WEEKLY' : 'MONTHLY';
    if (freq === 'WEEKLY') timesPerWeek = n;
    if (!target) target = { amount: n, unit: 'times', per: m[2]!.toLowerCase() };
    return { text: m[0].trim(), kind: 'FREQUENCY', value: `${n} times a ${m[2]!.toLowerCase()}` };
  });
  take(/\b(?:every\s+weekday|on\s+weekdays|weekdays)\b/i, (m) => ((freq = 'WEEKLY'), (byDay = ['MO', 'TU', 'WE', 'TH', 'FR']), { text: m[0].trim(), kind: 'FREQUENCY', value: 'every weekday' }));
  take(/\b(?:every\s+weekend|on\s+weekends|weekends)\b/i, (m) => ((freq = 'WEEKLY'), (byDay = ['SA', 'SU']), { text: m[0].trim(), kind: 'FREQUENCY', value: 'every weekend day' }));
  const dayNames = Object.keys(DAYS).join('|');
  take(new RegExp(`\\b(?:every|on)\\s+((?:(?:${dayNames})s?(?:\\s*,\\s*|\\s+and\\s+|\\s+))+)`, 'i'), (m) => {
    const days = m[1]!.toLowerCase().split(/\s*,\s*|\s+and\s+|\s+/).map((d) => DAYS[d.replace(/s$/, '')]).filter((d): d is string => Boolean(d));
    if (!days.length) return null;
    freq = 'WEEKLY';
    byDay = [...new Set(days)];
    return { text: m[0].trim(), kind: 'FREQUENCY', value: `weekly on ${byDay.join(',')}` };
  });
  take(/\b(?:every\s*day|each\s+day|daily)\b/i, (m) => ((freq = 'DAILY'), { text: m[0].trim(), kind: 'FREQUENCY', value: 'every day' }));
  take(/\b(?:every\s+week|weekly)\b/i, (m) => ((freq = 'WEEKLY'), { text: m[0].trim(), kind: 'FREQUENCY', value: 'every week' }));
  take(/\b(?:every\s+month|monthly)\b/i, (m) => ((freq = 'MONTHLY'), { text: m[0].trim(), kind: 'FREQUENCY', value: 'every month' }));
  take(/\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/i, (m) => {
    let h = Number(m[1]);
    if (m[3]?.toLowerCase() === 'pm' && h < 12) h += 12;
    if (m[3]?.toLowerCase() === 'am' && h === 12) h = 0;
    if (h > 23) return null;
    hour = h;
    minute = Number(m[2] ?? 0);
    return { text: m[0].trim(), kind: 'TIME_OF_DAY', value: `${pad(h)}:${pad(minute)}` };
  });
  take(new RegExp(`\\b(?:in\\s+the\\s+|every\\s+|each\\s+|at\\s+)?(${Object.keys(TIMES).join('|')})s?\\b`, 'i'), (m) => ((hour ??= TIMES[m[1]!.toLowerCase()]!), { text: m[0].trim(), kind: 'TIME_OF_DAY', value: `${m[1]!.toLowerCase()} (${pad(hour!)}:00)` }));
  take(new RegExp(`\\b(?:for\\s+)?(\\d+(?:\\.\\d+)?|${Object.keys(NUMBER_WORDS).filter((w) => w !== 'a' && w !== 'an').join('|')})\\s*(${Object.keys(UNITS).join('|')})\\b`, 'i'), (m) => {
    target = { amount: num(m[1]!)!, unit: UNITS[m[2]!.toLowerCase()]!, per: 'occurrence' };
    return { text: m[0].trim(), kind: 'TARGET', value: `${target.amount} ${target.unit}` };
  });

  const leftover = rest.replace(/[.,!]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^(?:i\s+want\s+to|i\s+will|i'll|to)\s+/i, '').replace(/\s+and$/i, '').replace(/^and\s+/i, '');
  const title = leftover ? leftover[0]!.toUpperCase() + leftover.slice(1) : 'Untitled goal';
  // Habit schedules are RRULEs over local dates (createHabit rejects BYHOUR): the time of day
  // becomes the reminder, and UNTIL a plain date.
  const rrule = freq ? [`FREQ=${freq}`, byDay.length ? `BYDAY=${byDay.join(',')}` : null,
    deadline ? `UNTIL=${(deadline as string).replace(/-/g, '')}` : null].filter(Boolean).join(';') : null;
  const reminderTime = hour !== null ? `${pad(hour)}:${pad(minute)}` : null;
  const understood = parts.length > 0;
  const explanation = understood
    ? `Understood ${parts.map((p) => `"${p.text}" as ${p.kind.toLowerCase().replace(/_/g, ' ')} (${p.value})`).join(', ')}; the rest ("${title}") became the title.`
      + (freq ? '' : ' No repetition found: add e.g. "every day" or "3 times a week".')
    : 'Nothing recognised (no amount, repetition, time of day or deadline); the whole text became the title.';
  return { title, schedule: rrule, timesPerWeek, reminderTime, target, deadline, parts, understood, explanation };
}
