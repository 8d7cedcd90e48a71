import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncFileAsync } from '../common/fsync';
import { StorageMonitor } from '../storage/storage-monitor.service';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionsRepository } from '../database/collections.repository';
import { DocumentsRepository } from '../database/documents.repository';
import { HnswVectorIndex, Neighbor } from './hnsw-vector-index';
import { IndexVerification, verifyIndex } from './index-verification';

interface SnapshotMeta {
  format: 1;
  collectionId: number;
  dim: number;
  /** The collection's vector generation (bumped by each embedding-model switch); absent means 0. */
  generation?: number;
  /** The last chunk_vectors.seq the snapshot contains. */
  watermark: number;
  size: number;
  sha256: string;
}

interface Slot {
  index: HnswVectorIndex;
  /** Which set of vectors the index holds (collections.vector_generation). */
  generation: number;
  /** The last vector seq added to the in-memory index. */
  watermark: number;
  /** Seq contained in the snapshot on disk; the index is dirty when it differs or on delete. */
  savedWatermark: number;
  dirty: boolean;
  /** A snapshot being written off the main thread; changes wait in `deferred` meanwhile. */
  writing?: Promise<void>;
  deferred: (() => void)[];
  /** Set while the index is rebuilt from SQLite in the background. */
  building?: { done: number; total: number };
  rebuilt?: Promise<void>;
}

export interface IndexState {
  state: 'ready' | 'building';
  size: number;
  /** While building: vectors loaded so far and in all. */
  done?: number;
  total?: number;
}

/** Vectors loaded per turn of the event loop during a background rebuild. */
const REBUILD_BATCH = 1000;

/**
 * One HNSW index per collection: a cache derived from the vectors in SQLite. Loaded from a verified
 * snapshot plus the vectors written after its watermark, or rebuilt from the stored vectors (never by
 * running a model again).
 */
