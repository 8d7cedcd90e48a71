import { Module } from '@nestjs/common';
import { ModelDownloads } from './adapters/transformers/download/model-downloads.service';
import { LocalModelPool } from './adapters/transformers/local-model-pool';
import { LocalTokenizers } from './adapters/transformers/local-tokenizers';
import { TransformersEmbeddingEngine } from './adapters/transformers/transformers-embedding-engine';
import { TransformersGenerator } from './adapters/transformers/transformers-generator';
import { TransformersReranker } from './adapters/transformers/transformers-reranker';
import { EmbeddingEngine } from './embedding-engine';
import { Generator } from './generator';
import { InferenceEngines } from './inference-engines';
import { Reranker } from './reranker';

/**
 * The inference ports and the adapters behind them. Today every model runs in-process
 * (transformers.js); remote OpenAI-compatible engines plug in here, chosen from the settings.
 */
@Module({
  providers: [
    ModelDownloads,
    LocalModelPool,
    LocalTokenizers,
    InferenceEngines,
    {
      provide: EmbeddingEngine,
      inject: [LocalModelPool, LocalTokenizers],
      useFactory: (pool: LocalModelPool, tokenizers: LocalTokenizers) =>
        new TransformersEmbeddingEngine(pool, tokenizers),
    },
    {
      provide: Generator,
      inject: [LocalModelPool, LocalTokenizers],
      useFactory: (pool: LocalModelPool, tokenizers: LocalTokenizers) =>
        new TransformersGenerator(pool, tokenizers),
    },
    {
      provide: Reranker,
      inject: [LocalModelPool],
      useFactory: (pool: LocalModelPool) => new TransformersReranker(pool),
    },
  ],
  exports: [EmbeddingEngine, Generator, Reranker, InferenceEngines, ModelDownloads],
})
export class EnginesModule {}
