/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): picks, one at a time, the candidate that
 * maximises lambda * relevance - (1 - lambda) * (highest similarity to anything already picked).
 * lambda = 1 is plain relevance order; lower values trade relevance for diversity.
 */
export function maximalMarginalRelevance<T>(
  candidates: readonly T[],
  relevance: (c: T) => number,
  similarity: (a: T, b: T) => number,
  k: number,
  lambda: number,
): T[] {
  const left = [...candidates];
  const picked: T[] = [];
  const maxSim = new Map<T, number>(left.map((c) => [c, -Infinity]));
  while (picked.length < k && left.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    left.forEach((c, i) => {
      const redundancy = picked.length === 0 ? 0 : maxSim.get(c)!;
      const score = lambda * relevance(c) - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    const [chosen] = left.splice(best, 1);
    picked.push(chosen!);
    for (const c of left) maxSim.set(c, Math.max(maxSim.get(c)!, similarity(c, chosen!)));
  }
  return picked;
}

/** Word-set overlap, 0..1: the similarity of two texts when there are no vectors to compare. */
export function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}
