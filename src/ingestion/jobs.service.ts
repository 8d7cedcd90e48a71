import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import {
  DocumentConflictError,
  DomainError,
  InvalidInputError,
  JobFinishedError,
  JobNotFoundError,
  JobQueueFullError,
  StorageFaultError,
} from '../common/errors';
import { StorageMonitor } from '../common/storage-monitor.service';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionsService } from '../collections/collections.service';
import type { CollectionRow } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import {
  ENDED,
  JobCounts,
  JobItemRow,
  JobRow,
  JobState,
  JobsRepository,
  NewJobItem,
} from '../database/jobs.repository';
import { DocumentsService, IncomingDocument } from './documents.service';
import { EmbeddingQueueService } from './embedding-queue.service';
import { JobSpool, SpoolInput } from './job-spool';
import {
  FileFields,
  ParseRequestOptions,
  ParsingService,
  documentFromParsed,
} from './parsing.service';
import { UrlIngestionService } from './url-ingestion.service';

/** One input of a new job. */
export type JobInput =
  | {
      kind: 'file';
      uploaded: string;
      filename: string;
      mimeType: string;
      bytes: number;
      fields: FileFields;
    }
  | { kind: 'text'; document: IncomingDocument }
  | { kind: 'url'; url: string; fields: FileFields };

export interface JobItemError {
  ordinal: number;
  source: string | null;
  documentId: string;
  /** Where it failed: parsing (includes fetching a URL and reading the file), chunking or storing. */
  stage: string;
  code: string;
  message: string;
}

export interface JobView {
  id: string;
  collection: string;
  state: JobState;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Items (files, texts, URLs) by state. */
  items: {
    total: number;
    queued: number;
    running: number;
    embedding: number;
    done: number;
    failed: number;
    cancelled: number;
  };
  /** Chunks of the documents stored so far, and how many of them have their vector. */
  chunks: { total: number; embedded: number };
  /** Items ended (done, failed or cancelled) over all items, 0 to 1. */
  progress: number;
  /** The item being parsed or chunked now; `ocr`: its pages read by OCR so far, of those to read. */
  current: {
    ordinal: number;
    source: string | null;
    stage: JobState;
    ocr?: { pagesDone: number; pages: number };
  } | null;
  /**
   * Milliseconds: waiting in the queue; since it started (to its end); parsing, chunking and
   * storing summed over items; the embedding model's time on the collection's passages while the
   * job ran (embedding overlaps parsing, so the parts add up to more than the elapsed time).
   */
  timings: {
    queuedMs: number;
    elapsedMs: number;
    parseMs: number;
    chunkMs: number;
    storeMs: number;
    embedMs: number;
  };
  /** The items that failed, at most the first 100 (all of them: GET /v1/jobs/{id}/items?state=failed). */
  errors: JobItemError[];
}

export interface JobItemView {
  ordinal: number;
  kind: string;
  documentId: string;
  source: string | null;
  contentType: string | null;
  bytes: number;
  state: JobState;
  /** Once stored: 'created', or 'unchanged' when the same document was already there. */
  outcome: string | null;
  chunks: number | null;
  error: { stage: string; code: string; message: string } | null;
  note: string | null;
  timings: { parseMs: number | null; chunkMs: number | null; storeMs: number | null };
  storedAt: string | null;
  finishedAt: string | null;
}

/** The progress events of a job go out at most this often. */
const EVENT_EVERY_MS = 250;
const SETTLE_EVERY_MS = 1000;
/** Ended jobs are listed for 30 days, then forgotten at the next start (their documents stay). */
const KEEP_ENDED_MS = 30 * 86_400_000;

/** Thrown inside the storing transaction when the job was cancelled meanwhile: nothing is stored. */
class JobCancelled extends Error {}

