/**
 * Reciprocal rank fusion (Cormack et al. 2009): score(d) = sum over lists of w / (k + rank(d)),
 * rank starting at 1. Robust to the incomparable score scales of BM25 and cosine similarity.
 */
export interface RankedList {
  name: string;
  ids: readonly number[];
  weight?: number;
}

export interface Fused {
  id: number;
  score: number;
  /** 1-based rank of the id in each input list it appears in. */
  ranks: Record<string, number>;
}

export function reciprocalRankFusion(lists: readonly RankedList[], k = 60): Fused[] {
  const byId = new Map<number, Fused>();
  for (const list of lists) {
    const w = list.weight ?? 1;
    list.ids.forEach((id, i) => {
      let f = byId.get(id);
      if (!f) {
        f = { id, score: 0, ranks: {} };
        byId.set(id, f);
      }
      if (f.ranks[list.name] !== undefined) return; // first occurrence counts
      f.ranks[list.name] = i + 1;
      f.score += w / (k + i + 1);
    });
  }
  // Ties broken by best single rank, then id, so results are deterministic.
  const best = (f: Fused) => Math.min(...Object.values(f.ranks));
  return [...byId.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || a.id - b.id);
}
