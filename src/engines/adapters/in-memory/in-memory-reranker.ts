import type { ModelRef } from '../../model-status';
import { Reranker } from '../../reranker';
import { InMemoryModels, words } from './in-memory-models';

/**
 * A real reranker with no model: a passage scores the share of the query's distinct words it
 * contains, times 10, minus 5 (a logit-like range: a sigmoid of it gives 0.007 to 0.993).
 */
export class InMemoryReranker extends Reranker {
  protected readonly models: InMemoryModels;

  constructor(modelIds: readonly string[]) {
    super();
    this.models = new InMemoryModels('reranking', new Set(modelIds), { maxTokens: 512 });
  }

  async rerank(model: ModelRef, query: string, passages: string[]): Promise<number[]> {
    await this.models.ready(model);
    const q = new Set(words(query));
    return passages.map((p) => {
      if (q.size === 0) return -5;
      const have = new Set(words(p));
      let shared = 0;
      for (const w of q) if (have.has(w)) shared++;
      return (shared / q.size) * 10 - 5;
    });
  }
}
