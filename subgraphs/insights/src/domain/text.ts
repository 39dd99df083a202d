/**
 * Text features and the LEXICON BASELINE for note sentiment and categorisation (what the note
 * classifier must beat on held-out notes, and what serves when it does not or fails).
 * Lexicon sentiment: (positive hits - negative hits) / max(1, hits), clipped to -1..1; label
 * positive when > 0.15, negative when < -0.15, neutral otherwise. Lexicon category: the category
 * with the most keyword hits (ties: the first in CATEGORIES); no hit: "other" with confidence 0.
 */
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export const CATEGORIES = ['coding', 'writing', 'meetings', 'email', 'planning', 'learning'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
export type Category = (typeof CATEGORIES)[number];

export function tokenize(text: string): string[] {
  return text.toLowerCase().replace(/[’']/g, '').split(/[^a-z0-9]+/).filter((t) => t.length >= 2);
}

const words = (list: string) => new Set(list.split(/\s+/).filter(Boolean));

export const POSITIVE = words(`good great nice happy love loved enjoy enjoyed excellent productive proud relieved satisfying satisfied fun
  rewarding calm smooth fascinating inspiring delighted helpful insightful exciting lovely solid better clear clarity well success
  successful win won awesome fantastic glad pleased focused flow easy progress finished done`);
export const NEGATIVE = words(`bad stuck frustrating frustrated tired exhausted exhausting stressed stress stressful annoying annoyed hate
  wasted overwhelmed overwhelming draining drained boring confusing confused worried anxious disappointed burnt burnout worn irritating
  terrible mess chaos chaotic useless upset upsetting dreading pointless unproductive slow failing failed broke broken hard struggled
  struggle impossible late overtime angry tense discouraged`);
export const CATEGORY_WORDS: Record<Category, Set<string>> = {
  coding: words('code coding bug bugs test tests deploy deployed refactor refactored api build merge compile compiler debug debugging sql frontend backend typescript script ci pipeline feature pr pull'),
  writing: words('wrote write writing draft drafted article report essay document documentation edit edited editing blog chapter copy proposal manuscript proofread readme'),
  meetings: words('meeting meetings call calls sync standup interview workshop demo retro retrospective one review stakeholders client kickoff discussion'),
  email: words('email emails inbox reply replied replies messages message unread newsletter invoices notifications'),
  planning: words('plan planned planning roadmap priorities prioritised schedule sprint backlog goals okr timeline estimate estimated tasks kanban'),
  learning: words('read reading course lecture tutorial learn learned learning study studied exam book books lesson practice practised quiz papers'),
};

export interface LexiconResult {
  score: number;
  sentiment: Sentiment;
  category: Category | 'other';
  categoryConfidence: number;
  positiveWords: string[];
  negativeWords: string[];
  categoryWords: string[];
}

export function sentimentLabel(score: number): Sentiment {
  return score > 0.15 ? 'positive' : score < -0.15 ? 'negative' : 'neutral';
}

export function lexicon(text: string): LexiconResult {
  const tokens = tokenize(text);
  const positiveWords = tokens.filter((t) => POSITIVE.has(t));
  const negativeWords = tokens.filter((t) => NEGATIVE.has(t));
  const hits = positiveWords.length + negativeWords.length;
  const score = Math.max(-1, Math.min(1, (positiveWords.length - negativeWords.length) / Math.max(1, hits)));
  let best: Category | 'other' = 'other';
  let bestHits = 0;
  let total = 0;
  for (const category of CATEGORIES) {
    const n = tokens.filter((t) => CATEGORY_WORDS[category].has(t)).length;
    total += n;
    if (n > bestHits) [best, bestHits] = [category, n];
  }
  return {
    score, sentiment: sentimentLabel(score), category: best, categoryConfidence: total ? bestHits / total : 0,
    positiveWords, negativeWords, categoryWords: best === 'other' ? [] : tokens.filter((t) => CATEGORY_WORDS[best as Category].has(t)),
  };
}
