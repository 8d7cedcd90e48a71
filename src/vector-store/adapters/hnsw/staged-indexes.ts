import { StagedVectorItem } from '../../vector-store';
import { HnswParams, HnswVectorIndex } from './hnsw-vector-index';

/**
 * Indexes being filled with a new embedding model's vectors (already staged in SQLite) while the
 * current one serves searches: one per collection being re-embedded.
 */
export class StagedIndexes {
  private readonly staged = new Map<number, HnswVectorIndex>();

  constructor(private readonly params: HnswParams) {}

  begin(collectionId: number, dim: number): void {
    if (this.staged.get(collectionId)?.dim !== dim)
      this.staged.set(collectionId, HnswVectorIndex.create(dim, this.params));
  }

  add(collectionId: number, items: readonly StagedVectorItem[]): void {
    const index = this.staged.get(collectionId);
    if (!index) throw new Error(`collection ${collectionId} has no staged generation`);
    for (const it of items) index.add(it.id, it.vector);
  }

  remove(collectionId: number, ids: readonly number[]): void {
    const index = this.staged.get(collectionId);
    if (index) for (const id of ids) index.remove(id);
  }

  size(collectionId: number): number {
    return this.staged.get(collectionId)?.size ?? 0;
  }

  drop(collectionId: number): void {
    this.staged.delete(collectionId);
  }

  /**
   * Takes the staged index out, if it holds exactly the `written` vectors at `dim` dimensions
   * (undefined otherwise: it is dropped and the caller rebuilds from SQLite).
   */
  take(
    collectionId: number,
    dim: number,
    written: readonly { id: number }[],
  ): HnswVectorIndex | undefined {
    const index = this.staged.get(collectionId) ?? HnswVectorIndex.create(dim, this.params);
    this.staged.delete(collectionId);
    const exact =
      index.dim === dim && index.size === written.length && written.every((w) => index.has(w.id));
    return exact ? index : undefined;
  }
}
