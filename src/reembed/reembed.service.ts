import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionsService, ReembedView } from '../collections/collections.service';
import { InvalidInputError, ReembedNotFoundError, ReembedRunningError } from '../common/errors';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { ReembedRepository, ReembedRow } from '../database/reembed.repository';
import { EmbeddingQueueService } from '../ingestion/embedding-queue.service';
import { similarLengthBatch } from '../ingestion/length-batch';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { VectorIndexService } from '../vector-index/vector-index.service';

/** Vectors loaded into the new index per turn of the event loop when a job resumes. */
const RESUME_BATCH = 1000;
/** Vectors of a replaced generation deleted per turn of the event loop after a switch. */
const PURGE_BATCH = 2000;

/**
 * Embedding-model migration without downtime. A job embeds every chunk of a collection with the new
 * model into the next vector generation (stored beside the one in service, and in a second in-memory
 * index) while searches keep using the old model and index. When every chunk has a new vector, one
 * small transaction moves the collection to the new generation and model, and the new index takes
 * over; the old generation's rows are deleted afterwards in the background. A failure or a cancel
 * leaves the old model in service; a job interrupted by a restart resumes from what it had written.
 */
@Injectable()
export class ReembedService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReembedService.name);
  /** Running jobs of this process, by job id. */
  private readonly running = new Map<number, Promise<void>>();
  private stopped = false;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly database: DatabaseService,
    private readonly repo: ReembedRepository,
    private readonly collections: CollectionsService,
    private readonly collectionRows: CollectionsRepository,
    private readonly embedder: EmbeddingEngine,
    private readonly vectors: VectorIndexService,
    private readonly queue: EmbeddingQueueService,
  ) {}

  onApplicationBootstrap(): void {
    for (const id of this.repo.collectionsWithStaleVectors()) void this.purge(id);
    for (const job of this.repo.running()) {
      this.logger.log(
        `Resuming the re-embedding of collection ${job.collection_id} with ${job.model}`,
      );
      this.launch(job);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true; // a running job stops between batches and resumes at the next start
    await Promise.allSettled([...this.running.values()]);
  }

  start(
    collectionName: string,
    model: string,
    dtype: Dtype = this.settings.embedding.dtype,
  ): ReembedView {
    const job = this.database.transaction(() => {
      const c = this.collections.row(collectionName);
      const current = this.repo.latest(c.id);
      if (current?.state === 'running')
        throw new ReembedRunningError(collectionName, current.model);
      if (c.embedding_model === model && c.embedding_dtype === dtype) {
        throw new InvalidInputError(
          `Collection '${collectionName}' already uses ${model} (${dtype})`,
          { embeddingModel: model, embeddingDtype: dtype },
        );
      }
      return this.repo.insert(c.id, model, dtype);
    });
    this.logger.log(
      `Re-embedding collection '${collectionName}' with ${model} (${dtype}), from ${job.from_model} (${job.from_dtype})`,
    );
    this.launch(job);
    return this.view(collectionName, job.id);
  }

  status(collectionName: string): ReembedView {
    const c = this.collections.get(collectionName);
    if (!c.reembed) throw new ReembedNotFoundError(collectionName, 'never been re-embedded');
    return c.reembed;
  }

  /** Cancels the running job: its staged vectors go, the old model stays in service. */
  async cancel(collectionName: string): Promise<ReembedView> {
    const c = this.collections.row(collectionName);
    const job = this.repo.latest(c.id);
    if (job?.state !== 'running')
      throw new ReembedNotFoundError(collectionName, 'no re-embedding running');
    this.end(job, 'cancelled', 'cancelled by request');
    await this.running.get(job.id);
    return this.view(collectionName, job.id);
  }

  private view(collectionName: string, jobId: number): ReembedView {
    const job = this.repo.find(jobId)!;
    return this.collections.reembedView(job, this.collections.get(collectionName).counts.chunks);
  }

  private launch(job: ReembedRow): void {
    const run = this.run(job)
      .catch((e: unknown) => {
        const reason = e instanceof Error ? e.message : String(e);
        // A model worker ended by shutdown is no failure of the job: it resumes at the next start.
        if (this.stopped)
          this.logger.warn(
            `Re-embedding collection ${job.collection_id} interrupted by shutdown: ${reason}`,
          );
        else this.end(job, 'failed', reason);
      })
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, run);
  }

  private end(job: ReembedRow, state: 'failed' | 'cancelled', reason: string): void {
    if (this.database.transaction(() => this.repo.abandon(job, state, reason))) {
      const log = `Re-embedding collection ${job.collection_id} with ${job.model} ${state}: ${reason}; ${job.from_model} stays in service`;
      if (state === 'failed') this.logger.error(log);
      else this.logger.log(log);
      void this.purge(job.collection_id);
    }
    this.vectors.dropNext(job.collection_id);
  }

  /** False once the job was cancelled, failed elsewhere, or its collection deleted. */
  private live(job: ReembedRow): boolean {
    return this.repo.find(job.id)?.state === 'running';
  }

  private async run(job: ReembedRow): Promise<void> {
    const dtype = job.dtype as Dtype;
    const status = await this.embedder.ensure({ id: job.model, dtype: dtype });
    if (status.state !== 'ready')
      throw new Error(
        `embedding model ${job.model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`,
      );
    let dim = job.dim;
    if (dim !== null && !(await this.loadWritten(job, dim))) return;
    const batchSize = this.settings.embedding.batchSize;
    for (;;) {
      if (this.stopped || !this.live(job)) return;
      // Chunks without a new vector, shortest first; chunks added meanwhile are picked up next pass.
      const todo = this.repo
        .unwritten(job)
        .sort((a, b) => a.token_count - b.token_count || a.id - b.id);
      if (todo.length === 0) {
        if (await this.switchOver(job, dim)) return;
        continue;
      }
      for (let i = 0; i < todo.length;) {
        if (this.stopped || !this.live(job)) return;
        const batch = similarLengthBatch(todo.slice(i, i + batchSize), batchSize);
        i += batch.length;
        const texts = this.repo.texts(batch.map((c) => c.id));
        if (texts.length === 0) continue; // deleted meanwhile
        const out = await this.embedder.embedPassages(
          { id: job.model, dtype: dtype },
          texts.map((t) => t.text),
          { internal: true },
        );
        if (dim !== null && out.dim !== dim)
          throw new Error(`model ${job.model} returned ${out.dim} dimensions, then ${dim}`);
        dim = out.dim;
        const items = texts.map((t, k) => ({ chunkId: t.id, vector: out.vectors[k]! }));
        const written = this.database.transaction(() => {
          if (!this.live(job)) return [];
          this.repo.setDim(job.id, out.dim);
          return this.repo.write(job, out.dim, items);
        });
        const byId = new Map(items.map((it) => [it.chunkId, it.vector]));
        this.vectors.addNext(
          job.collection_id,
          out.dim,
          written.map((id) => ({ label: id, vector: byId.get(id)! })),
        );
      }
    }
  }

  /** After a restart: puts the vectors written before it into the new index, a batch per turn. */
  private async loadWritten(job: ReembedRow, dim: number): Promise<boolean> {
    for (let after = 0; ;) {
      if (this.stopped || !this.live(job)) return false;
      const rows = this.repo.writtenBatch(job, after, RESUME_BATCH);
      if (rows.length === 0) return true;
      this.vectors.addNext(
        job.collection_id,
        dim,
        rows.map((r) => ({
          label: r.chunk_id,
          vector: new Float32Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength / 4),
        })),
      );
      after = rows[rows.length - 1]!.seq;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Switches the collection to the new vectors if every chunk has one (else false: chunks arrived
   * since the last pass). The stored switch is one transaction; the in-memory swap follows it on the
   * same turn of the event loop, so no search sees the new model with the old index or the reverse.
   */
  private async switchOver(job: ReembedRow, dim: number | null): Promise<boolean> {
    await this.vectors.settle(job.collection_id); // no snapshot of the old index being written
    const t0 = performance.now();
    const written = this.database.transaction(() =>
      this.live(job) ? (this.repo.switchOver(job, dim) ?? 'incomplete') : 'gone',
    );
    if (written === 'incomplete') return false;
    if (written === 'gone') return true; // cancelled, or the collection deleted
    const generation = this.collectionRows.findById(job.collection_id)?.vector_generation ?? 0;
    if (dim === null)
      this.vectors.drop(job.collection_id); // no chunks: no index either
    else this.vectors.promote(job.collection_id, dim, generation, written);
    const ms = Math.round(performance.now() - t0);
    this.logger.log(
      `Collection ${job.collection_id} switched to ${job.model} (${job.dtype}): ${written.length} vectors, in ${ms} ms`,
    );
    // Chunks a pass of the old model was embedding meanwhile are now the new model's to embed.
    void this.queue.drain(job.collection_id);
    void this.purge(job.collection_id);
    return true;
  }

  /** Deletes vectors of replaced generations and abandoned jobs, a batch per turn of the event loop. */
  private async purge(collectionId: number): Promise<void> {
    let n = 0;
    for (;;) {
      if (this.stopped) return;
      const deleted = this.database.transaction(() =>
        this.repo.purgeStale(collectionId, PURGE_BATCH),
      );
      n += deleted;
      if (deleted < PURGE_BATCH) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (n > 0)
      this.logger.log(`Collection ${collectionId}: deleted ${n} vectors no longer in service`);
  }
}
