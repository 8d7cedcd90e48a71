import { Logger } from '@nestjs/common';
import { ChunkVectorsRepository } from '../../../database/chunk-vectors.repository';
import { Slot, vectorOf } from './hnsw-slot';

/** Vectors loaded per turn of the event loop during a background rebuild. */
const REBUILD_BATCH = 1000;

/**
 * Fills a new slot with the collection's stored vectors in the background, a batch per turn of the
 * event loop, so the server answers (lexically) meanwhile: a rebuild of 100k vectors takes about two
 * minutes. Stops when `live` turns false (shutdown, the collection dropped or switched).
 */
export class IndexRebuild {
  private readonly logger = new Logger('HnswVectorStore');

  constructor(private readonly stored: ChunkVectorsRepository) {}

  /**
   * Marks the slot building and starts filling it; `slot.rebuilt` resolves when it ends. Returns
   * how many vectors it loads.
   */
  start(collectionId: number, slot: Slot, live: () => boolean, t0 = performance.now()): number {
    const total = this.stored.vectorStats(collectionId).count;
    slot.building = { done: 0, total };
    slot.rebuilt = this.run(collectionId, slot, live, t0);
    return total;
  }

  private async run(collectionId: number, slot: Slot, live: () => boolean, t0: number) {
    let after = 0;
    try {
      for (;;) {
        if (!live()) return;
        const rows = this.stored.vectorBatch(collectionId, after, REBUILD_BATCH);
        if (rows.length === 0) break;
        for (const row of rows) {
          slot.index.add(row.chunk_id, vectorOf(row.vector));
          slot.watermark = Math.max(slot.watermark, row.seq);
          after = row.seq;
        }
        slot.building!.done += rows.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      slot.building = undefined;
      slot.dirty = true;
      const ms = Math.round(performance.now() - t0);
      this.logger.log(
        `Index of collection ${collectionId}: rebuilt, ${slot.index.size} vectors in ${ms} ms`,
      );
    } catch (e) {
      this.logger.error(
        `Rebuilding the index of collection ${collectionId} failed: ${(e as Error).message}`,
      );
    }
  }
}
