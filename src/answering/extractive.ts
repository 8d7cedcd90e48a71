import { sentencePattern } from '../language/sentences';
import { sentenceTerms } from './content-terms';
import type { ContextChunk } from './prompt';

export interface ExtractedSentence {
  /** 1-based index of the chunk it comes from. */
  n: number;
  text: string;
  /** Offsets in the document. */
  start: number;
  end: number;
  score: number;
}

const terms = sentenceTerms;
const SENTENCE = sentencePattern();

/**
 * The extractive answer when no generator is available: the sentences of the retrieved chunks that
 * share the most (and rarest) words with the question, weighted a little by the chunk's rank.
 */
export function extractAnswer(
  question: string,
  chunks: readonly ContextChunk[],
  maxSentences = 3,
): ExtractedSentence[] {
  const q = new Set(terms(question));
  if (q.size === 0 || chunks.length === 0) return [];
  const sentences: (Omit<ExtractedSentence, 'score'> & { words: Set<string> })[] = [];
  chunks.forEach((c, i) => {
    for (const m of c.text.matchAll(SENTENCE)) {
      const raw = m[0];
      const lead = raw.length - raw.trimStart().length;
      const text = raw.trim();
      if (text.length < 3) continue;
      const start = c.start + m.index + lead;
      sentences.push({
        n: i + 1,
        text,
        start,
        end: start + text.length,
        words: new Set(terms(text)),
      });
    }
  });
  // Inverse sentence frequency: a word found in few sentences says more.
  const df = new Map<string, number>();
  for (const s of sentences) for (const w of s.words) if (q.has(w)) df.set(w, (df.get(w) ?? 0) + 1);
  const scored = sentences.map((s) => {
    let score = 0;
    for (const w of q)
      if (s.words.has(w)) score += Math.log(1 + sentences.length / (df.get(w) ?? 1));
    score *= 1 / (1 + 0.1 * (s.n - 1));
    return { n: s.n, text: s.text, start: s.start, end: s.end, score };
  });
  const ranked = scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.n - b.n || a.start - b.start);
  // Keep only sentences close to the best one: a weak match adds words, not support.
  const floor = (ranked[0]?.score ?? 0) * 0.5;
  return ranked.filter((s) => s.score >= floor).slice(0, maxSentences);
}
