import { Injectable } from '@nestjs/common';
import type { ModelRef, ModelStatus } from '../../model-status';
import { Reranker } from '../../reranker';
import { LocalModelPool } from './local-model-pool';

/** Cross-encoders run in-process by transformers.js in a worker thread. */
@Injectable()
export class TransformersReranker extends Reranker {
  constructor(private readonly pool: LocalModelPool) {
    super();
  }

  ensure(model: ModelRef): Promise<ModelStatus> {
    return this.pool.ensure('reranking', model.id, model.dtype);
  }

  status(model: ModelRef): ModelStatus {
    return this.pool.statusOf('reranking', model.id, model.dtype);
  }

  statuses(): ModelStatus[] {
    return this.pool.status().filter((s) => s.task === 'reranking');
  }

  unload(model: ModelRef): Promise<ModelStatus | undefined> {
    return this.pool.unload('reranking', model.id, model.dtype);
  }

  rerank(model: ModelRef, query: string, passages: string[]): Promise<number[]> {
    return this.pool.rerank(model.id, model.dtype, query, passages);
  }
}
