import { ReplicaFailure, displayUrl } from './remote-http';

/**
 * The two rerank shapes servers speak. Both answer relevance as a probability (0-1: Cohere's and
 * Jina's relevance_score, TEI's score without raw_scores); the Reranker port speaks logits, so each
 * score is turned back into one (the inverse of the sigmoid), which keeps the order and the 0-1
 * value a sigmoid of it gives.
 */
export type RerankApi = 'cohere' | 'tei';

export function rerankBody(
  api: RerankApi,
  model: string,
  query: string,
  texts: string[],
): Record<string, unknown> {
  return api === 'cohere'
    ? { model, query, documents: texts, top_n: texts.length, return_documents: false }
    : { query, texts, raw_scores: false };
}

/** One score per text, in the order given; throws ReplicaFailure for an answer that is not that. */
export function parseRerank(api: RerankApi, body: unknown, n: number, url: string): number[] {
  const bad = (why: string) =>
    new ReplicaFailure('malformed', `${displayUrl(url)}/rerank answered ${why}`);
  const rows: unknown = api === 'cohere' ? (body as { results?: unknown } | null)?.results : body;
  if (!Array.isArray(rows)) throw bad(api === 'cohere' ? 'no results array' : 'no array of scores');
  const scores = new Array<number | undefined>(n);
  for (const row of rows as Record<string, unknown>[]) {
    const index = row?.index;
    const score = api === 'cohere' ? row?.relevance_score : row?.score;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= n)
      throw bad(`an index out of 0..${n - 1}: ${JSON.stringify(index)}`);
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw bad(`a score that is not a number: ${JSON.stringify(score)}`);
    if (scores[index] !== undefined) throw bad(`index ${index} twice`);
    scores[index] = score;
  }
  // (not .some: it skips the holes of a sparse array)
  for (let i = 0; i < n; i++)
    if (scores[i] === undefined) throw bad(`${rows.length} scores for ${n} texts`);
  return (scores as number[]).map(logit);
}

/** The logit of a probability; a score outside (0, 1) is taken as a logit already. */
export function logit(p: number): number {
  if (p <= 0 || p >= 1) return p;
  return Math.log(p / (1 - p));
}
