import { Injectable } from '@nestjs/common';
import { InvalidInputError, ModelUnavailableError } from '../common/errors';
import { ModelRegistryService } from '../models/model-registry.service';
import { EmbeddingEngine } from '../engines/embedding-engine';
import type { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto';

/** POST /v1/embeddings: any embedding model the server can use, for clients of OpenAI's API. */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly embedder: EmbeddingEngine,
  ) {}

  async embed(req: EmbeddingsRequestDto): Promise<EmbeddingsResponseDto> {
    const texts = typeof req.input === 'string' ? [req.input] : req.input;
    const { dtype } = this.registry.resolve(req.model, { task: 'embedding', dtype: req.dtype });
    const status = await this.embedder.ensure({ id: req.model, dtype });
    if (status.state !== 'ready')
      throw new ModelUnavailableError(req.model, status.reason ?? status.state);
    if (req.dimensions !== undefined && req.dimensions !== status.dim) {
      throw new InvalidInputError(
        `Model '${req.model}' makes ${status.dim} dimensions; dimensions must be ${status.dim} or left out`,
        {
          model: req.model,
          dim: status.dim,
        },
      );
    }
    // Sorted by length, the model's batcher cuts them into batches of similar texts (padding is wasted
    // work on a CPU); the answer keeps the input order.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const sorted = order.map((i) => texts[i]!);
    const model = { id: req.model, dtype };
    const out =
      req.input_type === 'query'
        ? await this.embedder.embedQueries(model, sorted)
        : await this.embedder.embedPassages(model, sorted);
    const vectors = new Array<Float32Array>(texts.length);
    order.forEach((textIndex, j) => (vectors[textIndex] = out.vectors[j]!));
    const tokens = await this.countTokens(req.model, texts);
    return {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding:
          req.encoding_format === 'base64'
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
            : Array.from(v),
      })),
      model: req.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  /** Tokens the model saw (each input truncated at its maximum); estimated at 4 characters a token without a tokenizer. */
  private async countTokens(model: string, texts: string[]): Promise<number> {
    const tok = await this.embedder.passageTokenCounter(model);
    if (!tok) return texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    return texts.reduce((n, t) => n + Math.min(tok.counter.count(t), tok.maxTokens), 0);
  }
}
