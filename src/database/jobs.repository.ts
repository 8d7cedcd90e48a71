import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export const JOB_STATES = [
  'queued',
  'parsing',
  'chunking',
  'embedding',
  'done',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];
/** The states a job or an item no longer leaves. */
export const ENDED: readonly JobState[] = ['done', 'failed', 'cancelled'];
export type JobItemKind = 'file' | 'text' | 'url';

export interface JobRow {
  id: string;
  collection_id: number;
  collection_name: string;
  state: JobState;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  embed_ms: number;
}

export interface JobItemRow {
  job_id: string;
  ordinal: number;
  kind: JobItemKind;
  document_id: string;
  source: string | null;
  content_type: string | null;
  bytes: number;
  fields: string;
  state: JobState;
  error_stage: string | null;
  error_code: string | null;
  error: string | null;
  note: string | null;
  outcome: 'created' | 'unchanged' | null;
  document_pk: number | null;
  chunks: number | null;
  parse_ms: number | null;
  chunk_ms: number | null;
  store_ms: number | null;
  stored_at: string | null;
  finished_at: string | null;
}

export interface NewJobItem {
  kind: JobItemKind;
  documentId: string;
  source: string | null;
  contentType: string | null;
  bytes: number;
  fields: Record<string, unknown>;
}

export interface JobCounts {
  total: number;
  queued: number;
  running: number;
  embedding: number;
  done: number;
  failed: number;
  cancelled: number;
  chunks: number;
  /** Chunks of the job's stored documents that have a vector. */
  chunksEmbedded: number;
  parseMs: number;
  chunkMs: number;
  storeMs: number;
}

const JOB_SELECT = `SELECT j.*, c.name AS collection_name FROM jobs j JOIN collections c ON c.id = j.collection_id`;
const now = () => new Date().toISOString();

