import { Injectable } from '@nestjs/common';
import { EmbeddingEngine, type EmbedOptions, type Embeddings } from '../../embedding-engine';
import type { ModelRef, ModelStatus } from '../../model-status';
import type { TokenCounter } from '../../token-counter';
import { LocalModelPool } from './local-model-pool';
import { LocalTokenizers } from './local-tokenizers';

/** Embedding models run in-process by transformers.js on ONNX Runtime, in worker threads. */
@Injectable()
export class TransformersEmbeddingEngine extends EmbeddingEngine {
  constructor(
    private readonly pool: LocalModelPool,
    private readonly tokenizers: LocalTokenizers,
  ) {
    super();
  }

  ensure(model: ModelRef): Promise<ModelStatus> {
    return this.pool.ensure('embedding', model.id, model.dtype);
  }

  status(model: ModelRef): ModelStatus {
    return this.pool.statusOf('embedding', model.id, model.dtype);
  }

  statuses(): ModelStatus[] {
    return this.pool.status().filter((s) => s.task === 'embedding');
  }

  unload(model: ModelRef): Promise<ModelStatus | undefined> {
    return this.pool.unload('embedding', model.id, model.dtype);
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