/**
 * Background ingestion jobs. A job's inputs are spooled to disk and the job committed to SQLite
 * before it is acknowledged (202). One job runs at a time, item by item: parse (in the parsing
 * worker), chunk (yielding to the event loop), store (one transaction with the item's state); the
 * chunks are embedded by the embedding queue meanwhile, so the model works while the next file is
 * parsed. An item that fails, fails alone with its stage and reason. Each item's document id is
 * fixed when the job is accepted, so a job resumed after a restart finds what it had stored
 * ('unchanged') instead of storing it twice.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  readonly spool: JobSpool;
  private readonly changes = new EventEmitter();
  private readonly lastEvent = new Map<string, number>();
  private readonly eventTimers = new Map<string, NodeJS.Timeout>();
  private running: Promise<void> | undefined;
  private current:
    { jobId: string; ordinal: number; ocr?: { pagesDone: number; pages: number } } | undefined;
  private stopped = false;
  private settleTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly repo: JobsRepository,
    private readonly database: DatabaseService,
    private readonly collections: CollectionsService,
    private readonly documents: DocumentsService,
    private readonly parsing: ParsingService,
    private readonly urls: UrlIngestionService,
    private readonly queue: EmbeddingQueueService,
    private readonly storage: StorageMonitor,
  ) {
    this.spool = new JobSpool(path.join(settings.storageDir, 'jobs'));
    this.changes.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
    this.spool.prepare();
    const known = this.repo.ids();
    for (const id of this.spool.jobIds()) {
      const job = known.has(id) ? this.repo.find(id) : undefined;
      if (!job || ENDED.includes(job.state)) this.spool.remove(id);
    }
    const purged = this.repo.purgeEnded(new Date(Date.now() - KEEP_ENDED_MS).toISOString());
    if (purged > 0)
      this.logger.log(
        `Forgot ${purged} ingestion jobs that ended more than 30 days ago (their documents stay)`,
      );
    for (const d of this.documents.incomplete())
      this.documents.removeIncomplete(d.collection_id, d.pk);
    const requeued = this.repo.requeueInterrupted();
    const unfinished = this.repo.unfinished().length;
    if (unfinished > 0)
      this.logger.log(
        `Resuming ${unfinished} ingestion jobs (${requeued} items were interrupted and start again)`,
      );
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
    for (const t of this.eventTimers.values()) clearTimeout(t);
    await this.running;
  }

  /** Throws unless a job for the collection would be taken now: 404 for no such collection, 429 when the queue is full. */
  admit(collectionName: string): CollectionRow {
    const collection = this.collections.row(collectionName);
    const limit = this.settings.jobs.queueLimit;
    if (this.repo.unfinishedCount() >= limit)
      throw new JobQueueFullError(limit, this.retryAfterSeconds());
    return collection;
  }

  /** Validates, spools and commits a job; it is then acknowledged (202) and runs in the background. */
  async create(collectionName: string, inputs: readonly JobInput[]): Promise<JobView> {
    const collection = this.admit(collectionName);
    if (inputs.length === 0)
      throw new InvalidInputError('A job needs at least one file, document or URL');
    const items = inputs.map(toJobItem);
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.documentId))
        throw new InvalidInputError(`Document id '${it.documentId}' appears twice in the job`);
      seen.add(it.documentId);
    }
    const id = randomUUID();
    try {
      await this.spool.write(
        id,
        inputs.flatMap((input, ordinal): SpoolInput[] =>
          input.kind === 'file'
            ? [{ ordinal, uploaded: input.uploaded }]
            : input.kind === 'text'
              ? [{ ordinal, json: input.document }]
              : [],
        ),
      );
      this.database.transaction(() => this.repo.insert(id, collection.id, items));
    } catch (e) {
      this.spool.remove(id);
      throw e;
    }
    this.logger.log(`Job ${id}: ${items.length} items for collection ${collectionName}`);
    this.kick();
    return this.view(id);
  }

  view(id: string): JobView {
    const job = this.repo.find(id);
    if (!job) throw new JobNotFoundError(id);
    return this.toView(job, this.repo.counts(id));
  }

  list(
    filter: { collection?: string; state?: JobState },
    limit: number,
    offset: number,
  ): JobView[] {
    const collectionId =
      filter.collection === undefined ? undefined : this.collections.row(filter.collection).id;
    return this.repo
      .list({ collectionId, state: filter.state }, limit, offset)
      .map((j) => this.toView(j, this.repo.counts(j.id)));
  }

  items(
    id: string,
    state: JobState | undefined,
    limit: number,
    offset: number,
  ): { total: number; items: JobItemView[] } {
    if (!this.repo.find(id)) throw new JobNotFoundError(id);
    return {
      total: this.repo.countItems(id, state),
      items: this.repo.items(id, state ? [state] : undefined, limit, offset).map(itemView),
    };
  }

  /**
   * Cancels a job: items not yet stored are cancelled (an item being parsed is dropped before it is
   * stored); documents already stored stay, and are embedded.
   */
  cancel(id: string): JobView {
    const job = this.repo.find(id);
    if (!job) throw new JobNotFoundError(id);
    if (ENDED.includes(job.state)) throw new JobFinishedError(id, job.state);
    this.database.transaction(() => {
      this.repo.cancelItems(id);
      this.repo.setState(id, 'cancelled', 'cancelled by request');
    });
    if (this.current?.jobId !== id) this.spool.remove(id);
    this.changed(id, true);
    return this.view(id);
  }

  /** Calls `listener` (at most every 250 ms, and at once when the job ends) until it unsubscribes. */
  watch(id: string, listener: (view: JobView) => void): () => void {
    const handler = () => {
      try {
        listener(this.view(id));
      } catch {
        // the job was deleted with its collection: the watcher notices on its own
      }
    };
    this.changes.on(id, handler);
    return () => this.changes.off(id, handler);
  }

  /** Starts the runner unless it runs. */
  private kick(): void {
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
      const doc = await this.load(job, item);
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
      this.changed(job.id);
    }
  }

  /** The item's document: a spooled file parsed in the worker, a spooled text, or a URL fetched and parsed. */
  private async load(job: JobRow, item: JobItemRow): Promise<IncomingDocument> {
    const fields = JSON.parse(item.fields) as FileFields;
    const options: ParseRequestOptions = {
      ...(fields.textFields ? { textFields: fields.textFields } : {}),
      ...(fields.ocrLangs ? { ocrLanguages: fields.ocrLangs } : {}),
      onProgress: (p) => {
        if (this.current?.jobId !== job.id || this.current.ordinal !== item.ordinal) return;
        this.current.ocr = { pagesDone: p.ocrPagesDone, pages: p.ocrPages };
        this.changed(job.id);
      },
    };
    switch (item.kind) {
      case 'text':
        return this.spool.readJson<IncomingDocument>(job.id, item.ordinal);
      case 'file': {
        const filename = item.source ?? 'upload';
        const parsed = await this.parsing.parseStored(
          this.spool.fileOf(job.id, item.ordinal),
          filename,
          item.content_type ?? '',
          options,
        );
        return documentFromParsed(parsed, filename, filename, fields);
      }
      case 'url': {
        const fetched = await this.urls.fetch(item.source ?? '');
        const mimeType = fetched.contentType?.split(';')[0]?.trim() ?? 'application/octet-stream';
        const filename = fetched.fileName ?? new URL(fetched.url).hostname;
        const parsed = await this.parsing.parse(
          { data: fetched.body, filename, mimeType },
          options,
        );
        return documentFromParsed(parsed, filename, fetched.url, {
          ...fields,
          metadata: { ...fields.metadata, url: fetched.url },
        });
      }
    }
  }

  private stage(jobId: string, ordinal: number, state: 'parsing' | 'chunking'): void {
    this.database.transaction(() => {
      if (this.cancelled(jobId)) return;
      this.repo.setItemState(jobId, ordinal, state);
      this.repo.setState(jobId, state);
    });
    this.changed(jobId);
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
    this.changed(jobId, ENDED.includes(this.repo.find(jobId)?.state ?? 'done'));
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
    for (const id of this.repo.addEmbedMs(collectionId, modelMs)) this.changed(id);
  }

  /** Tells watchers, at most every EVENT_EVERY_MS per job (at once when `now`). */
  private changed(jobId: string, now = false): void {
    if (this.changes.listenerCount(jobId) === 0) return;
    const wait = EVENT_EVERY_MS - (Date.now() - (this.lastEvent.get(jobId) ?? 0));
    if (now || wait <= 0) {
      clearTimeout(this.eventTimers.get(jobId));
      this.eventTimers.delete(jobId);
      this.lastEvent.set(jobId, Date.now());
      this.changes.emit(jobId);
      return;
    }
    if (this.eventTimers.has(jobId)) return;
    const timer = setTimeout(() => {
      this.eventTimers.delete(jobId);
      this.lastEvent.set(jobId, Date.now());
      this.changes.emit(jobId);
    }, wait);
    timer.unref();
    this.eventTimers.set(jobId, timer);
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

  /** A guess for Retry-After when the queue is full: the running job's pace, within 5 s to 5 min. */
  private retryAfterSeconds(): number {
    const running = this.repo.unfinished()[0];
    if (!running?.started_at) return 30;
    const counts = this.repo.counts(running.id);
    const ended = counts.done + counts.failed + counts.cancelled + counts.embedding;
    const elapsed = (Date.now() - Date.parse(running.started_at)) / 1000;
    const left = ended === 0 ? 60 : (elapsed / ended) * (counts.total - ended);
    return Math.round(Math.min(300, Math.max(5, left)));
  }

  private toView(job: JobRow, counts: JobCounts): JobView {
    const created = Date.parse(job.created_at);
    const started = job.started_at ? Date.parse(job.started_at) : undefined;
    const end = job.finished_at ? Date.parse(job.finished_at) : Date.now();
    const failed = this.repo.items(job.id, ['failed'], 100);
    const current =
      this.current?.jobId === job.id ? this.repo.item(job.id, this.current.ordinal) : undefined;
    const ended = counts.done + counts.failed + counts.cancelled;
    return {
      id: job.id,
      collection: job.collection_name,
      state: job.state,
      error: job.error,
      createdAt: job.created_at,
      startedAt: job.started_at,
      finishedAt: job.finished_at,
      items: {
        total: counts.total,
        queued: counts.queued,
        running: counts.running,
        embedding: counts.embedding,
        done: counts.done,
        failed: counts.failed,
        cancelled: counts.cancelled,
      },
      chunks: { total: counts.chunks, embedded: counts.chunksEmbedded },
      progress: counts.total === 0 ? 1 : ended / counts.total,
      current:
        current && !ENDED.includes(current.state)
          ? {
              ordinal: current.ordinal,
              source: current.source,
              stage: current.state,
              ...(this.current?.ocr ? { ocr: this.current.ocr } : {}),
            }
          : null,
      timings: {
        queuedMs: (started ?? end) - created,
        elapsedMs: started === undefined ? 0 : end - started,
        parseMs: Math.round(counts.parseMs),
        chunkMs: Math.round(counts.chunkMs),
        storeMs: Math.round(counts.storeMs),
        embedMs: Math.round(job.embed_ms),
      },
      errors: failed.map((r) => ({
        ordinal: r.ordinal,
        source: r.source,
        documentId: r.document_id,
        stage: r.error_stage ?? 'unknown',
        code: r.error_code ?? 'internal_error',
        message: r.error ?? '',
      })),
    };
  }
}

