/** The label that the collections past the cap are summed under. */
export const OTHER_COLLECTIONS = 'other';

export interface CollectionSample {
  id: number;
  name: string;
  embedded: number;
  pending: number;
  vectors: number;
}

/**
 * Bounds the collection-labelled series: the `max` largest collections (by chunks, then oldest
 * first) keep their own label; the rest are summed under collection="other", so 10,000
 * collections cost a scrape max + 1 series per metric, not 10,000. A collection really named
 * "other" past the cap is summed with the rest; within the cap it keeps its name.
 */
export function capCollections(rows: readonly CollectionSample[], max: number): CollectionSample[] {
  if (rows.length <= max) return [...rows];
  const ranked = [...rows].sort(
    (a, b) => b.embedded + b.pending - (a.embedded + a.pending) || a.id - b.id,
  );
  const kept = ranked.slice(0, max);
  const rest = ranked.slice(max);
  const other: CollectionSample = {
    id: -1,
    name: OTHER_COLLECTIONS,
    embedded: 0,
    pending: 0,
    vectors: 0,
  };
  for (const r of rest) {
    other.embedded += r.embedded;
    other.pending += r.pending;
    other.vectors += r.vectors;
  }
  const named = kept.find((k) => k.name === OTHER_COLLECTIONS);
  if (named) {
    other.embedded += named.embedded;
    other.pending += named.pending;
    other.vectors += named.vectors;
    return [...kept.filter((k) => k !== named), other];
  }
  return [...kept, other];
}
