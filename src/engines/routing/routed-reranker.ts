import type { ModelStates } from '../inference-engine';
import type { ModelRef } from '../model-status';
import { Reranker } from '../reranker';
import { routedStates } from './routed-states';

/** The reranking port when some models are remote: by model id, remote or in-process. */
export class RoutedReranker extends Reranker {
  protected readonly models: ModelStates;

  constructor(
    private readonly local: Reranker,
    private readonly remote: Reranker,
    private readonly remoteIds: ReadonlySet<string>,
  ) {
    super();
    this.models = routedStates((id) => this.route(id), [local, remote]);
  }

  rerank(model: ModelRef, query: string, passages: string[]): Promise<number[]> {
    return this.route(model.id).rerank(model, query, passages);
  }

  private route(id: string): Reranker {
    return this.remoteIds.has(id) ? this.remote : this.local;
  }
}
