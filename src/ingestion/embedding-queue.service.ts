import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { ServerBusyError } from '../common/errors';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionsRepository } from '../database/collections.repository';
import { DocumentsRepository } from '../database/documents.repository';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { ChunkingService } from './chunking.service';
import { similarLengthBatch } from './length-batch';
import { VectorWriter } from './vector-writer';

export interface DrainResult {
  /** Chunks of the collection still without a vector. */
  pending: number;
  /** Why chunks are still pending, when they are. */
  reason?: string;
}

/** Who wants to know how embedding goes (ingestion jobs follow their documents with it). */
export interface EmbeddingListener {
  /** A batch of the collection's chunks got its vectors; modelMs is the model's time for it. */
  batchStored?(collectionId: number, chunks: number, modelMs: number): void;
  /** A pass over the collection ended: everything embedded, or it cannot go on for now (reason). */
  drained?(collectionId: number, result: DrainResult): void;
}

/**
 * Turns pending chunks into stored vectors, collection by collection, shortest chunks first so that
 * each batch holds texts of similar length (padding is wasted work on a CPU). Vectors are committed
 * to SQLite before they are added to the vector store (VectorWriter). With no model, chunks stay pending and are
 * retried when the model becomes loadable (MODEL_RETRY_MS) and at every start.
 */
@Injectable()
export class EmbeddingQueueService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EmbeddingQueueService.name);
  private readonly running = new Map<number, Promise<DrainResult>>();
  /** The one pass that follows the running one, shared by every drain() asked for meanwhile. */
  private readonly next = new Map<number, Promise<DrainResult>>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners = new Set<EmbeddingListener>();

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly collections: CollectionsRepository,
    private readonly documents: DocumentsRepository,
    private readonly embedder: EmbeddingEngine,
    private readonly writer: VectorWriter,
    private readonly chunking: ChunkingService,
    private readonly storage: StorageMonitor,
  ) {}

  onApplicationBootstrap(): void {
    this.kickAll();
    this.retryTimer = setInterval(() => this.kickAll(), this.settings.modelRetryMs);
    this.retryTimer.unref();
  }

  /** Before the database closes: finish the batch in flight, start no other. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    await Promise.allSettled([...this.running.values(), ...this.next.values()]);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: EmbeddingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  kickAll(): void {
    for (const id of this.documents.collectionsWithPending()) void this.drain(id);
  }

  /** Embeds everything pending in the collection; resolves when done or when it cannot go on. */
  drain(collectionId: number): Promise<DrainResult> {
    // Shutting down: no new pass (the database closes next); what is pending is embedded at the next start.
    if (this.stopped) return Promise.resolve({ pending: 0, reason: 'the server is shutting down' });
    const current = this.running.get(collectionId);
    if (current) {
      // Chunks may have arrived after the running pass last looked: run once more after it (once,
      // however many callers ask meanwhile: a batch job asks after every file).
      let next = this.next.get(collectionId);
      if (!next) {
        next = current.then(() => {
          this.next.delete(collectionId);
          return this.drain(collectionId);
        });
        this.next.set(collectionId, next);
      }
      return next;
    }
    const run = this.run(collectionId)
      .catch((e: unknown): DrainResult => {
        const fault = this.storage.fault(e); // logged once by the monitor; retried every MODEL_RETRY_MS
        const reason = `embedding stopped: ${fault?.message ?? (e instanceof Error ? e.message : String(e))}`;
        if (!fault) this.logger.error(`Collection ${collectionId}: ${reason}`);
        return { pending: this.collections.counts(collectionId).pending, reason };
      })
      .then((result) => {
        for (const l of this.listeners) l.drained?.(collectionId, result);
        return result;
      })
      .finally(() => this.running.delete(collectionId));
    this.running.set(collectionId, run);
    return run;
  }

  private async run(collectionId: number): Promise<DrainResult> {
    const collection = this.collections.findById(collectionId);
    if (!collection) return { pending: 0 };
    const model = collection.embedding_model;
    const dtype = collection.embedding_dtype as Dtype;
    const status = await this.embedder.ensure({ id: model, dtype: dtype });
    if (status.state !== 'ready') {
      return {
        pending: this.collections.counts(collectionId).pending,
        reason: `embedding model ${model}: ${status.reason ?? status.state}`,
      };
    }
    await this.chunking.rechunkEstimated(collection);
    const batchSize = this.settings.embedding.batchSize;
    const failed = new Set<number>();
    for (;;) {
      if (this.stopped) break;
      const batch = similarLengthBatch(
        this.documents.pending(collectionId, batchSize, failed),
        batchSize,
        this.settings.embedding.batchTokens,
      );
      if (batch.length === 0) break;
      try {
        const started = performance.now();
        const { vectors, dim } = await this.writer.embed(
          { id: model, dtype: dtype },
          batch.map((c) => c.text),
        );
        const modelMs = performance.now() - started;
        const now = this.collections.findById(collectionId);
        if (!now) return { pending: 0 }; // the collection was deleted meanwhile
        if (now.embedding_model !== model || now.embedding_dtype !== dtype) {
          // Re-embedded meanwhile: these vectors are of the old model. The switch starts a new pass.
          return {
            pending: this.collections.counts(collectionId).pending,
            reason: `embedding model changed to ${now.embedding_model}`,
          };
        }
        if (!this.collections.pinDimension(collectionId, dim)) {
          const current = this.collections.findById(collectionId);
          if (!current) return { pending: 0 }; // the collection was deleted meanwhile
          const pinned = current.embedding_dim;
          const reason = `model ${model} returns ${dim} dimensions but the collection is pinned to ${pinned}`;
          this.logger.error(reason);
          return { pending: this.collections.counts(collectionId).pending, reason };
        }
        const items = batch.map((c, i) => ({ chunkId: c.id, vector: vectors[i]! }));
        const written = this.writer.write(collectionId, model, dim, items);
        for (const l of this.listeners) l.batchStored?.(collectionId, written, modelMs);
      } catch (e) {
        // Storage full or failing: the chunks are fine; stop and retry every MODEL_RETRY_MS (the monitor logs the fault once).
        const fault = this.storage.fault(e, `store vectors of collection ${collectionId}`);
        if (fault)
          return {
            pending: this.collections.counts(collectionId).pending,
            reason: `embedding paused, retried every ${this.settings.modelRetryMs} ms: ${fault.message}`,
          };
        const message = (e as Error).message;
        this.logger.error(`Embedding a batch of collection ${collectionId} failed: ${message}`);
        // No model now (a remote engine down) or every replica busy: the chunks wait for the next pass.
        if (e instanceof ServerBusyError || /unavailable/i.test(message))
          return { pending: this.collections.counts(collectionId).pending, reason: message };
        for (const c of batch) failed.add(c.id);
      }
    }
    const pending = this.collections.counts(collectionId).pending;
    return failed.size > 0
      ? { pending, reason: `${failed.size} chunks failed to embed; retried later` }
      : { pending };
  }
}
