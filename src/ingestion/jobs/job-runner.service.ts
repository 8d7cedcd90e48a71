import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DocumentConflictError, DomainError, StorageFaultError } from '../../common/errors';
import { DatabaseService } from '../../database/database.service';
import { ENDED, JobItemRow, JobRow, JobsRepository } from '../../database/jobs.repository';
import { StorageMonitor } from '../../storage/storage-monitor.service';
import { DocumentsService } from '../documents.service';
import { EmbeddingQueueService } from '../embedding-queue.service';
import { JobSpool } from './job-spool';
import { JobEvents } from './job-events';
import { JobItemLoader } from './job-item-loader';
import { JobRecovery } from './job-recovery';
import type { OcrPagesView } from './job-views';

const SETTLE_EVERY_MS = 1000;

/** Thrown inside the storing transaction when the job was cancelled meanwhile: nothing is stored. */
class JobCancelled extends Error {}

/**
 * Runs the background ingestion jobs, one at a time, item by item: parse (in the parsing worker),
 * chunk (yielding to the event loop), store (one transaction with the item's state); the chunks
 * are embedded by the embedding queue meanwhile, so the model works while the next file is parsed.
 * An item that fails, fails alone with its stage and reason. A job waits for its vectors, then ends.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private running: Promise<void> | undefined;
  /** The item being parsed, chunked or stored now; `ocr`: its pages read by OCR so far. */
  current: { jobId: string; ordinal: number; ocr?: OcrPagesView } | undefined;
  private stopped = false;
  private settleTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repo: JobsRepository,
    private readonly database: DatabaseService,
    private readonly documents: DocumentsService,
    private readonly loader: JobItemLoader,
    private readonly spool: JobSpool,
    private readonly queue: EmbeddingQueueService,
    private readonly storage: StorageMonitor,
    private readonly events: JobEvents,
    private readonly recovery: JobRecovery,
  ) {}

  onApplicationBootstrap(): void {
    this.recovery.recover();
    this.unsubscribe = this.queue.subscribe({
      batchStored: (collectionId, _chunks, modelMs) =>
        this.guard(() => this.onBatch(collectionId, modelMs)),
      drained: (collectionId, result) =>
        this.guard(() => {
          if (result.pending > 0 && result.reason)
            this.touched(
              this.repo.finishWaiting(
                collectionId,
                `stored; chunks wait for vectors: ${result.reason}`,
              ),
            );
          else this.settleEmbedded();
        }),
    });
    this.settleTimer = setInterval(() => this.guard(() => this.settleEmbedded()), SETTLE_EVERY_MS);
    this.settleTimer.unref();
    this.kick();
  }

  /** Before the database closes: the item in progress finishes or is abandoned (it starts again at the next start). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.settleTimer) clearInterval(this.settleTimer);
    await this.running;
  }

  /** Starts the runner unless it runs. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.runAll()
      .catch((e: unknown) => this.logger.error(`The job runner stopped: ${(e as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped && this.repo.nextToRun()) setTimeout(() => this.kick(), 1000).unref();
      });
  }

  private async runAll(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const job = this.repo.nextToRun();
      if (!job) return;
      await this.runJob(job.id);
    }
  }

  private async runJob(jobId: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const job = this.repo.find(jobId);
      if (!job || ENDED.includes(job.state)) break;
      const [item] = this.repo.items(jobId, ['queued'], 1);
      if (!item) break;
      await this.runItem(job, item);
    }
    this.settle(jobId);
  }

  private async runItem(job: JobRow, item: JobItemRow): Promise<void> {
    this.current = { jobId: job.id, ordinal: item.ordinal };
    const at: { stage: 'parsing' | 'chunking' } = { stage: 'parsing' };
    let parseMs: number | undefined;
    let chunkStarted = 0;
    const parseStart = performance.now();
    try {
      this.stage(job.id, item.ordinal, 'parsing');
      const doc = await this.loader.load(job, item, (p) => {
        if (this.current?.jobId !== job.id || this.current.ordinal !== item.ordinal) return;
        this.current.ocr = { pagesDone: p.ocrPagesDone, pages: p.ocrPages };
        this.events.changed(job.id);
      });
      parseMs = performance.now() - parseStart;
      if (this.cancelled(job.id)) return;
      chunkStarted = performance.now();
      await this.documents.storeForJob(
        job.collection_id,
        { ...doc, id: item.document_id },
        (stored) => {
          if (this.cancelled(job.id)) throw new JobCancelled();
          const waits = stored.outcome === 'created' && stored.chunks > 0;
          this.repo.markStored(job.id, item.ordinal, {
            state: waits ? 'embedding' : 'done',
            outcome: stored.outcome,
            documentPk: stored.pk,
            chunks: stored.chunks,
            parseMs: parseMs ?? 0,
            chunkMs: stored.chunkMs,
            storeMs: stored.storeMs,
          });
        },
        () => {
          at.stage = 'chunking';
          this.stage(job.id, item.ordinal, 'chunking');
        },
      );
    } catch (e) {
      if (e instanceof JobCancelled || this.cancelled(job.id)) return;
      if (!this.repo.find(job.id)) return; // deleted with its collection
      const failedStage =
        e instanceof DocumentConflictError || e instanceof StorageFaultError ? 'storing' : at.stage;
      const fault = this.storage.fault(e, `ingest item ${item.ordinal} of job ${job.id}`);
      const error = fault ?? e;
      const code = error instanceof DomainError ? error.code : 'internal_error';
      const message = error instanceof Error ? error.message : String(error);
      const chunkMs = failedStage === 'chunking' ? performance.now() - chunkStarted : undefined;
      this.repo.failItem(job.id, item.ordinal, {
        stage: failedStage,
        code,
        message,
        parseMs: parseMs ?? performance.now() - parseStart,
        chunkMs,
      });
      if (!(error instanceof DomainError))
        this.logger.warn(
          `Job ${job.id}, item ${item.ordinal} (${item.source ?? item.document_id}) failed while ${failedStage}: ${message}`,
        );
    } finally {
      this.current = undefined;
      this.events.changed(job.id);
    }
  }

  private stage(jobId: string, ordinal: number, state: 'parsing' | 'chunking'): void {
    this.database.transaction(() => {
      if (this.cancelled(jobId)) return;
      this.repo.setItemState(jobId, ordinal, state);
      this.repo.setState(jobId, state);
    });
    this.events.changed(jobId);
  }

  private cancelled(jobId: string): boolean {
    const job = this.repo.find(jobId);
    return !job || job.state === 'cancelled';
  }

  /** After its items were run: the job waits for vectors, or ends (failed when every item failed). */
  private settle(jobId: string): void {
    const job = this.repo.find(jobId);
    if (!job) return;
    const counts = this.repo.counts(jobId);
    if (counts.queued + counts.running > 0) return;
    if (!ENDED.includes(job.state)) {
      if (counts.embedding > 0) {
        if (job.state !== 'embedding') this.repo.setState(jobId, 'embedding');
      } else if (counts.failed === counts.total) {
        this.repo.setState(jobId, 'failed', `all ${counts.total} items failed`);
      } else {
        this.repo.setState(jobId, 'done');
      }
    }
    if (this.current?.jobId !== jobId) this.spool.remove(jobId);
    this.events.changed(jobId, ENDED.includes(this.repo.find(jobId)?.state ?? 'done'));
  }

  /** Items whose chunks all have vectors are done; their jobs may end. */
  private settleEmbedded(): void {
    if (this.stopped) return;
    for (const jobId of this.repo.finishEmbedded()) this.settle(jobId);
  }

  private touched(jobIds: readonly string[]): void {
    for (const id of jobIds) this.settle(id);
  }

  private onBatch(collectionId: number, modelMs: number): void {
    for (const id of this.repo.addEmbedMs(collectionId, modelMs)) this.events.changed(id);
  }

  /** A listener of the embedding queue must not throw into it. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!this.storage.fault(e))
        this.logger.error(`Job bookkeeping failed: ${(e as Error).message}`);
    }
  }
}
