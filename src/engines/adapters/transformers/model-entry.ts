import type { ModelStatus } from '../../model-status';
import { withDownload } from './download/download-format';
import type { DownloadJob } from './download/download-job';
import type { EmbedBatcher } from './embed-batcher';
import type { InferenceWorker } from './inference-worker';
import type { LoadedInfo } from './inference-protocol';

/** A worker and the calls queued on it, one at a time, in order. */
export interface Lane {
  worker: InferenceWorker;
  tail: Promise<unknown>;
  batcher?: EmbedBatcher;
}

/** One model of the pool, for one task and precision: its state, its workers, its queues. */
export interface Entry {
  status: ModelStatus;
  worker?: InferenceWorker;
  /**
   * Embedding models (EMBED_QUERY_WORKER): a second worker for queries, so a search does not wait
   * behind a batch of passages. Loaded after the first; until then queries use the first.
   */
  queryLane?: Lane;
  info?: LoadedInfo;
  loading?: Promise<void>;
  /** Its files being fetched into MODELS_DIR; it loads when they are all there. */
  fetching?: DownloadJob;
  failedAt?: number;
  /** Inference calls on one worker run one at a time, in order. */
  tail: Promise<unknown>;
  /** Embedding models: coalesces concurrent requests into batches. */
  batcher?: EmbedBatcher;
  /** Generation models: generations waiting or running. */
  generating: number;
}

/** Its state, with the download's progress (or last failure) while its files are fetched. */
export function entryStatus(e: Entry): ModelStatus {
  return e.fetching ? withDownload({ ...e.status }, e.fetching.view()) : { ...e.status };
}

/** Runs `fn` after the calls queued before it on this worker (one at a time, in order). */
export function inOrder<T>(lane: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  const run = lane.tail.then(fn, fn);
  lane.tail = run.catch(() => undefined);
  return run;
}

/**
 * The model waits for this download, then loads (`load`); a download that fails for good makes it
 * unavailable with the reason.
 */
export function followDownload(e: Entry, job: DownloadJob, load: () => Promise<void>): void {
  e.fetching = job;
  e.failedAt = undefined;
  e.status = { ...e.status, state: 'downloading', reason: undefined };
  void job.done.then(
    () => {
      if (e.fetching !== job) return;
      e.fetching = undefined;
      e.loading ??= load().finally(() => (e.loading = undefined));
    },
    (err: unknown) => {
      if (e.fetching !== job) return;
      e.fetching = undefined;
      e.failedAt = Date.now();
      const reason = `download failed: ${err instanceof Error ? err.message : String(err)}`;
      e.status = { ...e.status, state: 'unavailable', reason };
    },
  );
}
