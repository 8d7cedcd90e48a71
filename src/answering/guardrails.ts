import { sentencePattern } from '../language/sentences';
import { MARKER } from './citations';
import { contentTerms } from './content-terms';

export { contentTerms };

/** Share of the question's content words found in a passage (0 when the question has none). */
export function coverage(question: Set<string>, passage: string): number {
  if (question.size === 0) return 0;
  const terms = contentTerms(passage);
  let hit = 0;
  for (const t of question) if (terms.has(t)) hit++;
  return hit / question.size;
}

/**
 * How relevant a retrieved chunk is, 0-1: the cross-encoder's probability when the results were
 * reranked, else the larger of the dense cosine similarity and the share of the question's content
 * words the chunk contains.
 */
export function relevance(
  question: Set<string>,
  chunk: { text: string; explain?: { denseScore?: number; rerankScore?: number } },
): number {
  const rerank = chunk.explain?.rerankScore;
  if (rerank !== undefined) return 1 / (1 + Math.exp(-rerank));
  return Math.max(chunk.explain?.denseScore ?? 0, coverage(question, chunk.text));
}

export interface Grounding {
  /** Every sentence of the answer is supported by the sources it cites (or by any source, if it cites none), and it cites at least one. */
  grounded: boolean;
  /** Share of the answer's sentences that are supported. */
  support: number;
  /** Sentences whose content words are mostly absent from the sources. */
  unsupported: string[];
}

/**
 * Checks a generated answer against the sources it cites: a sentence is supported when at least
 * half of its content words occur in those sources. A word-overlap test: it catches answers made up
 * from nothing, not subtle misreadings.
 */
export function checkGrounding(
  answer: string,
  sources: readonly { n: number; text: string }[],
  minShare = 0.5,
): Grounding {
  const byN = new Map(sources.map((s) => [s.n, contentTerms(s.text)]));
  const all = new Set([...byN.values()].flatMap((t) => [...t]));
  const sentences = answer.match(SENTENCE_WITH_MARKERS) ?? [];
  let considered = 0;
  let supported = 0;
  let citedAny = false;
  const unsupported: string[] = [];
  for (const raw of sentences) {
    const cited = [...raw.matchAll(MARKER)].flatMap((m) =>
      m[1]!.split(',').map((x) => Number(x.trim())),
    );
    if (cited.length > 0) citedAny = true;
    const terms = contentTerms(raw.replace(MARKER, ''));
    if (terms.size === 0) continue;
    considered++;
    const pool = cited.length > 0 ? new Set(cited.flatMap((n) => [...(byN.get(n) ?? [])])) : all;
    let hit = 0;
    for (const t of terms) if (pool.has(t)) hit++;
    if (hit / terms.size >= minShare) supported++;
    else unsupported.push(raw.trim());
  }
  const support = considered === 0 ? 0 : supported / considered;
  return {
    grounded: citedAny && considered > 0 && supported === considered,
    support: Math.round(support * 1000) / 1000,
    unsupported,
  };
}

/** A sentence of an answer with the citation markers after its end mark ("... big. [1][2]"). */
const SENTENCE_WITH_MARKERS = sentencePattern('(?:\\s*\\[[\\d,\\s]+\\])*');
