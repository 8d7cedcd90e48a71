import { HnswVectorIndex } from './hnsw-vector-index';

/** A collection's index in memory, and its books against SQLite and the snapshot on disk. */
export interface Slot {
  index: HnswVectorIndex;
  /** Which set of vectors the index holds (collections.vector_generation). */
  generation: number;
  /** The last vector seq added to the in-memory index. */
  watermark: number;
  /** Seq contained in the snapshot on disk. */
  savedWatermark: number;
  /** The index differs from its snapshot (vectors added or removed since). */
  dirty: boolean;
  /** A snapshot being written off the main thread; changes wait in `deferred` meanwhile. */
  writing?: Promise<void>;
  deferred: (() => void)[];
  /** Set while the index is rebuilt from SQLite in the background. */
  building?: { done: number; total: number };
  rebuilt?: Promise<void>;
}

export function newSlot(
  index: HnswVectorIndex,
  generation: number,
  watermark = 0,
  saved = false,
): Slot {
  return {
    index,
    generation,
    watermark,
    savedWatermark: saved ? watermark : 0,
    dirty: !saved,
    deferred: [],
  };
}

/** Applies a change now, or right after the snapshot being written (which reads the graph). */
export function change(slot: Slot, apply: () => void): void {
  if (slot.writing) slot.deferred.push(apply);
  else apply();
}

/** A stored vector BLOB as the Float32Array it holds (no copy). */
export function vectorOf(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
}
