/** How many labels of a difference are listed (the smallest ones); the count is always exact. */
export const LABEL_SAMPLE = 20;

export interface LabelDifference {
  count: number;
  /** The smallest labels of the difference, ascending, at most LABEL_SAMPLE. */
  first: number[];
}

/** What an index says about itself. */
export interface IndexFigures {
  state: 'ready' | 'building';
  /** While building: vectors loaded so far and in all. */
  done?: number;
  total?: number;
  /** Live vectors in the index. */
  size: number;
  /** Elements the index can hold before it grows (hnswlib max elements). */
  capacity: number;
  /** Slots of deleted vectors, reused by the next adds. */
  deletedSlots: number;
  /** Elements hnswlib holds, live and deleted; equals size + deletedSlots when the books agree. */
  elements: number;
}

/** A collection's HNSW index checked against the vectors stored in SQLite. */
export interface IndexVerification extends IndexFigures {
  /** Vectors stored in SQLite for the collection. */
  storedVectors: number;
  /** Stored vectors the index lacks. */
  missing: LabelDifference;
  /** Labels in the index with no stored vector. */
  extra: LabelDifference;
  /** Ready, nothing missing, nothing extra, and hnswlib's element count agrees with the books. */
  consistent: boolean;
}

/** Compares the labels an index holds with the labels of the stored vectors. */
export function verifyIndex(
  figures: IndexFigures,
  stored: Iterable<number>,
  indexed: Iterable<number>,
): IndexVerification {
  const storedSet = new Set(stored);
  const indexedSet = new Set(indexed);
  const missing = difference(storedSet, indexedSet);
  const extra = difference(indexedSet, storedSet);
  const consistent =
    figures.state === 'ready' &&
    missing.count === 0 &&
    extra.count === 0 &&
    figures.elements === figures.size + figures.deletedSlots;
  return { ...figures, storedVectors: storedSet.size, missing, extra, consistent };
}

/** Labels of `from` that `other` lacks. */
function difference(from: ReadonlySet<number>, other: ReadonlySet<number>): LabelDifference {
  const labels: number[] = [];
  for (const label of from) if (!other.has(label)) labels.push(label);
  labels.sort((a, b) => a - b);
  return { count: labels.length, first: labels.slice(0, LABEL_SAMPLE) };
}
