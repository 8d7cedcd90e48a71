import { RemoteEngineError } from '../../../common/errors';
import { NO_TELEMETRY, type Telemetry } from '../../../common/telemetry';
import type { ModelDeclaration } from '../../../config/model-declarations';
import type { ModelRef } from '../../model-status';
import { Reranker } from '../../reranker';
import { estimateTokenCounter } from '../../token-counter';
import type { LocalTokenizers } from '../transformers/local-tokenizers';
import { UpstreamRefused, requestJson } from './remote-http';
import { RemoteModels, type RemoteModel } from './remote-models';
import { parseRerank, rerankBody } from './rerank-api';
import { serverModelInfo } from './server-model-info';
import { fitTokens } from './token-fit';

/** Special tokens of a query-passage pair ([CLS] q [SEP] p [SEP]). */
const PAIR_SPECIAL_TOKENS = 3;
const DEFAULT_MAX_TOKENS = 512;

/**
 * Cross-encoders on remote servers: `POST {base}/rerank` in the Cohere/Jina shape (vLLM, Jina,
 * gateways, another ragd) or TEI's, chosen by RERANK_API (or `api` in MODELS_FILE). Passages are
 * cut so that each pair fits the model's input, sent batchSize at a time over the replicas.
 */
export class RemoteReranker extends Reranker {
  protected readonly models: RemoteModels;

  constructor(
    declarations: ModelDeclaration[],
    private readonly tokenizers: LocalTokenizers,
    probeMaxMs: number,
    telemetry: Telemetry = NO_TELEMETRY,
  ) {
    super();
    this.models = new RemoteModels({
      task: 'reranking',
      declarations: declarations.filter((d) => d.task === 'reranking'),
      defaultMaxTokens: DEFAULT_MAX_TOKENS,
      probeMaxMs,
      telemetry,
      probe: async (m, url) => {
        const [info] = await Promise.all([
          serverModelInfo(url, m.remote, 'reranking'),
          this.post(m, url, 'ping', ['ping']),
        ]);
        return { maxInputTokens: info.maxInputTokens };
      },
      tokenCounterOf: async (m) =>
        (await this.tokenizers.textTokenCounter(m.remote.tokenizer))
          ? m.remote.tokenizer
          : estimateTokenCounter.name,
    });
  }

  get remoteModels(): RemoteModels {
    return this.models;
  }

  async rerank(ref: ModelRef, query: string, passages: string[]): Promise<number[]> {
    const m = await this.models.ready(ref);
    if (passages.length === 0) return [];
    const count =
      (await this.tokenizers.textTokenCounter(m.remote.tokenizer)) ??
      ((t: string) => estimateTokenCounter.count(t) - 2);
    const room = m.maxTokens - PAIR_SPECIAL_TOKENS;
    const q = fitTokens(query, count, Math.floor(room / 2));
    const left = room - count(q);
    const texts = passages.map((p) => fitTokens(p, count, left));
    const size = m.remote.batchSize;
    const batches: number[] = [];
    for (let i = 0; i < texts.length; i += size) batches.push(i);
    const out = await Promise.all(
      batches.map((start) =>
        m.pool.run((url) => this.post(m, url, q, texts.slice(start, start + size)), {
          idempotent: true,
        }),
      ),
    ).catch((e: unknown) => {
      if (e instanceof UpstreamRefused)
        throw new RemoteEngineError(`Reranking model '${m.id}' refused the request: ${e.message}`, {
          model: m.id,
          status: e.status,
        });
      throw e;
    });
    return out.flat();
  }

  private async post(m: RemoteModel, url: string, query: string, texts: string[]) {
    const api = m.remote.rerankApi;
    const body = await requestJson(
      'POST',
      `${url}/rerank`,
      rerankBody(api, m.remote.model, query, texts),
      {
        apiKey: m.remote.apiKey,
        timeoutMs: m.remote.timeoutMs,
      },
    );
    return parseRerank(api, body, texts.length, url);
  }
}
