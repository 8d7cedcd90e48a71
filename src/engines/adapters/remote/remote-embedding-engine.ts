import { RemoteEngineError, ServerBusyError } from '../../../common/errors';
import { NO_TELEMETRY, type Telemetry } from '../../../common/telemetry';
import type { ModelDeclaration } from '../../../config/model-declarations';
import { EmbeddingEngine, type EmbedOptions, type Embeddings } from '../../embedding-engine';
import { embeddingProfile } from '../../embedding-profile';
import type { ModelRef } from '../../model-status';
import { estimateTokenCounter, type TokenCounter } from '../../token-counter';
import type { LocalTokenizers } from '../transformers/local-tokenizers';
import { ReplicaFailure, UpstreamRefused, displayUrl, requestJson } from './remote-http';
import { RemoteModels, type RemoteModel } from './remote-models';
import { serverModelInfo } from './server-model-info';
import { fitBytes, fitTokens, saysTooLong } from './token-fit';

/** The BERT-family input limit, for a server that does not say and a setting that is not given. */
const DEFAULT_MAX_TOKENS = 512;

/**
 * Embedding models on OpenAI-compatible servers (vLLM, TEI, Ollama, llama.cpp, LM Studio, OpenAI,
 * another ragd): `POST {base}/embeddings`, batchSize texts a request, batches spread over the
 * replicas. Dimensions are learnt from the first answer and every later one must match; texts are
 * cut to the model's input; vectors are L2-normalised as the in-process models' are.
 */
export class RemoteEmbeddingEngine extends EmbeddingEngine {
  protected readonly models: RemoteModels;
  /** Texts of client requests waiting or in flight, per model (EMBED_QUEUE_LIMIT). */
  private readonly queued = new Map<string, number>();

  constructor(
    declarations: ModelDeclaration[],
    private readonly tokenizers: LocalTokenizers,
    probeMaxMs: number,
    telemetry: Telemetry = NO_TELEMETRY,
  ) {
    super();
    this.models = new RemoteModels({
      task: 'embedding',
      declarations: declarations.filter((d) => d.task === 'embedding'),
      defaultMaxTokens: DEFAULT_MAX_TOKENS,
      probeMaxMs,
      telemetry,
      probe: (m, url) => this.probe(m, url),
      tokenCounterOf: async (m) => (await this.tokenizerOf(m))?.name ?? estimateTokenCounter.name,
    });
  }

  get remoteModels(): RemoteModels {
    return this.models;
  }

  embedQueries(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.embed(model, texts, 'query', options?.internal === true);
  }

  embedPassages(model: ModelRef, texts: string[], options?: EmbedOptions): Promise<Embeddings> {
    return this.embed(model, texts, 'passage', options?.internal === true);
  }

