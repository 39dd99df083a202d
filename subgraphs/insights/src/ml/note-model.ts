/**
 * The note classifier: two small dense networks over a binary bag of stemmed words (vocabulary = the
 * training split's words; wasm has no Embedding training kernels) plus the lexicon's hit counts, one for sentiment (3 classes),
 * one for the category (6 classes): V -> 16 relu -> softmax. Trained on data/notes-labelled.json
 * (written by the FlowForge team for training; not real user data), evaluated on a fixed seeded 25 %
 * split stratified by category, against the lexicon baseline (domain/text.ts). Each head serves only
 * when its held-out accuracy is at least the lexicon's; otherwise, or when inference fails, the
 * lexicon answers. Trained once per process, lazily (about a second), never on user notes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@flowforge/runtime';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CATEGORIES, CATEGORY_WORDS, lexicon, SENTIMENTS, sentimentLabel, tokenize, type Category, type Sentiment } from '../domain/text.js';
import { rng } from '../domain/synthetic.js';
import { round } from './focus-model.js';

export const NOTE_MODEL_NAME = 'note-classifier';

export interface LabelledNote { text: string; sentiment: Sentiment; category: Category }

export function loadLabelledNotes(): { notes: LabelledNote[]; sha256: string } {
  const raw = readFileSync(new URL('../../data/notes-labelled.json', import.meta.url), 'utf8');
  return { notes: (JSON.parse(raw) as { notes: LabelledNote[] }).notes, sha256: createHash('sha256').update(raw).digest('hex').slice(0, 12) };
}

/** Seeded 75/25 split, stratified by category. */
export function splitNotes(notes: readonly LabelledNote[], seed = 3): { train: LabelledNote[]; test: LabelledNote[] } {
  const random = rng(seed);
  const train: LabelledNote[] = [];
  const test: LabelledNote[] = [];
  for (const category of CATEGORIES) {
    const group = notes.filter((n) => n.category === category).map((n) => ({ n, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.n);
    const cut = Math.round(group.length * 0.25);
    test.push(...group.slice(0, cut));
    train.push(...group.slice(cut));
  }
  return { train, test };
}

/** Crude stemming so "tests"/"test" and "debugging"/"debug" share a column. */
export const stem = (t: string) => t.replace(/(ing|ed|es|s)$/, '') || t;
/** Lexicon features appended to the bag of words: positive hits, negative hits, one count per category. */
const LEXICON_FEATURES = 2 + CATEGORIES.length;

/** Binary bag of (stemmed) words of the training split, plus the lexicon's counts as 8 extra inputs. */
class Vocabulary {
  readonly index = new Map<string, number>();
  constructor(texts: readonly string[]) {
    for (const text of texts) for (const t of tokenize(text).map(stem)) if (!this.index.has(t)) this.index.set(t, this.index.size);
  }
  get width(): number {
    return this.index.size + LEXICON_FEATURES;
  }
  encode(texts: readonly string[]): tf.Tensor2D {
    const width = this.width;
    const x = new Float32Array(texts.length * width);
    texts.forEach((text, row) => {
      for (const t of tokenize(text).map(stem)) {
        const i = this.index.get(t);
        if (i !== undefined) x[row * width + i] = 1;
      }
      const lex = lexicon(text);
      const base = row * width + this.index.size;
      x[base] = lex.positiveWords.length;
      x[base + 1] = lex.negativeWords.length;
      const tokens = tokenize(text);
      CATEGORIES.forEach((category, c) => (x[base + 2 + c] = tokens.filter((t) => CATEGORY_WORDS[category].has(t)).length));
    });
    return tf.tensor2d(x, [texts.length, width]);
  }
  known(text: string): number {
    return tokenize(text).map(stem).filter((t) => this.index.has(t)).length;
  }
}

async function fitHead(vocab: Vocabulary, texts: string[], labels: number[], classes: number, seed: number, epochs: number): Promise<tf.Sequential> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [vocab.width], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
  const xs = vocab.encode(texts);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  try {
    await model.fit(xs, ys, { epochs, batchSize: 32, shuffle: false, verbose: 0, yieldEvery: 'epoch' });
  } finally {
    xs.dispose();
    ys.dispose();
  }
  return model;
}

function probabilities(model: tf.LayersModel, vocab: Vocabulary, texts: readonly string[]): number[][] {
  return tf.tidy(() => {
    const out = model.predict(vocab.encode(texts), { batchSize: 256 }) as tf.Tensor2D;
    return out.arraySync();
  });
}

const argmax = (values: readonly number[]) => values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
const accuracy = (predicted: readonly string[], actual: readonly string[]) => predicted.filter((p, i) => p === actual[i]).length / actual.length;

export interface NoteEvaluation {
  trainNotes: number;
  testNotes: number;
  sentiment: { model: number; baseline: number; modelServes: boolean };
  category: { model: number; baseline: number; modelServes: boolean };
  trainingMs: number;
  dataset: string;
}

export interface TrainedNoteClassifier {
  vocab: Vocabulary;
  sentiment: tf.Sequential;
  category: tf.Sequential;
  evaluation: NoteEvaluation;
  version: string;
}

/** Trains both heads on the train split, evaluates them and the lexicon on the held-out split. */
export async function trainNoteClassifier(options: { epochs?: number; seed?: number } = {}): Promise<TrainedNoteClassifier> {
  const started = Date.now();
  const { notes, sha256 } = loadLabelledNotes();
  const { train, test } = splitNotes(notes);
  const vocab = new Vocabulary(train.map((n) => n.text));
  const epochs = options.epochs ?? 60;
  const seed = options.seed ?? 17;
  const sentiment = await fitHead(vocab, train.map((n) => n.text), train.map((n) => SENTIMENTS.indexOf(n.sentiment)), SENTIMENTS.length, seed, epochs);
  const category = await fitHead(vocab, train.map((n) => n.text), train.map((n) => CATEGORIES.indexOf(n.category)), CATEGORIES.length, seed + 10, epochs);
  const texts = test.map((n) => n.text);
  const lex = texts.map(lexicon);
  const sentimentModel = accuracy(probabilities(sentiment, vocab, texts).map((p) => SENTIMENTS[argmax(p)]!), test.map((n) => n.sentiment));
  const categoryModel = accuracy(probabilities(category, vocab, texts).map((p) => CATEGORIES[argmax(p)]!), test.map((n) => n.category));
  const sentimentBase = accuracy(lex.map((l) => l.sentiment), test.map((n) => n.sentiment));
  const categoryBase = accuracy(lex.map((l) => l.category), test.map((n) => n.category));
  return {
    vocab, sentiment, category, version: `data-${sha256}`,
    evaluation: {
      trainNotes: train.length, testNotes: test.length,
      sentiment: { model: round(sentimentModel), baseline: round(sentimentBase), modelServes: sentimentModel >= sentimentBase },
      category: { model: round(categoryModel), baseline: round(categoryBase), modelServes: categoryModel >= categoryBase },
      trainingMs: Date.now() - started,
      dataset: 'data/notes-labelled.json: written by the FlowForge team for training; not real user data',
    },
  };
}

export interface NoteAnalysis {
  sentimentScore: number;
  sentiment: Sentiment;
  category: Category | 'other';
  confidence: number;
  explanation: string;
  source: 'MODEL' | 'BASELINE';
}

const quote = (list: string[]) => [...new Set(list)].slice(0, 4).map((w) => `"${w}"`).join(', ');

/** Serving: lazily trained once; falls back to the lexicon per head (see the header). */
export class NoteClassifier {
  private trained: Promise<TrainedNoteClassifier | null> | null = null;
  private failure: string | null = null;

  constructor(private readonly log: Logger = () => undefined, private readonly options: { epochs?: number } = {}) {}

  ready(): Promise<TrainedNoteClassifier | null> {
    this.trained ??= trainNoteClassifier(this.options).then((t) => {
      this.log({ msg: 'note-classifier trained', version: t.version, ...t.evaluation });
      return t;
    }, (error: Error) => {
      this.failure = error.message;
      this.log({ level: 'warn', msg: 'note-classifier failed to train; the lexicon answers', error: error.message });
      return null;
    });
    return this.trained;
  }

  /** Analyses many notes with one batched predict per head. */
  async analyzeMany(texts: readonly string[]): Promise<NoteAnalysis[]> {
    if (texts.length === 0) return [];
    const trained = await this.ready();
    let sentimentP: number[][] | null = null;
    let categoryP: number[][] | null = null;
    let reason = this.failure ? `the note classifier failed to train (${this.failure})` : '';
    if (trained) {
      try {
        if (trained.evaluation.sentiment.modelServes) sentimentP = probabilities(trained.sentiment, trained.vocab, texts);
        if (trained.evaluation.category.modelServes) categoryP = probabilities(trained.category, trained.vocab, texts);
      } catch (error) {
        sentimentP = categoryP = null;
        reason = `the note classifier failed at prediction time (${(error as Error).message.slice(0, 100)})`;
      }
    }
    return texts.map((text, i) => {
      const lex = lexicon(text);
      const known = trained ? trained.vocab.known(text) + lex.positiveWords.length + lex.negativeWords.length + lex.categoryWords.length : 0;
      const sp = sentimentP?.[i];
      const cp = categoryP?.[i];
      const score = sp && known > 0 ? sp[2]! - sp[0]! : lex.score;
      const sentiment: Sentiment = sp && known > 0 ? SENTIMENTS[argmax(sp)]! : sentimentLabel(lex.score);
      const category: Category | 'other' = cp && known > 0 ? CATEGORIES[argmax(cp)]! : lex.category;
      const confidence = cp && known > 0 ? Math.max(...cp) : lex.categoryConfidence;
      const cues = sentiment === 'negative' ? lex.negativeWords : sentiment === 'positive' ? lex.positiveWords : [];
      const categoryCues = tokenize(text).filter((t) => category !== 'other' && lexicon(t).category === category);
      const e = trained?.evaluation;
      const parts = [
        `Sentiment ${sentiment} (${round(score, 2)} on -1..1)${cues.length ? `, from words like ${quote(cues)}` : ''}.`,
        category === 'other' ? 'No category recognised.' : `Category ${category} (confidence ${round(confidence, 2)})${categoryCues.length ? `, from ${quote(categoryCues)}` : ''}.`,
        sp || cp
          ? `Classified by ${NOTE_MODEL_NAME} ${trained!.version} (held-out accuracy: sentiment ${e!.sentiment.model} vs lexicon ${e!.sentiment.baseline}, category ${e!.category.model} vs ${e!.category.baseline}; trained on notes written by the FlowForge team, not user data)${known === 0 ? ', but none of its words are in the model\'s vocabulary, so the lexicon answered' : ''}.`
          : `Classified by the keyword lexicon${reason ? ` because ${reason}` : ' (the model did not beat it on held-out notes)'}.`,
      ];
      return { sentimentScore: round(score, 3), sentiment, category, confidence: round(confidence, 3), explanation: parts.join(' '), source: (sp || cp) && known > 0 ? 'MODEL' : 'BASELINE' };
    });
  }

  async analyze(text: string): Promise<NoteAnalysis> {
    return (await this.analyzeMany([text]))[0]!;
  }

  async evaluation(): Promise<NoteEvaluation | null> {
    return (await this.ready())?.evaluation ?? null;
  }
}
