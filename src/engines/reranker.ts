import { InferenceEngine } from './inference-engine';
import type { ModelRef } from './model-status';

/**
 * The reranking port: a query and passages in, one relevance score per passage out, in the order
 * given (higher is more relevant; a cross-encoder's raw logit, so a sigmoid gives 0-1).
 */
export abstract class Reranker extends InferenceEngine {
  abstract rerank(model: ModelRef, query: string, passages: string[]): Promise<number[]>;
}
