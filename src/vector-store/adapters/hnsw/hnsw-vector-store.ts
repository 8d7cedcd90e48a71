import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as path from 'node:path';
import type { Settings } from '../../../config/settings';
import { ChunkVectorsRepository } from '../../../database/chunk-vectors.repository';
import { CollectionsRepository } from '../../../database/collections.repository';
import { DocumentsRepository } from '../../../database/documents.repository';
import { StorageMonitor } from '../../../storage/storage-monitor.service';
import { VectorStoreVerification, verifyAgainstStored } from '../../verification';
import {
  ExportSink,
  StagedVectorItem,
  VectorFilter,
  VectorItem,
  VectorMatch,
  VectorStore,
  VectorStoreExport,
  VectorStoreState,
} from '../../vector-store';
import { FilteredSearch } from './filtered-search';
import { Slot, change, newSlot } from './hnsw-slot';
import { HnswVectorIndex } from './hnsw-vector-index';
import { IndexRebuild } from './index-rebuild';
import { IndexRecovery } from './index-recovery';
import { SNAPSHOT_DIR, SnapshotFiles } from './snapshot-files';
import { SnapshotExport } from './snapshot-export';
import { SnapshotWriter } from './snapshot-writer';
import { StagedIndexes } from './staged-indexes';

/**
 * The vector store on hnswlib-node: one HNSW index per collection, in memory, a cache derived from
 * the vectors in SQLite. Loaded from a verified snapshot plus the vectors written after its
 * watermark, or rebuilt from the stored vectors (never by running a model again); snapshots are
 * written periodically off the main thread and at shutdown.
 */
