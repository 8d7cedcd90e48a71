import { Module } from '@nestjs/common';
import { RemoteEngines } from './adapters/remote/remote-engines';
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
import { RoutedEmbeddingEngine } from './routing/routed-embedding-engine';
import { RoutedGenerator } from './routing/routed-generator';
import { RoutedReranker } from './routing/routed-reranker';

/**
 * The inference ports and the adapters behind them: in-process (transformers.js) for every model,
 * and remote OpenAI-compatible servers for the models declared remote (*_ENDPOINT, MODELS_FILE),
 * with a facade per port that routes each model id to its adapter. With nothing remote, the
 * in-process adapters serve the ports directly.
 */
@Module({
  providers: [
    ModelDownloads,
    LocalModelPool,
    LocalTokenizers,
    RemoteEngines,
    InferenceEngines,
    {
      provide: EmbeddingEngine,
      inject: [LocalModelPool, LocalTokenizers, RemoteEngines],
      useFactory: (pool: LocalModelPool, tokenizers: LocalTokenizers, remote: RemoteEngines) => {
        const local = new TransformersEmbeddingEngine(pool, tokenizers);
        const r = remote.embedding;
        return r ? new RoutedEmbeddingEngine(local, r, new Set(r.remoteModels.ids())) : local;
      },
    },
    {
      provide: Generator,
      inject: [LocalModelPool, LocalTokenizers, RemoteEngines],
      useFactory: (pool: LocalModelPool, tokenizers: LocalTokenizers, remote: RemoteEngines) => {
        const local = new TransformersGenerator(pool, tokenizers);
        const r = remote.generation;
        return r ? new RoutedGenerator(local, r, new Set(r.remoteModels.ids())) : local;
      },
    },
    {
      provide: Reranker,
      inject: [LocalModelPool, RemoteEngines],
      useFactory: (pool: LocalModelPool, remote: RemoteEngines) => {
        const local = new TransformersReranker(pool);
        const r = remote.reranking;
        return r ? new RoutedReranker(local, r, new Set(r.remoteModels.ids())) : local;
      },
    },
  ],
  exports: [EmbeddingEngine, Generator, Reranker, InferenceEngines, ModelDownloads],
})
export class EnginesModule {}