function toJobItem(input: JobInput): NewJobItem {
  switch (input.kind) {
    case 'file':
      return {
        kind: 'file',
        documentId: input.fields.id ?? randomUUID(),
        source: input.filename,
        contentType: input.mimeType,
        bytes: input.bytes,
        fields: { ...input.fields, id: undefined },
      };
    case 'text':
      return {
        kind: 'text',
        documentId: input.document.id ?? randomUUID(),
        source: input.document.source ?? null,
        contentType: 'text/plain',
        bytes: Buffer.byteLength(input.document.text),
        fields: {},
      };
    case 'url':
      return {
        kind: 'url',
        documentId: input.fields.id ?? randomUUID(),
        source: input.url,
        contentType: null,
        bytes: 0,
        fields: { ...input.fields, id: undefined },
      };
  }
}

function itemView(r: JobItemRow): JobItemView {
  return {
    ordinal: r.ordinal,
    kind: r.kind,
    documentId: r.document_id,
    source: r.source,
    contentType: r.content_type,
    bytes: r.bytes,
    state: r.state,
    outcome: r.outcome,
    chunks: r.chunks,
    error: r.error_code
      ? { stage: r.error_stage ?? 'unknown', code: r.error_code, message: r.error ?? '' }
      : null,
    note: r.note,
    timings: {
      parseMs: roundMs(r.parse_ms),
      chunkMs: roundMs(r.chunk_ms),
      storeMs: roundMs(r.store_ms),
    },
    storedAt: r.stored_at,
    finishedAt: r.finished_at,
  };
}

const roundMs = (ms: number | null): number | null =>
  ms === null ? null : Math.round(ms * 10) / 10;
