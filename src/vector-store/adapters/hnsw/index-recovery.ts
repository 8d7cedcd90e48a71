import { Logger } from '@nestjs/common';
import { ChunkVectorsRepository } from '../../../database/chunk-vectors.repository';
import { HnswParams, HnswVectorIndex } from './hnsw-vector-index';
import { Slot, newSlot, vectorOf } from './hnsw-slot';
import { IndexRebuild } from './index-rebuild';
import { SnapshotFiles } from './snapshot-files';

/**
 * Opens a collection's index from SQLite, the source of truth: from its snapshot when that verifies,
 * with the vectors written after the snapshot's watermark replayed, the deletions made since
 * re-applied, and any stored vector still missing filled in; else (no snapshot, or a damaged or
 * stale one) rebuilt from the stored vectors in the background.
 */
export class IndexRecovery {
  private readonly logger = new Logger('HnswVectorStore');

  constructor(
    private readonly files: SnapshotFiles,
    private readonly vectors: ChunkVectorsRepository,
    private readonly rebuild: IndexRebuild,
    private readonly params: HnswParams,
  ) {}

  /**
   * The collection's slot, complete when it came from the snapshot, else building. `install` puts
   * it in service before a rebuild starts; `live` tells the rebuild whether it still is.
   */
  open(
    collectionId: number,
    dim: number,
    generation: number,
    install: (slot: Slot) => void,
    live: (slot: Slot) => boolean,
  ): Slot {
    const t0 = performance.now();
    const loaded = this.files.read(collectionId, dim, generation, this.params);
    if ('reason' in loaded) {
      const slot = newSlot(HnswVectorIndex.create(dim, this.params), generation);
      install(slot);
      const total = this.rebuild.start(collectionId, slot, () => live(slot), t0);
      const line = `Index of collection ${collectionId}: rebuilding from ${total} stored vectors in the background (${loaded.reason})`;
      if (loaded.reason === 'no snapshot') this.logger.log(line);
      else this.logger.warn(line);
      return slot;
    }
    const slot = newSlot(loaded.index, generation, loaded.watermark, true);
    const before = slot.watermark;
    const replayed = this.replay(collectionId, slot, before);
    const stored = new Set(this.vectors.vectorIds(collectionId));
    let forgotten = 0;
    for (const id of [...slot.index.labels()]) {
      if (!stored.has(id)) {
        slot.index.forget(id);
        forgotten++;
      }
    }
    // Any stored vector still missing (e.g. written out of seq order) is added from SQLite.
    const missing = [...stored].filter((id) => !slot.index.has(id));
    if (missing.length > 0) this.replay(collectionId, slot, 0, new Set(missing));
    slot.dirty = replayed + forgotten + missing.length > 0;
    install(slot);
    const ms = Math.round(performance.now() - t0);
    this.logger.log(
      `Index of collection ${collectionId}: ${slot.index.size} vectors, snapshot (watermark ${before}) + ${replayed} replayed, ${forgotten} deletions re-applied, ${missing.length} filled, in ${ms} ms`,
    );
    return slot;
  }

  private replay(collectionId: number, slot: Slot, afterSeq: number, only?: Set<number>): number {
    let n = 0;
    for (const row of this.vectors.vectorsAfter(collectionId, afterSeq)) {
      if (only && !only.has(row.chunk_id)) continue;
      slot.index.add(row.chunk_id, vectorOf(row.vector));
      slot.watermark = Math.max(slot.watermark, row.seq);
      n++;
    }
    return n;
  }
}
