/** Messages between the main thread and an inference worker (structured-clone safe). */
import type { Dtype } from '../../../config/settings';
import type { ChatMessage, GenerateResult } from '../../chat';
import type { ModelTask } from '../../model-status';

export type { ChatMessage, GenerateResult, ModelTask };

/** Most (query, passage) pairs a reranker runs in one forward pass. */
export const RERANK_BATCH_SIZE = 32;

export interface LoadRequest {
  op: 'load';
  task: ModelTask;
  model: string;
  dtype: Dtype;
  device: string;
  /** Loaded from here only (MODELS_DIR/<id>): downloads happen before, on the main thread. */
  modelsDir: string;
  /** ONNX Runtime intra-op threads of this model's session; 0 or absent: ONNX Runtime's default. */
  intraOpThreads?: number;
}

export interface EmbedRequest {
  op: 'embed';
  texts: string[];
  pooling: 'mean' | 'cls';
  normalize: boolean;
}

/**
 * Scores (query, text) pairs with a cross-encoder: `[CLS] query [SEP] text [SEP]`, padded and
 * truncated to the model's maximum input. At most RERANK_BATCH_SIZE texts per forward pass.
 */
export interface RerankRequest {
  op: 'rerank';
  query: string;
  texts: string[];
}

export interface GenerateRequest {
  op: 'generate';
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  /** Int32Array over a SharedArrayBuffer: the main thread sets [0] = 1 to stop generation. */
  cancel: SharedArrayBuffer;
}

export type WorkerRequest = LoadRequest | EmbedRequest | RerankRequest | GenerateRequest;

export interface LoadedInfo {
  /**
   * Maximum tokens per input the model accepts (embedding; reranking: query and text together) or
   * its context window (generation).
   */
  maxTokens: number;
  dim?: number;
  loadMs: number;
}

export interface EmbedResult {
  /** Row-major [texts.length x dim], transferred, not copied. */
  vectors: Float32Array;
  dim: number;
}

export interface RerankResult {
  /**
   * One relevance score per text, in the order given: the cross-encoder's raw logit (for a
   * two-label classifier, the log-odds logit[1] - logit[0]); higher is more relevant. Transferred.
   */
  scores: Float32Array;
}

/** The event a generation streams while it runs: a piece of text. */
export interface TokenEvent {
  text: string;
}
