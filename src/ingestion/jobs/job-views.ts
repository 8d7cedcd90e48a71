import { ENDED, JobCounts, JobItemRow, JobRow, JobState } from '../../database/jobs.repository';

export interface JobItemError {
  ordinal: number;
  source: string | null;
  documentId: string;
  /** Where it failed: parsing (includes fetching a URL and reading the file), chunking or storing. */
  stage: string;
  code: string;
  message: string;
}

/** OCR progress of the item being parsed: pages read so far, of those to read. */
export interface OcrPagesView {
  pagesDone: number;
  pages: number;
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
    ocr?: OcrPagesView;
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

/**
 * A job as clients see it, from its row, its item counts, its failed items (the first 100) and the
 * item being worked on, if any.
 */
export function jobView(
  job: JobRow,
  counts: JobCounts,
  failed: readonly JobItemRow[],
  current: JobItemRow | undefined,
  ocr?: OcrPagesView,
): JobView {
  const created = Date.parse(job.created_at);
  const started = job.started_at ? Date.parse(job.started_at) : undefined;
  const end = job.finished_at ? Date.parse(job.finished_at) : Date.now();
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
            ...(ocr ? { ocr } : {}),
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

export function itemView(r: JobItemRow): JobItemView {
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
