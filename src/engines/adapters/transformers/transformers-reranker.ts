import { Injectable } from '@nestjs/common';
import type { ModelStates } from '../../inference-engine';
import type { ModelRef } from '../../model-status';
import { Reranker } from '../../reranker';
import { LocalModelPool } from './local-model-pool';

/** Cross-encoders run in-process by transformers.js in a worker thread. */
@Injectable()
export class TransformersReranker extends Reranker {
  protected readonly models: ModelStates;

  constructor(private readonly pool: LocalModelPool) {
    super();
    this.models = pool.forTask('reranking');
  }

  rerank(model: ModelRef, query: string, passages: string[]): Promise<number[]> {
    return this.pool.rerank(model.id, model.dtype, query, passages);
  }
}
