import { EmbeddingEngine, type Embeddings } from '../../embedding-engine';
import type { ModelRef } from '../../model-status';
import type { TokenCounter } from '../../token-counter';
import { InMemoryModels, words } from './in-memory-models';

/**
 * A real embedding engine with no model: each word is hashed to one of `dim` dimensions (FNV-1a)
 * and the counts are L2-normalised, so texts that share words are close and the rest near
 * orthogonal. Deterministic and instant, for fast unit tests of the services and the contract
 * suite; queries and passages are embedded alike. A token is a word, plus two special tokens.
 */
export class InMemoryEmbeddingEngine extends EmbeddingEngine {
  protected readonly models: InMemoryModels;

  constructor(
    modelIds: readonly string[],
    private readonly dim = 64,
    private readonly maxTokens = 512,
  ) {
    super();
    this.models = new InMemoryModels('embedding', new Set(modelIds), { dim, maxTokens });
  }

  embedQueries(model: ModelRef, texts: string[]): Promise<Embeddings> {
    return this.embed(model, texts);
  }

  embedPassages(model: ModelRef, texts: string[]): Promise<Embeddings> {
    return this.embed(model, texts);
  }

  passageTokenCounter(
    modelId: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined> {
    if (this.models.status({ id: modelId, dtype: 'fp32' }).state === 'unavailable')
      return Promise.resolve(undefined);
    const counter: TokenCounter = { name: modelId, count: (t) => words(t).length + 2 };
    return Promise.resolve({ counter, maxTokens: this.maxTokens });
  }

  private async embed(model: ModelRef, texts: string[]): Promise<Embeddings> {
    await this.models.ready(model);
    return { vectors: texts.map((t) => this.vector(t)), dim: this.dim };
  }

  private vector(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    for (const w of words(text).slice(0, this.maxTokens - 2)) v[fnv1a(w) % this.dim]! += 1;
    const norm = Math.hypot(...v);
    if (norm === 0) v[0] = 1;
    else for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
    return v;
  }
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
