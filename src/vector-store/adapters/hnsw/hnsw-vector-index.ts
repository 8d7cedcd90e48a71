import { HierarchicalNSW } from 'hnswlib-node';
import { assertCompleteHnswFile } from './hnsw-file-check';

export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
  initialCapacity: number;
}

export interface Neighbor {
  label: number;
  /** Cosine similarity, 1 - cosine distance. */
  similarity: number;
}

const SEED = 42;

/**
 * Thin adapter over hnswlib-node: vectors in, labels out. Capacity grows geometrically (doubling),
 * because resizing to the exact size on every add copies the whole graph each time. Deleted slots
 * are reused by later adds (allowReplaceDeleted), so an index under updates does not grow forever.
 */
export class HnswVectorIndex {
  private readonly index: HierarchicalNSW;
  private readonly live = new Set<number>();
  private deletedSlots = 0;

  private constructor(
    readonly dim: number,
    private readonly params: HnswParams,
    index: HierarchicalNSW,
  ) {
    this.index = index;
    this.index.setEf(params.efSearch);
  }

  static create(
    dim: number,
    params: HnswParams,
    capacity = params.initialCapacity,
  ): HnswVectorIndex {
    const index = new HierarchicalNSW('cosine', dim);
    index.initIndex({
      maxElements: Math.max(16, capacity),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: SEED,
      allowReplaceDeleted: true,
    });
    return new HnswVectorIndex(dim, params, index);
  }

  /** Reads a snapshot file; `labels` are the labels the caller knows to be live in it. */
  static read(file: string, dim: number, params: HnswParams): HnswVectorIndex {
    const index = new HierarchicalNSW('cosine', dim);
    index.readIndexSync(file, true);
    const sut = new HnswVectorIndex(dim, params, index);
    for (const label of index.getIdsList()) sut.live.add(label);
    return sut;
  }

  get size(): number {
    return this.live.size;
  }

  get capacity(): number {
    return this.index.getMaxElements();
  }

  has(label: number): boolean {
    return this.live.has(label);
  }

  labels(): IterableIterator<number> {
    return this.live.values();
  }

  add(label: number, vector: Float32Array): void {
    if (vector.length !== this.dim)
      throw new Error(`vector has ${vector.length} dimensions, index has ${this.dim}`);
    if (this.live.has(label)) return;
    const reuse = this.deletedSlots > 0;
    if (!reuse && this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(this.index.getMaxElements() * 2);
    }
    this.index.addPoint(Array.from(vector), label, reuse);
    if (reuse) this.deletedSlots--;
    this.live.add(label);
  }

  remove(label: number): void {
    if (!this.live.delete(label)) return;
    this.index.markDelete(label);
    this.deletedSlots++;
  }

  /**
   * Labels in the file that the caller says are gone (marked deleted there or not) are marked
   * deleted here, so a later add can take their slot.
   */
  forget(label: number): void {
    if (this.live.delete(label)) {
      try {
        this.index.markDelete(label);
      } catch {
        // already marked deleted in the snapshot
      }
      this.deletedSlots++;
    }
  }

  search(query: Float32Array, k: number, filter?: (label: number) => boolean): Neighbor[] {
    if (this.live.size === 0) return [];
    const n = Math.min(k, this.live.size);
    this.index.setEf(Math.max(this.params.efSearch, n));
    const r = this.index.searchKnn(Array.from(query), n, filter);
    return r.neighbors.map((label, i) => ({ label, similarity: 1 - (r.distances[i] ?? 1) }));
  }

  /** Writes the index; throws IncompleteWriteError when the file came out short (full disk). */
  write(file: string): void {
    this.index.writeIndexSync(file);
    assertCompleteHnswFile(file);
  }

  /** Writes off the main thread. The caller must not add or remove while it runs; searching is fine. */
  async writeAsync(file: string): Promise<void> {
    await this.index.writeIndex(file);
    assertCompleteHnswFile(file);
  }

  /** Slots of removed vectors that the next adds reuse. */
  get reusableSlots(): number {
    return this.deletedSlots;
  }

  /** Elements hnswlib holds, live and marked deleted (size + reusableSlots when the books agree). */
  get elements(): number {
    return this.index.getCurrentCount();
  }
}
