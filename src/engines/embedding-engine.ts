import { InferenceEngine } from './inference-engine';
import type { ModelRef } from './model-status';
import type { TokenCounter } from './token-counter';

export interface Embeddings {
  /** One vector per text, in the order given. */
  vectors: Float32Array[];
  dim: number;
}

export interface EmbedOptions {
  /**
   * The server's own ingestion and re-embedding: never refused for a full queue
   * (EMBED_QUEUE_LIMIT bounds client requests only).
   */
  internal?: boolean;
}

/**
 * The embedding port: query and passage embedding (each with the model's own prefix), dimensions,
 * maximum input and token counting. Throws ModelUnavailableError when the model cannot be had and
 * ServerBusyError when its queue is full.
 */
export abstract class EmbeddingEngine extends InferenceEngine {
  abstract embedQueries(
    model: ModelRef,
    texts: string[],
    options?: EmbedOptions,
  ): Promise<Embeddings>;
  abstract embedPassages(
    model: ModelRef,
    texts: string[],
    options?: EmbedOptions,
  ): Promise<Embeddings>;
  /**
   * Counts tokens as the model sees a passage (prefix and special tokens included), with its
   * maximum input. Undefined when its tokenizer is not at hand (callers then estimate).
   */
  abstract passageTokenCounter(
    modelId: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined>;
}