export class HnswVectorStore
  extends VectorStore
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(HnswVectorStore.name);
  /** The index in service per collection. */
  private readonly slots = new Map<number, Slot>();
  private readonly staged: StagedIndexes;
  private readonly files: SnapshotFiles;
  private readonly writer: SnapshotWriter;
  private readonly recovery: IndexRecovery;
  private readonly filtered: FilteredSearch;
  private readonly snapshots: SnapshotExport;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly settings: Settings,
    private readonly collections: CollectionsRepository,
    documents: DocumentsRepository,
    vectors: ChunkVectorsRepository,
    storage: StorageMonitor,
  ) {
    super();
    this.files = new SnapshotFiles(path.join(settings.storageDir, SNAPSHOT_DIR));
    this.staged = new StagedIndexes(settings.hnsw);
    this.writer = new SnapshotWriter(
      this.files,
      this.slots,
      storage,
      settings.indexSnapshotIntervalMs,
    );
    this.recovery = new IndexRecovery(
      this.files,
      vectors,
      new IndexRebuild(vectors),
      settings.hnsw,
    );
    this.filtered = new FilteredSearch(documents, vectors);
    this.snapshots = new SnapshotExport(this.files);
  }

  onApplicationBootstrap(): void {
    for (const c of this.collections.list()) {
      if (c.embedding_dim !== null) this.open(c.id, c.embedding_dim, c.vector_generation);
    }
    this.timer = setInterval(
      () => void this.writer.writeChanged(),
      this.settings.indexSnapshotIntervalMs,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true; // background rebuilds stop; what they loaded is written below
    if (this.timer) clearInterval(this.timer);
    await this.writer.inFlight();
    await this.writer.writeChanged(true);
  }

  add(collection: number, items: readonly VectorItem[]): void {
    if (items.length === 0) return; // e.g. the chunks were deleted while they were being embedded
    const slot = this.slots.get(collection) ?? this.create(collection, items[0]!.vector.length);
    change(slot, () => {
      for (const it of items) {
        slot.index.add(it.id, it.vector);
        slot.watermark = Math.max(slot.watermark, it.seq);
      }
      slot.dirty = true;
    });
  }

  delete(collection: number, ids: readonly number[]): void {
    this.staged.remove(collection, ids);
    const slot = this.slots.get(collection);
    if (!slot || ids.length === 0) return;
    change(slot, () => {
      for (const id of ids) slot.index.remove(id);
      slot.dirty = true;
    });
  }

  search(
    collection: number,
    vector: Float32Array,
    k: number,
    filter?: VectorFilter,
  ): Promise<VectorMatch[]> {
    const index = this.slots.get(collection)?.index;
    if (!index) return Promise.resolve([]);
    const found = filter
      ? this.filtered.search(collection, index, vector, k, filter)
      : index.search(vector, k).map((n) => ({ id: n.label, similarity: n.similarity }));
    return Promise.resolve(found.sort((a, b) => b.similarity - a.similarity || a.id - b.id));
  }

  size(collection: number): number {
    return this.slots.get(collection)?.index.size ?? 0;
  }

  state(collection: number): VectorStoreState {
    const slot = this.slots.get(collection);
    if (!slot) return { state: 'ready', size: 0 };
    return slot.building
      ? { state: 'building', size: slot.index.size, ...slot.building }
      : { state: 'ready', size: slot.index.size };
  }

  generation(collection: number): number {
    return (
      this.slots.get(collection)?.generation ??
      this.collections.findById(collection)?.vector_generation ??
      0
    );
  }

  drop(collection: number): void {
    const slot = this.slots.get(collection);
    this.slots.delete(collection);
    this.staged.drop(collection);
    this.writer.forget(collection);
    this.files.remove(collection);
    // A snapshot being written finds its slot gone and discards itself; removed again to be sure.
    if (slot?.writing) void slot.writing.finally(() => this.files.remove(collection));
  }

  beginStaged(collection: number, dim: number): void {
    this.staged.begin(collection, dim);
  }

  addStaged(collection: number, items: readonly StagedVectorItem[]): void {
    this.staged.add(collection, items);
  }

  stagedSize(collection: number): number {
    return this.staged.size(collection);
  }

  dropStaged(collection: number): void {
    this.staged.drop(collection);
  }

  promote(
    collection: number,
    dim: number,
    generation: number,
    written: readonly { id: number; seq: number }[],
  ): void {
    const index = this.staged.take(collection, dim, written);
    if (!index) {
      this.logger.warn(
        `Index of collection ${collection}: the new model's index does not match its stored vectors; rebuilding`,
      );
      this.slots.delete(collection);
      this.open(collection, dim, generation);
      return;
    }
    const watermark = written.reduce((m, w) => Math.max(m, w.seq), 0);
    const slot = newSlot(index, generation, watermark);
    this.slots.set(collection, slot);
    void this.writer.writeChanged();
  }

  /**
   * Waits for a snapshot being written first: changes made meanwhile are held back until it ends,
   * and would show as differences.
   */
  async verify(
    collection: number,
    storedIds: () => Iterable<number>,
  ): Promise<VectorStoreVerification> {
    await this.writer.settle(collection);
    const slot = this.slots.get(collection);
    const figures = {
      ...this.state(collection),
      capacity: slot?.index.capacity ?? 0,
      deletedSlots: slot?.index.reusableSlots ?? 0,
      elements: slot?.index.elements ?? 0,
    };
    return verifyAgainstStored(figures, storedIds(), slot?.index.labels() ?? []);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  export(
    sink: ExportSink,
    onProgress?: (done: number, total: number) => void,
  ): Promise<VectorStoreExport> {
    return this.snapshots.export(sink, onProgress);
  }

  /** Every collection reopened as at start-up: from the export's snapshot when it has one, else rebuilt. */
  async import(dir: string): Promise<void> {
    await this.writer.inFlight();
    const opened: Slot[] = [];
    for (const c of this.collections.list()) {
      this.slots.delete(c.id);
      await this.snapshots.place(dir, c.id);
      if (c.embedding_dim !== null)
        opened.push(this.open(c.id, c.embedding_dim, c.vector_generation));
    }
    await Promise.all(opened.map((s) => s.rebuilt ?? Promise.resolve()));
  }

  /** Resolves when the collection's index is complete (at once unless it is being rebuilt). */
  async whenReady(collection: number): Promise<void> {
    await this.slots.get(collection)?.rebuilt;
  }

  /** Writes every changed index now, off the main thread (tests follow a write in progress with it). */
  writeSnapshots(): Promise<void> {
    return this.writer.writeChanged();
  }

  private open(collection: number, dim: number, generation: number): Slot {
    return this.recovery.open(
      collection,
      dim,
      generation,
      (slot) => this.slots.set(collection, slot),
      (slot) => !this.stopping && this.slots.get(collection) === slot,
    );
  }

  private create(collection: number, dim: number): Slot {
    const slot = newSlot(
      HnswVectorIndex.create(dim, this.settings.hnsw),
      this.generation(collection),
    );
    this.slots.set(collection, slot);
    return slot;
  }
}
