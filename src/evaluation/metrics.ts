/**
 * Retrieval metrics over a ranked list of document ids and graded relevance judgements.
 *
 * Judgements map a document id to a grade; a grade above 0 is relevant, a missing document is
 * grade 0. A query with no relevant document scores 0 on every metric: callers that average over
 * queries should leave such queries out (see {@link hasRelevant}).
 */

/** Document id -> grade (>= 0; above 0 is relevant). */
export type Judgements = ReadonlyMap<string, number>;

/** Ranked chunk hits -> ranked distinct documents, each at the rank of its first (best) chunk. */
export function distinctDocuments(documentIds: readonly string[], limit = Infinity): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of documentIds) {
    if (out.length >= limit) break;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

export function relevantCount(judgements: Judgements): number {
  let n = 0;
  for (const grade of judgements.values()) if (grade > 0) n++;
  return n;
}

export function hasRelevant(judgements: Judgements): boolean {
  return relevantCount(judgements) > 0;
}

/** Relevant documents among the first k / all relevant documents (0 when there are none). */
export function recallAt(ranked: readonly string[], judgements: Judgements, k: number): number {
  const total = relevantCount(judgements);
  if (total === 0) return 0;
  let found = 0;
  for (const id of ranked.slice(0, k)) if ((judgements.get(id) ?? 0) > 0) found++;
  return found / total;
}

/** 1 / rank of the first relevant document within the first k, else 0. */
export function reciprocalRankAt(
  ranked: readonly string[],
  judgements: Judgements,
  k = 10,
): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if ((judgements.get(ranked[i]!) ?? 0) > 0) return 1 / (i + 1);
  }
  return 0;
}

/** Gain 2^grade - 1 discounted by log2(rank + 1), summed over the first k grades. */
export function dcg(grades: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, grades.length);
  for (let i = 0; i < n; i++) {
    const grade = grades[i]!;
    if (grade > 0) sum += (2 ** grade - 1) / Math.log2(i + 2);
  }
  return sum;
}

/**
 * DCG of the ranking over the DCG of the ideal ranking of the judged grades (0 when no document is
 * relevant).
 */
export function ndcgAt(ranked: readonly string[], judgements: Judgements, k = 10): number {
  const ideal = dcg(
    [...judgements.values()].filter((g) => g > 0).sort((a, b) => b - a),
    k,
  );
  if (ideal === 0) return 0;
  return (
    dcg(
      ranked.slice(0, k).map((id) => judgements.get(id) ?? 0),
      k,
    ) / ideal
  );
}

export interface QueryMetrics {
  /** recall at each requested cut-off */
  recall: Map<number, number>;
  mrrAt10: number;
  ndcgAt10: number;
}

export function queryMetrics(
  ranked: readonly string[],
  judgements: Judgements,
  recallKs: readonly number[],
): QueryMetrics {
  return {
    recall: new Map(recallKs.map((k) => [k, recallAt(ranked, judgements, k)])),
    mrrAt10: reciprocalRankAt(ranked, judgements, 10),
    ndcgAt10: ndcgAt(ranked, judgements, 10),
  };
}

/** Means of per-query metrics (all zeros for no queries). */
export function meanMetrics(
  perQuery: readonly QueryMetrics[],
  recallKs: readonly number[],
): QueryMetrics {
  const n = perQuery.length;
  const mean = (pick: (m: QueryMetrics) => number) =>
    n === 0 ? 0 : perQuery.reduce((s, m) => s + pick(m), 0) / n;
  return {
    recall: new Map(recallKs.map((k) => [k, mean((m) => m.recall.get(k) ?? 0)])),
    mrrAt10: mean((m) => m.mrrAt10),
    ndcgAt10: mean((m) => m.ndcgAt10),
  };
}
