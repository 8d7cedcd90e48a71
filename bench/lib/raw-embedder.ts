/**
 * The raw library baseline: a transformers.js feature-extraction pipeline in this process, mean
 * pooling and normalisation (what the server does for sentence-transformers models), no server,
 * no worker thread, no HTTP, no SQLite.
 */
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';

export interface EmbedRun {
  /** One vector per input text, in input order. */
  vectors: Float32Array[];
  ms: number;
}

export class RawEmbedder {
  private constructor(
    private readonly extractor: FeatureExtractionPipeline,
    readonly dim: number,
  ) {}

  static async load(modelsDir: string, modelId: string): Promise<RawEmbedder> {
    env.localModelPath = modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const extractor = await pipeline('feature-extraction', modelId, {
      dtype: 'fp32',
      local_files_only: true,
    });
    const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
    return new RawEmbedder(extractor, probe.dims[probe.dims.length - 1] ?? 0);
  }

  /** One pipeline call over all texts (one batch). */
  async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    const out = await this.extractor([...texts], { pooling: 'mean', normalize: true });
    const data = out.data as Float32Array;
    const rows: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) rows.push(data.slice(i * this.dim, (i + 1) * this.dim));
    out.dispose();
    return rows;
  }

  /**
   * Embeds all texts in batches of batchSize, taking them in `order` (indices into texts), and
   * returns the vectors in input order with the wall time of the whole run.
   */
  async embedAll(
    texts: readonly string[],
    batchSize: number,
    order: readonly number[] = texts.map((_, i) => i),
  ): Promise<EmbedRun> {
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    const t0 = performance.now();
    for (let b = 0; b < order.length; b += batchSize) {
      const ids = order.slice(b, b + batchSize);
      const rows = await this.embedBatch(ids.map((i) => texts[i]!));
      ids.forEach((id, k) => (vectors[id] = rows[k]!));
    }
    return { vectors, ms: performance.now() - t0 };
  }

  /** Tokens the model sees for a text, special tokens included (what the server's chunker counts). */
  countTokens(text: string): number {
    return this.extractor.tokenizer.encode(text).length;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}

/** Indices of texts ordered by a length key, shortest first (ties by position), as the server batches. */
export function shortestFirst(lengths: readonly number[]): number[] {
  return lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
}
