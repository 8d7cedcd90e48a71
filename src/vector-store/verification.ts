/** How many ids of a difference are listed (the smallest ones); the count is always exact. */
export const ID_SAMPLE = 20;

export interface IdDifference {
  count: number;
  /** The smallest ids of the difference, ascending, at most ID_SAMPLE. */
  first: number[];
}

/** What a store says about a collection's vectors. */
export interface VectorStoreFigures {
  state: 'ready' | 'building';
  /** While building: vectors loaded so far and in all. */
  done?: number;
  total?: number;
  /** Live vectors held. */
  size: number;
  /** Vectors the store can hold before it grows (hnswlib: max elements). */
  capacity: number;
  /** Slots of deleted vectors, reused by the next adds. */
  deletedSlots: number;
  /** Elements held, live and deleted; equals size + deletedSlots when the books agree. */
  elements: number;
}

/** A collection's vectors in the store checked against the vectors stored in SQLite. */
export interface VectorStoreVerification extends VectorStoreFigures {
  /** Vectors stored in SQLite for the collection. */
  storedVectors: number;
  /** Stored vectors the store lacks. */
  missing: IdDifference;
  /** Ids in the store with no stored vector. */
  extra: IdDifference;
  /** Ready, nothing missing, nothing extra, and the element count agrees with the books. */
  consistent: boolean;
}

/** Compares the ids a store holds with the ids of the stored vectors. */
export function verifyAgainstStored(
  figures: VectorStoreFigures,
  stored: Iterable<number>,
  held: Iterable<number>,
): VectorStoreVerification {
  const storedSet = new Set(stored);
  const heldSet = new Set(held);
  const missing = difference(storedSet, heldSet);
  const extra = difference(heldSet, storedSet);
  const consistent =
    figures.state === 'ready' &&
    missing.count === 0 &&
    extra.count === 0 &&
    figures.elements === figures.size + figures.deletedSlots;
  return { ...figures, storedVectors: storedSet.size, missing, extra, consistent };
}

/** Ids of `from` that `other` lacks. */
function difference(from: ReadonlySet<number>, other: ReadonlySet<number>): IdDifference {
  const ids: number[] = [];
  for (const id of from) if (!other.has(id)) ids.push(id);
  ids.sort((a, b) => a - b);
  return { count: ids.length, first: ids.slice(0, ID_SAMPLE) };
}
