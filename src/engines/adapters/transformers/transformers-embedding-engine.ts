import { Injectable } from '@nestjs/common';
import { EmbeddingEngine, type EmbedOptions, type Embeddings } from '../../embedding-engine';
import type { ModelStates } from '../../inference-engine';
import type { ModelRef } from '../../model-status';
import type { TokenCounter } from '../../token-counter';
import { LocalModelPool } from './local-model-pool';
import { LocalTokenizers } from './local-tokenizers';

/** Embedding models run in-process by transformers.js on ONNX Runtime, in worker threads. */
@Injectable()
export class TransformersEmbeddingEngine extends EmbeddingEngine {
  protected readonly models: ModelStates;

  constructor(
    private readonly pool: LocalModelPool,
    private readonly tokenizers: LocalTokenizers,
  ) {
    super();
    this.models = pool.forTask('embedding');
  }

  embedQueries(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.pool.embed(model.id, model.dtype, texts, 'query', options?.internal);
  }

  embedPassages(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.pool.embed(model.id, model.dtype, texts, 'passage', options?.internal);
  }

  passageTokenCounter(
    modelId: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined> {
    return this.tokenizers.passageTokenCounter(modelId);
  }
}
