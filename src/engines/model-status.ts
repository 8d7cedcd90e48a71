import type { Dtype } from '../config/settings';

/** What a model is used for. */
export type ModelTask = 'embedding' | 'generation' | 'reranking';

/** Which model, at which precision. */
export interface ModelRef {
  id: string;
  dtype: Dtype;
}

export type ModelState = 'not_loaded' | 'downloading' | 'loading' | 'ready' | 'unavailable';

/** One replica of a remote model, as /health and /v1/models show it. */
export interface ReplicaStatus {
  url: string;
  /** unknown: not reached yet; up: in service; down: out of service, probed back in with backoff. */
  state: 'unknown' | 'up' | 'down';
  inFlight: number;
  /** Moving average of its successful calls, ms (null before the first). */
  latencyMs: number | null;
  requests: number;
  failures: number;
  lastError?: string;
  lastErrorAt?: string;
}

/** Where a remote model is served. */
export interface RemoteStatus {
  /** The name its servers know it by. */
  model: string;
  /** 'estimate', or the MODELS_DIR tokenizer that counts its tokens. */
  tokenCounter: string;
  replicas: ReplicaStatus[];
}

/** What an engine says of one of its models. */
export interface ModelStatus {
  id: string;
  task: ModelTask;
  dtype: Dtype;
  /** Where it runs: 'cpu' for an in-process model, 'remote', 'memory' for the in-memory engines. */
  device: string;
  state: ModelState;
  /** Why it is unavailable. */
  reason?: string;
  /** Most input tokens it takes (embedding, reranking) or its context size (generation). */
  maxTokens?: number;
  /** Embedding models: dimensions of a vector. */
  dim?: number;
  loadMs?: number;
  /** When it became ready (ISO time). */
  loadedAt?: string;
  /** A remote model: its servers' name for it, its token counter and its replicas. */
  remote?: RemoteStatus;
  /** While its files are fetched from the hub (state downloading, or unavailable between tries). */
  download?: DownloadProgress;
}

/** One file of a model download. */
export interface DownloadFileProgress {
  path: string;
  /** 'present': already in MODELS_DIR before this download. */
  state: 'pending' | 'downloading' | 'done' | 'present';
  bytesDone: number;
  bytesTotal: number | null;
}

/** A model's files being fetched from the hub into MODELS_DIR: how far, how fast, how long to go. */
export interface DownloadProgress {
  /**
   * listing: asking the hub which files there are; downloading; waiting: failed, tried again at
   * `retryAt`; failed: given up until asked again; done: every file in place and verified.
   */
  state: 'listing' | 'downloading' | 'waiting' | 'failed' | 'done';
  /** HF_ENDPOINT. */
  source: string;
  /** The commit the files come from, once the hub has said. */
  revision: string | null;
  /** Bytes of the files fetched (resumed bytes included), of all the files to fetch. */
  bytesDone: number;
  bytesTotal: number | null;
  /** 0-100, one decimal; null until the sizes are known. */
  percent: number | null;
  /** Over the last few seconds. */
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  files: DownloadFileProgress[];
  /** Tries so far (1 while the first runs). */
  attempt: number;
  startedAt: string;
  updatedAt: string;
  retryAt?: string;
  /** Why the last try failed. */
  error?: string;
}
