import { Logger } from '@nestjs/common';
import { StorageMonitor } from '../../../storage/storage-monitor.service';
import { Slot } from './hnsw-slot';
import { SnapshotFiles } from './snapshot-files';

/**
 * Writes the snapshots of changed indexes: periodically and on demand off the main thread (searches
 * go on, changes wait until the write ends), and at shutdown. A failed write keeps the previous
 * snapshot and is retried at the next interval; it is logged once until one is written again.
 */
export class SnapshotWriter {
  private readonly logger = new Logger('HnswVectorStore');
  /** Collections whose last snapshot attempt failed. */
  private readonly failed = new Set<number>();
  /**
   * The write in flight per collection, whichever slot it is of: a slot put in place of another
   * (a promoted re-embedding) waits for the old one's write, which uses the same temp files.
   */
  private readonly inFlightOf = new Map<number, Promise<void>>();

  constructor(
    private readonly files: SnapshotFiles,
    private readonly slots: ReadonlyMap<number, Slot>,
    private readonly storage: StorageMonitor,
    private readonly intervalMs: number,
  ) {}

  /**
   * Writes every changed index that is not being written already. A slot being rebuilt is written
   * only at shutdown (`includeBuilding`): its rebuild adds bypass the deferral of changes.
   */
  async writeChanged(includeBuilding = false): Promise<void> {
    for (const [id, slot] of this.slots) {
      if (slot.dirty && !slot.writing && (includeBuilding || !slot.building))
        await this.write(id, slot);
    }
  }

  /** Waits for the snapshots being written, then writes every changed index: as recent as they can be. */
  async flush(): Promise<void> {
    await this.inFlight();
    await this.writeChanged();
  }

  /** Resolves when no snapshot is being written (of a slot still in service or not). */
  async inFlight(): Promise<void> {
    await Promise.allSettled(this.inFlightOf.values());
  }

  /** Resolves when no snapshot of the collection's index is being written. */
  async settle(collectionId: number): Promise<void> {
    for (
      let slot = this.slots.get(collectionId);
      slot?.writing;
      slot = this.slots.get(collectionId)
    )
      await slot.writing;
  }

  forget(collectionId: number): void {
    this.failed.delete(collectionId);
  }

  private write(collectionId: number, slot: Slot): Promise<void> {
    const previous = this.inFlightOf.get(collectionId);
    slot.dirty = false;
    const writing: Promise<void> = (async () => {
      await previous;
      const watermark = slot.watermark;
      try {
        const outcome = await this.files.write(
          collectionId,
          slot.index,
          { generation: slot.generation, watermark },
          () => this.slots.get(collectionId) === slot,
        );
        if (outcome === 'written') {
          slot.savedWatermark = watermark;
          this.written(collectionId);
        }
      } catch (e) {
        slot.dirty = true;
        this.failedWrite(collectionId, e);
      } finally {
        if (this.inFlightOf.get(collectionId) === slot.writing)
          this.inFlightOf.delete(collectionId);
        slot.writing = undefined;
        for (const apply of slot.deferred.splice(0)) apply();
      }
    })();
    slot.writing = writing;
    this.inFlightOf.set(collectionId, writing);
    return writing;
  }

  private failedWrite(collectionId: number, e: unknown): void {
    const fault = this.storage.fault(
      e,
      `write the index snapshot of collection ${collectionId}`,
      'index snapshots',
    );
    if (this.failed.has(collectionId)) return;
    this.failed.add(collectionId);
    this.logger.error(
      `Could not write index snapshot of collection ${collectionId}; the previous snapshot stays and writing is retried every ${this.intervalMs} ms: ${(fault ?? (e as Error)).message}`,
    );
  }

  private written(collectionId: number): void {
    if (!this.failed.delete(collectionId)) return;
    this.logger.log(`Index snapshot of collection ${collectionId} written again`);
    if (this.failed.size === 0) this.storage.succeeded('index snapshots');
  }
}
