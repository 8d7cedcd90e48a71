import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  InvalidInputError,
  JobFinishedError,
  JobNotFoundError,
  JobQueueFullError,
} from '../../common/errors';
import type { Settings } from '../../config/settings';
import { SETTINGS } from '../../config/settings.provider';
import { CollectionsService } from '../../collections/collections.service';
import type { CollectionRow } from '../../database/collections.repository';
import { DatabaseService } from '../../database/database.service';
import { ENDED, JobRow, JobState, JobsRepository } from '../../database/jobs.repository';
import { JobSpool, SpoolInput } from './job-spool';
import { JobEvents } from './job-events';
import { JobInput, toJobItem } from './job-input';
import { JobRunner } from './job-runner.service';
import { JobItemView, JobView, itemView, jobView } from './job-views';

/**
 * Background ingestion jobs as clients see them: admission (404, 429 with a Retry-After from the
 * running job's pace), acceptance (inputs spooled to disk and the job committed to SQLite before
 * the 202; each item's document id fixed then), views, cancel and watching. JobRunner runs them.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly repo: JobsRepository,
    private readonly database: DatabaseService,
    private readonly collections: CollectionsService,
    readonly spool: JobSpool,
    private readonly runner: JobRunner,
    private readonly events: JobEvents,
  ) {}

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
    this.runner.kick();
    return this.view(id);
  }

  view(id: string): JobView {
    const job = this.repo.find(id);
    if (!job) throw new JobNotFoundError(id);
    return this.toView(job);
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
      .map((j) => this.toView(j));
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
    if (this.runner.current?.jobId !== id) this.spool.remove(id);
    this.events.changed(id, true);
    return this.view(id);
  }

  /** Calls `listener` (at most every 250 ms, and at once when the job ends) until it unsubscribes. */
  watch(id: string, listener: (view: JobView) => void): () => void {
    return this.events.subscribe(id, () => {
      try {
        listener(this.view(id));
      } catch {
        // the job was deleted with its collection: the watcher notices on its own
      }
    });
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

  private toView(job: JobRow): JobView {
    const current = this.runner.current;
    return jobView(
      job,
      this.repo.counts(job.id),
      this.repo.items(job.id, ['failed'], 100),
      current?.jobId === job.id ? this.repo.item(job.id, current.ordinal) : undefined,
      current?.jobId === job.id ? current.ocr : undefined,
    );
  }
}