/** SQL in, rows out: ingestion jobs and their items. */
@Injectable()
export class JobsRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Call inside a transaction. */
  insert(id: string, collectionId: number, items: readonly NewJobItem[]): void {
    this.db
      .prepare(`INSERT INTO jobs (id, collection_id, state, created_at) VALUES (?, ?, 'queued', ?)`)
      .run(id, collectionId, now());
    const insert = this.db.prepare(
      `INSERT INTO job_items (job_id, ordinal, kind, document_id, source, content_type, bytes, fields, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued')`,
    );
    items.forEach((it, i) =>
      insert.run(
        id,
        i,
        it.kind,
        it.documentId,
        it.source,
        it.contentType,
        it.bytes,
        JSON.stringify(it.fields),
      ),
    );
  }

  find(id: string): JobRow | undefined {
    return this.db.prepare(`${JOB_SELECT} WHERE j.id = ?`).get(id) as JobRow | undefined;
  }

  list(
    filter: { collectionId?: number; state?: JobState },
    limit: number,
    offset: number,
  ): JobRow[] {
    return this.db
      .prepare(
        `${JOB_SELECT} WHERE (@collection IS NULL OR j.collection_id = @collection) AND (@state IS NULL OR j.state = @state)
         ORDER BY j.created_at DESC, j.id LIMIT @limit OFFSET @offset`,
      )
      .all({
        collection: filter.collectionId ?? null,
        state: filter.state ?? null,
        limit,
        offset,
      }) as JobRow[];
  }

  /** Jobs not ended, oldest first: the queue, with the running one first. */
  unfinished(): JobRow[] {
    return this.db
      .prepare(
        `${JOB_SELECT} WHERE j.state NOT IN ('done', 'failed', 'cancelled') ORDER BY j.created_at, j.id`,
      )
      .all() as JobRow[];
  }

  unfinishedCount(): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM jobs WHERE state NOT IN ('done', 'failed', 'cancelled')`,
        )
        .get() as { n: number }
    ).n;
  }

  /** Ids of every job, for clearing spool folders of jobs that no longer exist. */
  ids(): Set<string> {
    return new Set(
      (this.db.prepare('SELECT id FROM jobs').all() as { id: string }[]).map((r) => r.id),
    );
  }

  items(jobId: string, states?: readonly JobState[], limit = -1, offset = 0): JobItemRow[] {
    return this.db
      .prepare(
        `SELECT * FROM job_items WHERE job_id = ? AND (? IS NULL OR state IN (SELECT value FROM json_each(?)))
         ORDER BY ordinal LIMIT ? OFFSET ?`,
      )
      .all(jobId, states ? 1 : null, JSON.stringify(states ?? []), limit, offset) as JobItemRow[];
  }

  countItems(jobId: string, state?: JobState): number {
    return (
      this.db
        .prepare(
          'SELECT COUNT(*) AS n FROM job_items WHERE job_id = ? AND (? IS NULL OR state = ?)',
        )
        .get(jobId, state ?? null, state ?? null) as { n: number }
    ).n;
  }

  item(jobId: string, ordinal: number): JobItemRow | undefined {
    return this.db
      .prepare('SELECT * FROM job_items WHERE job_id = ? AND ordinal = ?')
      .get(jobId, ordinal) as JobItemRow | undefined;
  }

  counts(jobId: string): JobCounts {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS total,
                COALESCE(SUM(state = 'queued'), 0) AS queued,
                COALESCE(SUM(state IN ('parsing', 'chunking')), 0) AS running,
                COALESCE(SUM(state = 'embedding'), 0) AS embedding,
                COALESCE(SUM(state = 'done'), 0) AS done,
                COALESCE(SUM(state = 'failed'), 0) AS failed,
                COALESCE(SUM(state = 'cancelled'), 0) AS cancelled,
                COALESCE(SUM(chunks), 0) AS chunks,
                COALESCE(SUM(CASE WHEN document_pk IS NULL THEN 0 ELSE
                  (SELECT COUNT(*) FROM chunks c WHERE c.document_pk = i.document_pk AND c.embedded = 1) END), 0) AS chunksEmbedded,
                COALESCE(SUM(parse_ms), 0) AS parseMs,
                COALESCE(SUM(chunk_ms), 0) AS chunkMs,
                COALESCE(SUM(store_ms), 0) AS storeMs
         FROM job_items i WHERE job_id = ?`,
      )
      .get(jobId) as JobCounts;
  }

  setState(id: string, state: JobState, error: string | null = null): void {
    const ended = ENDED.includes(state);
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error = COALESCE(?, error),
           started_at = CASE WHEN started_at IS NULL AND ? <> 'queued' THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE finished_at END
         WHERE id = ?`,
      )
      .run(state, error, state, now(), ended ? 1 : 0, now(), id);
  }

  setItemState(jobId: string, ordinal: number, state: JobState): void {
    const ended = ENDED.includes(state);
    this.db
      .prepare(
        `UPDATE job_items SET state = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE job_id = ? AND ordinal = ?`,
      )
      .run(state, ended ? 1 : 0, now(), jobId, ordinal);
  }

  /** Call inside the transaction that stores the item's document. */
  markStored(
    jobId: string,
    ordinal: number,
    r: {
      state: JobState;
      outcome: 'created' | 'unchanged';
      documentPk: number;
      chunks: number;
      parseMs: number;
      chunkMs: number;
      storeMs: number;
    },
  ): void {
    const ended = ENDED.includes(r.state);
    this.db
      .prepare(
        `UPDATE job_items SET state = ?, outcome = ?, document_pk = ?, chunks = ?, parse_ms = ?, chunk_ms = ?, store_ms = ?,
           stored_at = ?, finished_at = CASE WHEN ? THEN ? ELSE NULL END
         WHERE job_id = ? AND ordinal = ?`,
      )
      .run(
        r.state,
        r.outcome,
        r.documentPk,
        r.chunks,
        r.parseMs,
        r.chunkMs,
        r.storeMs,
        now(),
        ended ? 1 : 0,
        now(),
        jobId,
        ordinal,
      );
  }

  failItem(
    jobId: string,
    ordinal: number,
    f: { stage: string; code: string; message: string; parseMs?: number; chunkMs?: number },
  ): void {
    this.db
      .prepare(
        `UPDATE job_items SET state = 'failed', error_stage = ?, error_code = ?, error = ?, parse_ms = ?, chunk_ms = ?, finished_at = ?
         WHERE job_id = ? AND ordinal = ?`,
      )
      .run(f.stage, f.code, f.message, f.parseMs ?? null, f.chunkMs ?? null, now(), jobId, ordinal);
  }

  /** Items not yet stored are cancelled; stored ones go on being embedded. Returns how many were cancelled. */
  cancelItems(jobId: string): number {
    return this.db
      .prepare(
        `UPDATE job_items SET state = 'cancelled', finished_at = ? WHERE job_id = ? AND state IN ('queued', 'parsing', 'chunking')`,
      )
      .run(now(), jobId).changes;
  }

  /** After a restart: items caught parsing or chunking start again (their document was not stored). */
  requeueInterrupted(): number {
    return this.db
      .prepare(`UPDATE job_items SET state = 'queued' WHERE state IN ('parsing', 'chunking')`)
      .run().changes;
  }

  /**
   * Items waiting for vectors whose document now has none pending, or is gone (deleted or replaced
   * since): marked done. Returns the jobs touched.
   */
  finishEmbedded(): string[] {
    const rows = this.db
      .prepare(
        `UPDATE job_items SET state = 'done', finished_at = ?
         WHERE state = 'embedding'
           AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_pk = job_items.document_pk AND c.embedded = 0)
         RETURNING job_id`,
      )
      .all(now()) as { job_id: string }[];
    return [...new Set(rows.map((r) => r.job_id))];
  }

  /**
   * Items of the collection's jobs still waiting for vectors when embedding cannot go on (no model,
   * storage full): marked done with the reason; their chunks are embedded when it can. Returns the jobs touched.
   */
  finishWaiting(collectionId: number, note: string): string[] {
    const rows = this.db
      .prepare(
        `UPDATE job_items SET state = 'done', note = ?, finished_at = ?
         WHERE state = 'embedding' AND job_id IN (SELECT id FROM jobs WHERE collection_id = ?)
         RETURNING job_id`,
      )
      .all(note, now(), collectionId) as { job_id: string }[];
    return [...new Set(rows.map((r) => r.job_id))];
  }

  /** Adds the model's time for a batch to the collection's jobs that are running; returns them. */
  addEmbedMs(collectionId: number, ms: number): string[] {
    return (
      this.db
        .prepare(
          `UPDATE jobs SET embed_ms = embed_ms + ? WHERE collection_id = ? AND state IN ('parsing', 'chunking', 'embedding') RETURNING id`,
        )
        .all(ms, collectionId) as { id: string }[]
    ).map((r) => r.id);
  }

  /** The oldest job with items still to parse. */
  nextToRun(): JobRow | undefined {
    return this.db
      .prepare(
        `${JOB_SELECT} WHERE j.state NOT IN ('done', 'failed', 'cancelled')
           AND EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = j.id AND i.state = 'queued')
         ORDER BY j.created_at, j.id LIMIT 1`,
      )
      .get() as JobRow | undefined;
  }

  /** Jobs in which some item waits for vectors. */
  waitingForVectors(): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT job_id FROM job_items WHERE state = 'embedding'`).all() as {
        job_id: string;
      }[]
    ).map((r) => r.job_id);
  }

  /** Ended jobs older than the cutoff, with their items (the documents stay). */
  purgeEnded(before: string): number {
    return this.db
      .prepare(
        `DELETE FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND finished_at < ?`,
      )
      .run(before).changes;
  }
}
