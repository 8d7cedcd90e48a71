import type { Dtype } from '../config/settings';

/** What a model is used for. */
export type ModelTask = 'embedding' | 'generation' | 'reranking';

/** Which model, at which precision. */
export interface ModelRef {
  id: string;
  dtype: Dtype;
}

export type ModelState = 'not_loaded' | 'loading' | 'ready' | 'unavailable';

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
}
