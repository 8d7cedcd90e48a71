import { Injectable } from '@nestjs/common';
import { EmbeddingEngine } from './embedding-engine';
import { Generator } from './generator';
import type { InferenceEngine } from './inference-engine';
import type { ModelStatus, ModelTask } from './model-status';
import { Reranker } from './reranker';

/** The three engine ports by task, for the views that list every model (/v1/models, /health). */
@Injectable()
export class InferenceEngines {
  constructor(
    private readonly embedding: EmbeddingEngine,
    private readonly generation: Generator,
    private readonly reranking: Reranker,
  ) {}

  for(task: ModelTask): InferenceEngine {
    switch (task) {
      case 'embedding':
        return this.embedding;
      case 'generation':
        return this.generation;
      case 'reranking':
        return this.reranking;
    }
  }

  statuses(): ModelStatus[] {
    return [this.embedding, this.generation, this.reranking].flatMap((e) => e.statuses());
  }
}
