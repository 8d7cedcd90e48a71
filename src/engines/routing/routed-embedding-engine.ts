import { EmbeddingEngine, type EmbedOptions, type Embeddings } from '../embedding-engine';
import type { ModelStates } from '../inference-engine';
import type { ModelRef } from '../model-status';
import type { TokenCounter } from '../token-counter';
import { routedStates } from './routed-states';

/**
 * The embedding port when some models are remote: each model id goes to the remote adapter if it is
 * declared remote (EMBEDDING_ENDPOINT, MODELS_FILE), else to the in-process one.
 */
export class RoutedEmbeddingEngine extends EmbeddingEngine {
  protected readonly models: ModelStates;

  constructor(
    private readonly local: EmbeddingEngine,
    private readonly remote: EmbeddingEngine,
    private readonly remoteIds: ReadonlySet<string>,
  ) {
    super();
    this.models = routedStates((id) => this.route(id), [local, remote]);
  }

  embedQueries(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.route(model.id).embedQueries(model, texts, options);
  }

  embedPassages(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.route(model.id).embedPassages(model, texts, options);
  }

  passageTokenCounter(
    modelId: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined> {
    return this.route(modelId).passageTokenCounter(modelId);
  }

  private route(id: string): EmbeddingEngine {
    return this.remoteIds.has(id) ? this.remote : this.local;
  }
}