  /** The tokenizer in MODELS_DIR when it is there, else the estimate; the model's input limit. */
  async passageTokenCounter(
    modelId: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined> {
    const m = this.models.get(modelId);
    if (!m) return undefined;
    await this.models.ensure({ id: m.id, dtype: m.dtype });
    return { counter: (await this.tokenizerOf(m)) ?? estimateTokenCounter, maxTokens: m.maxTokens };
  }

  private async tokenizerOf(m: RemoteModel): Promise<TokenCounter | undefined> {
    return (await this.tokenizers.passageTokenCounter(m.remote.tokenizer))?.counter;
  }

  private async embed(
    ref: ModelRef,
    texts: string[],
    kind: 'query' | 'passage',
    internal: boolean,
  ): Promise<Embeddings> {
    const m = await this.models.ready(ref);
    if (texts.length === 0) return { vectors: [], dim: m.dim ?? 0 };
    const queued = this.queued.get(m.id) ?? 0;
    if (!internal && queued > 0 && queued + texts.length > m.remote.queueLimit)
      throw new ServerBusyError(
        `Embedding model '${m.id}' has ${queued} texts waiting (EMBED_QUEUE_LIMIT)`,
        1,
        { model: m.id, queued },
      );
    if (!internal) this.queued.set(m.id, queued + texts.length);
    try {
      const inputs = await this.inputs(m, texts, kind);
      const size = m.remote.batchSize;
      const batches: string[][] = [];
      for (let i = 0; i < inputs.length; i += size) batches.push(inputs.slice(i, i + size));
      const out = new Array<Float32Array[]>(batches.length);
      // As many batches at once as there are replicas up (at least one).
      let next = 0;
      const lanes = Math.max(1, Math.min(batches.length, m.pool.upCount));
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (next < batches.length) {
            const i = next++;
            out[i] = await this.embedBatch(m, batches[i]!, kind, internal);
          }
        }),
      );
      const vectors = out.flat();
      return { vectors, dim: m.dim ?? vectors[0]?.length ?? 0 };
    } finally {
      if (!internal) this.queued.set(m.id, (this.queued.get(m.id) ?? texts.length) - texts.length);
    }
  }

  /** Prefixed for the model ('client' prefixes) and cut to its input limit. */
  private async inputs(
    m: RemoteModel,
    texts: string[],
    kind: 'query' | 'passage',
  ): Promise<string[]> {
    const profile = embeddingProfile(m.remote.model);
    const prefix =
      this.prefixes(m) === 'client'
        ? kind === 'query'
          ? profile.queryPrefix
          : profile.passagePrefix
        : '';
    const counter = (await this.tokenizerOf(m)) ?? estimateTokenCounter;
    return texts.map((t) => fitTokens(prefix + t, (x) => counter.count(x), m.maxTokens));
  }

  private prefixes(m: RemoteModel): 'client' | 'server' {
    return m.remote.prefixes ?? (m.ragd ? 'server' : 'client');
  }

  private async embedBatch(
    m: RemoteModel,
    batch: string[],
    kind: 'query' | 'passage',
    internal: boolean,
  ): Promise<Float32Array[]> {
    const once = (input: string[]) =>
      m.pool.run((url) => this.post(m, url, input, kind), { idempotent: true });
    // The server's own work waits out busy servers (Retry-After, within the timeout); clients hear 503.
    const deadline = performance.now() + m.remote.timeoutMs;
    const call = async (input: string[]): Promise<Float32Array[]> => {
      for (;;) {
        try {
          return await once(input);
        } catch (e) {
          const wait = e instanceof ServerBusyError ? Number(e.headers['Retry-After']) * 1000 : 0;
          if (!internal || wait === 0 || performance.now() + wait > deadline) throw e;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    };
    try {
      return await call(batch);
    } catch (e) {
      if (!(e instanceof UpstreamRefused)) throw e;
      // Too long by the server's count: cut to a bound no tokenizer exceeds, and send once more.
      if (saysTooLong(e.upstreamMessage)) {
        try {
          return await call(batch.map((t) => fitBytes(t, m.maxTokens - 2)));
        } catch (again) {
          if (!(again instanceof UpstreamRefused)) throw again;
          throw refused(m, again);
        }
      }
      throw refused(m, e);
    }
  }

  private async post(
    m: RemoteModel,
    url: string,
    input: string[],
    kind: 'query' | 'passage',
  ): Promise<Float32Array[]> {
    const body = await requestJson(
      'POST',
      `${url}/embeddings`,
      {
        model: m.remote.model,
        input,
        encoding_format: 'float',
        ...(this.prefixes(m) === 'server' ? { input_type: kind } : {}),
      },
      { apiKey: m.remote.apiKey, timeoutMs: m.remote.timeoutMs },
    );
    const vectors = parseEmbeddings(body, input.length, url);
    const dim = vectors[0]!.length;
    const expected = m.dim ?? m.remote.dimensions;
    if (expected !== undefined && dim !== expected)
      throw new ReplicaFailure(
        'malformed',
        `${displayUrl(url)} answered ${dim} dimensions where ${m.id} has ${expected}`,
      );
    return vectors;
  }

  /** A real, one-text call: the replica serves the model, and says how wide its vectors are. */
  private async probe(m: RemoteModel, url: string) {
    const [info, vectors] = await Promise.all([
      serverModelInfo(url, m.remote, 'embedding'),
      requestJson(
        'POST',
        `${url}/embeddings`,
        { model: m.remote.model, input: ['ping'], encoding_format: 'float' },
        { apiKey: m.remote.apiKey, timeoutMs: m.remote.timeoutMs },
      ).then((body) => parseEmbeddings(body, 1, url)),
    ]);
    return { ...info, dim: vectors[0]!.length };
  }
}

function refused(m: RemoteModel, e: UpstreamRefused): RemoteEngineError {
  return new RemoteEngineError(`Embedding model '${m.id}' refused the request: ${e.message}`, {
    model: m.id,
    status: e.status,
  });
}

/** OpenAI's `{data: [{index, embedding}]}`, checked: n vectors of one width, finite numbers; unit length. */
export function parseEmbeddings(body: unknown, n: number, url: string): Float32Array[] {
  const bad = (why: string) =>
    new ReplicaFailure('malformed', `${displayUrl(url)}/embeddings answered ${why}`);
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw bad('no data array');
  if (data.length !== n) throw bad(`${data.length} embeddings for ${n} texts`);
  const rows = data.map((d: unknown, i) => {
    const item = d as { index?: unknown; embedding?: unknown } | null;
    const index = typeof item?.index === 'number' ? item.index : i;
    const e = item?.embedding;
    if (
      !Array.isArray(e) ||
      e.length === 0 ||
      !e.every((x) => typeof x === 'number' && Number.isFinite(x))
    )
      throw bad(`an embedding that is not an array of numbers (item ${i})`);
    return { index, vector: Float32Array.from(e as number[]) };
  });
  const seen = new Set(rows.map((r) => r.index));
  if (seen.size !== n || [...seen].some((i) => !Number.isInteger(i) || i < 0 || i >= n))
    throw bad('embedding indexes that are not 0..n-1');
  const dim = rows[0]!.vector.length;
  if (rows.some((r) => r.vector.length !== dim)) throw bad('embeddings of different widths');
  rows.sort((a, b) => a.index - b.index);
  return rows.map((r) => normalize(r.vector));
}

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}
