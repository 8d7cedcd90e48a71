import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ModelUnavailableError } from '../common/errors';
import { Reranker } from '../engines/reranker';
import { ModelRegistryService } from '../models/model-registry.service';
import { documentText, type RerankRequestDto, type RerankResponseDto } from './dto/rerank.dto';

/**
 * POST /v1/rerank in the Cohere/Jina shape that vLLM and gateways serve, so that clients of those
 * (and another ragd, as its remote reranker) can use this server's cross-encoders.
 */
@Injectable()
export class RerankService {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly reranker: Reranker,
  ) {}

  async rerank(req: RerankRequestDto): Promise<RerankResponseDto> {
    const { dtype } = this.registry.resolve(req.model, { task: 'reranking', dtype: req.dtype });
    const model = { id: req.model, dtype };
    const status = await this.reranker.ensure(model);
    if (status.state !== 'ready')
      throw new ModelUnavailableError(req.model, status.reason ?? status.state);
    const texts = req.documents.map(documentText);
    const logits = await this.reranker.rerank(model, req.query, texts);
    const results = logits
      .map((l, index) => ({ index, relevance_score: 1 / (1 + Math.exp(-l)) }))
      .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
      .slice(0, req.top_n ?? texts.length)
      .map((r) => (req.return_documents ? { ...r, document: { text: texts[r.index]! } } : r));
    return { id: `rerank-${randomUUID()}`, model: req.model, results };
  }
}
