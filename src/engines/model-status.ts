import type { Dtype } from '../config/settings';

/** What a model is used for. */
export type ModelTask = 'embedding' | 'generation' | 'reranking';

/** Which model, at which precision. */
export interface ModelRef {
  id: string;
  dtype: Dtype;
}

export type ModelState = 'not_loaded' | 'loading' | 'ready' | 'unavailable';

/** What an engine says of one of its models. */
export interface ModelStatus {
  id: string;
  task: ModelTask;
  dtype: Dtype;
  /** Where it runs: 'cpu' for an in-process model, 'memory' for the in-memory engines. */
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
}