@Injectable()
export class VectorIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VectorIndexService.name);
  private readonly slots = new Map<number, Slot>();
  /** Indexes being filled with a new model's vectors while the current one serves searches. */
  private readonly next = new Map<number, HnswVectorIndex>();
  private readonly dir: string;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Collections whose last snapshot attempt failed (logged once, until one is written again). */
  private readonly failedSnapshots = new Set<number>();

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly collections: CollectionsRepository,
    private readonly documents: DocumentsRepository,
    private readonly storage: StorageMonitor,
  ) {
    this.dir = path.join(settings.storageDir, 'indexes');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  onApplicationBootstrap(): void {
    for (const c of this.collections.list()) {
      if (c.embedding_dim !== null) this.open(c.id, c.embedding_dim, c.vector_generation);
    }
    // Periodic snapshots are written off the main thread, so searches go on meanwhile.
    this.timer = setInterval(
      () => void this.snapshotAllInBackground(),
      this.settings.indexSnapshotIntervalMs,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.slots.values()].map((s) => s.writing ?? Promise.resolve()));
    this.snapshotAll();
  }

  size(collectionId: number): number {
    return this.slots.get(collectionId)?.index.size ?? 0;
  }

  /** The vector generation the collection's index holds; a search compares it before and after embedding. */
  generation(collectionId: number): number {
    return (
      this.slots.get(collectionId)?.generation ??
      this.collections.findById(collectionId)?.vector_generation ??
      0
    );
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

  /** Adds a new model's vectors (already staged in SQLite) to the index that will replace the current one. */
  addNext(
    collectionId: number,
    dim: number,
    items: readonly { label: number; vector: Float32Array }[],
  ): void {
    let index = this.next.get(collectionId);
    if (!index || index.dim !== dim) {
      index = HnswVectorIndex.create(dim, this.settings.hnsw);
      this.next.set(collectionId, index);
    }
    for (const it of items) index.add(it.label, it.vector);
  }

  nextSize(collectionId: number): number {
    return this.next.get(collectionId)?.size ?? 0;
  }

  dropNext(collectionId: number): void {
    this.next.delete(collectionId);
  }

  /**
   * Serves the new index from now on: call right after the transaction that switched the stored
   * vectors (generation bumped), with the vectors it wrote, and after `settle` (no snapshot being
   * written). If the new index does not hold exactly those vectors, it is rebuilt from SQLite.
   */
  promote(
    collectionId: number,
    dim: number,
    generation: number,
    written: readonly { chunkId: number; seq: number }[],
  ): void {
    const index = this.next.get(collectionId) ?? HnswVectorIndex.create(dim, this.settings.hnsw);
    this.next.delete(collectionId);
    const exact =
      index.dim === dim &&
      index.size === written.length &&
      written.every((w) => index.has(w.chunkId));
    if (!exact) {
      this.logger.warn(
        `Index of collection ${collectionId}: the new model's index does not match its stored vectors; rebuilding`,
      );
      this.slots.delete(collectionId);
      this.open(collectionId, dim, generation);
      return;
    }
    const watermark = written.reduce((m, w) => Math.max(m, w.seq), 0);
    this.slots.set(collectionId, {
      index,
      generation,
      watermark,
      savedWatermark: 0,
      dirty: true,
      deferred: [],
    });
    void this.snapshotAllInBackground();
  }

  /** Resolves when the collection's index is complete (at once unless it is being rebuilt). */
  async whenReady(collectionId: number): Promise<void> {
    await this.slots.get(collectionId)?.rebuilt;
  }

  state(collectionId: number): IndexState {
    const slot = this.slots.get(collectionId);
    if (!slot) return { state: 'ready', size: 0 };
    return slot.building
      ? { state: 'building', size: slot.index.size, ...slot.building }
      : { state: 'ready', size: slot.index.size };
  }

  /** Adds vectors just committed to SQLite (in seq order). */
  add(
    collectionId: number,
    dim: number,
    items: readonly { label: number; seq: number; vector: Float32Array }[],
  ): void {
    if (items.length === 0) return; // e.g. the chunks were deleted while they were being embedded
    const slot = this.slots.get(collectionId) ?? this.create(collectionId, dim);
    this.change(slot, () => {
      for (const it of items) {
        slot.index.add(it.label, it.vector);
        slot.watermark = Math.max(slot.watermark, it.seq);
      }
      if (items.length > 0) slot.dirty = true;
    });
  }

  /** Removes labels whose rows SQLite has already deleted (a search meanwhile drops them anyway). */
  remove(collectionId: number, labels: readonly number[]): void {
    const next = this.next.get(collectionId);
    if (next) for (const l of labels) next.remove(l);
    const slot = this.slots.get(collectionId);
    if (!slot) return;
    this.change(slot, () => {
      for (const l of labels) slot.index.remove(l);
      if (labels.length > 0) slot.dirty = true;
    });
  }

  /** Applies a change now, or right after the snapshot being written (which reads the graph). */
  private change(slot: Slot, apply: () => void): void {
    if (slot.writing) slot.deferred.push(apply);
    else apply();
  }

  async snapshotAllInBackground(): Promise<void> {
    for (const [id, slot] of this.slots) {
      // A slot being rebuilt is written at shutdown only (its rebuild adds bypass `change`).
      if (slot.dirty && !slot.writing && !slot.building) await this.snapshotInBackground(id, slot);
    }
  }

  private snapshotInBackground(collectionId: number, slot: Slot): Promise<void> {
    const file = this.indexFile(collectionId);
    const tmp = `${file}.tmp`;
    const metaFile = this.metaFile(collectionId);
    const metaTmp = `${metaFile}.tmp`;
    const watermark = slot.watermark;
    const size = slot.index.size;
    slot.dirty = false;
    slot.writing = (async () => {
      try {
        await slot.index.writeAsync(tmp);
        const sha256 = await sha256FileAsync(tmp);
        await fsyncFileAsync(tmp);
        if (this.slots.get(collectionId) !== slot) {
          // The collection was dropped or switched to a new model's index meanwhile: this one is stale.
          await fs.promises.rm(tmp, { force: true });
          return;
        }
        const meta: SnapshotMeta = {
          format: 1,
          collectionId,
          dim: slot.index.dim,
          generation: slot.generation,
          watermark,
          size,
          sha256,
        };
        // Both files are written before either is renamed: a full disk fails here, the old pair intact.
        writeSynced(metaTmp, JSON.stringify(meta));
        await fs.promises.rename(tmp, file);
        fs.renameSync(metaTmp, metaFile);
        slot.savedWatermark = watermark;
        this.snapshotWritten(collectionId);
      } catch (e) {
        slot.dirty = true;
        this.snapshotFailed(collectionId, e);
        removeQuietly(tmp, metaTmp);
      } finally {
        slot.writing = undefined;
        for (const apply of slot.deferred.splice(0)) apply();
      }
    })();
    return slot.writing;
  }

  search(
    collectionId: number,
    query: Float32Array,
    k: number,
    filter?: (label: number) => boolean,
  ): Neighbor[] {
    return this.slots.get(collectionId)?.index.search(query, k, filter) ?? [];
  }

  drop(collectionId: number): void {
    const slot = this.slots.get(collectionId);
    this.slots.delete(collectionId);
    this.next.delete(collectionId);
    this.failedSnapshots.delete(collectionId);
    const remove = () => {
      for (const f of [this.indexFile(collectionId), this.metaFile(collectionId)])
        fs.rmSync(f, { force: true });
    };
    remove();
    // A snapshot being written would put the files back: remove them again when it ends.
    if (slot?.writing) void slot.writing.finally(remove);
  }

  /** Writes every changed index now, on this thread (shutdown). */
  snapshotAll(): void {
    for (const [id, slot] of this.slots) {
      if (slot.dirty && !slot.writing) this.snapshot(id, slot);
    }
  }

  /**
   * Waits for snapshots being written, then writes every changed index off the main thread: the
   * snapshot files are then as recent as they can be (a backup copies them next).
   */
  async flushSnapshots(): Promise<void> {
    await Promise.allSettled([...this.slots.values()].map((s) => s.writing ?? Promise.resolve()));
    await this.snapshotAllInBackground();
  }

  /**
   * The index checked against the vectors stored in SQLite. Waits for a snapshot being written
   * first: changes made meanwhile are held back until it ends, and would show as differences.
   */
  async verify(collectionId: number): Promise<IndexVerification> {
    await this.settle(collectionId);
    const slot = this.slots.get(collectionId);
    const figures = slot
      ? {
          ...this.state(collectionId),
          capacity: slot.index.capacity,
          deletedSlots: slot.index.reusableSlots,
          elements: slot.index.elements,
        }
      : { ...this.state(collectionId), capacity: 0, deletedSlots: 0, elements: 0 };
    return verifyIndex(figures, this.documents.vectorIds(collectionId), slot?.index.labels() ?? []);
  }

  /** Writes the index and its meta atomically: temp file, fsync, rename; meta last. */
  private snapshot(collectionId: number, slot: Slot): void {
    const file = this.indexFile(collectionId);
    const tmp = `${file}.tmp`;
    const metaFile = this.metaFile(collectionId);
    const metaTmp = `${metaFile}.tmp`;
    try {
      slot.index.write(tmp);
      fsyncFile(tmp);
      const sha256 = sha256File(tmp);
      const meta: SnapshotMeta = {
        format: 1,
        collectionId,
        dim: slot.index.dim,
        generation: slot.generation,
        watermark: slot.watermark,
        size: slot.index.size,
        sha256,
      };
      // Both files are written before either is renamed: a full disk fails here, the old pair intact.
      writeSynced(metaTmp, JSON.stringify(meta));
      fs.renameSync(tmp, file);
      fs.renameSync(metaTmp, metaFile);
      slot.savedWatermark = slot.watermark;
      slot.dirty = false;
      this.snapshotWritten(collectionId);
    } catch (e) {
      this.snapshotFailed(collectionId, e);
      removeQuietly(tmp, metaTmp);
    }
  }

  /** The previous snapshot stays; the next interval tries again. Logged once until one succeeds. */
  private snapshotFailed(collectionId: number, e: unknown): void {
    const fault = this.storage.fault(
      e,
      `write the index snapshot of collection ${collectionId}`,
      'index snapshots',
    );
    if (this.failedSnapshots.has(collectionId)) return;
    this.failedSnapshots.add(collectionId);
    this.logger.error(
      `Could not write index snapshot of collection ${collectionId}; the previous snapshot stays and writing is retried every ${this.settings.indexSnapshotIntervalMs} ms: ${(fault ?? (e as Error)).message}`,
    );
  }

  private snapshotWritten(collectionId: number): void {
    if (!this.failedSnapshots.delete(collectionId)) return;
    this.logger.log(`Index snapshot of collection ${collectionId} written again`);
    if (this.failedSnapshots.size === 0) this.storage.succeeded('index snapshots');
  }

  private create(
    collectionId: number,
    dim: number,
    generation = this.generation(collectionId),
  ): Slot {
    const slot: Slot = {
      index: HnswVectorIndex.create(dim, this.settings.hnsw),
      generation,
      watermark: 0,
      savedWatermark: 0,
      dirty: true,
      deferred: [],
    };
    this.slots.set(collectionId, slot);
    return slot;
  }

  /** Loads the snapshot if it verifies, replays what came after it, else rebuilds from SQLite. */
  private open(collectionId: number, dim: number, generation: number): void {
    const t0 = performance.now();
    const loaded = this.readSnapshot(collectionId, dim, generation);
    let slot: Slot;
    let how: string;
    if (loaded.slot) {
      slot = loaded.slot;
      const before = slot.watermark;
      const replayed = this.replay(collectionId, slot, before);
      const stored = new Set(this.documents.vectorIds(collectionId));
      let forgotten = 0;
      for (const label of [...slot.index.labels()]) {
        if (!stored.has(label)) {
          slot.index.forget(label);
          forgotten++;
        }
      }
      // Any stored vector still missing (e.g. written out of seq order) is added from SQLite.
      const missing = [...stored].filter((l) => !slot.index.has(l));
      if (missing.length > 0) this.replay(collectionId, slot, 0, new Set(missing));
      slot.dirty = replayed + forgotten + missing.length > 0;
      how = `snapshot (watermark ${before}) + ${replayed} replayed, ${forgotten} deletions re-applied, ${missing.length} filled`;
    } else {
      // A rebuild of a large index takes minutes (100k vectors: about 2): do it in the background, a
      // batch per turn of the event loop, so the server answers (lexically) meanwhile.
      slot = this.create(collectionId, dim, generation);
      const total = this.documents.vectorStats(collectionId).count;
      slot.building = { done: 0, total };
      this.slots.set(collectionId, slot);
      const line = `Index of collection ${collectionId}: rebuilding from ${total} stored vectors in the background (${loaded.reason})`;
      if (loaded.reason === 'no snapshot') this.logger.log(line);
      else this.logger.warn(line);
      slot.rebuilt = this.rebuild(collectionId, slot, t0);
      return;
    }
    this.slots.set(collectionId, slot);
    const ms = Math.round(performance.now() - t0);
    this.logger.log(
      `Index of collection ${collectionId}: ${slot.index.size} vectors, ${how}, in ${ms} ms`,
    );
  }

  private async rebuild(collectionId: number, slot: Slot, t0: number): Promise<void> {
    let after = 0;
    try {
      for (;;) {
        if (this.stopping || this.slots.get(collectionId) !== slot) return;
        const rows = this.documents.vectorBatch(collectionId, after, REBUILD_BATCH);
        if (rows.length === 0) break;
        for (const row of rows) {
          slot.index.add(
            row.chunk_id,
            new Float32Array(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength / 4),
          );
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

  private replay(collectionId: number, slot: Slot, afterSeq: number, only?: Set<number>): number {
    let n = 0;
    for (const row of this.documents.vectorsAfter(collectionId, afterSeq)) {
      if (only && !only.has(row.chunk_id)) continue;
      const v = new Float32Array(
        row.vector.buffer,
        row.vector.byteOffset,
        row.vector.byteLength / 4,
      );
      slot.index.add(row.chunk_id, v);
      slot.watermark = Math.max(slot.watermark, row.seq);
      n++;
    }
    return n;
  }

  private readSnapshot(
    collectionId: number,
    dim: number,
    generation: number,
  ): { slot?: Slot; reason: string } {
    const file = this.indexFile(collectionId);
    const metaFile = this.metaFile(collectionId);
    if (!fs.existsSync(file) || !fs.existsSync(metaFile)) return { reason: 'no snapshot' };
    try {
      const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as SnapshotMeta;
      if (meta.format !== 1 || meta.collectionId !== collectionId || meta.dim !== dim) {
        return { reason: 'snapshot meta does not match the collection' };
      }
      if ((meta.generation ?? 0) !== generation) {
        return {
          reason: `snapshot holds vector generation ${meta.generation ?? 0}, the collection is at ${generation} (embedding model changed)`,
        };
      }
      if (sha256File(file) !== meta.sha256) return { reason: 'snapshot checksum mismatch' };
      const index = HnswVectorIndex.read(file, dim, this.settings.hnsw);
      return {
        slot: {
          index,
          generation,
          watermark: meta.watermark,
          savedWatermark: meta.watermark,
          dirty: false,
          deferred: [],
        },
        reason: 'ok',
      };
    } catch (e) {
      return { reason: `snapshot unreadable: ${(e as Error).message}` };
    }
  }

  private indexFile(collectionId: number) {
    return path.join(this.dir, `${collectionId}.hnsw`);
  }

  private metaFile(collectionId: number) {
    return path.join(this.dir, `${collectionId}.meta.json`);
  }
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function sha256FileAsync(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeSynced(file: string, data: string): void {
  fs.writeFileSync(file, data);
  fsyncFile(file);
}

/** Removes leftovers of a failed write; on a read-only file system there is nothing to remove. */
function removeQuietly(...files: string[]): void {
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      // EROFS or EACCES: the file could not have been created either
    }
  }
}
