import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Dtype, Settings } from '../../../config/settings';
import { SETTINGS } from '../../../config/settings.provider';
import {
  GenerationTimeoutError,
  ModelUnavailableError,
  ServerBusyError,
} from '../../../common/errors';
import { EmbedBatcher, EmbedQueueFullError } from './embed-batcher';
import { InferenceWorker } from './inference-worker';
import { RERANK_BATCH_SIZE } from './inference-protocol';
import type { ChatMessage, GenerateResult, LoadedInfo, ModelTask } from './inference-protocol';
import { embeddingProfile } from '../../embedding-profile';
import type { ModelStates } from '../../inference-engine';
import type { ModelStatus } from '../../model-status';

/** A worker and the calls queued on it, one at a time, in order. */
interface Lane {
  worker: InferenceWorker;
  tail: Promise<unknown>;
  batcher?: EmbedBatcher;
}

interface Entry {
  status: ModelStatus;
  worker?: InferenceWorker;
  /**
   * Embedding models (EMBED_QUERY_WORKER): a second worker for queries, so a search does not wait
   * behind a batch of passages. Loaded after the first; until then queries use the first.
   */
  queryLane?: Lane;
  info?: LoadedInfo;
  loading?: Promise<void>;
  failedAt?: number;
  /** Inference calls on one worker run one at a time, in order. */
  tail: Promise<unknown>;
  /** Embedding models: coalesces concurrent requests into batches. */
  batcher?: EmbedBatcher;
  /** Generation models: generations waiting or running. */
  generating: number;
}

/**
 * The in-process models behind the transformers.js adapters: loads each model once, lazily, in its own worker thread;
 * reports every model's state; never lets a failed or slow download block the server.
 */
@Injectable()
export class LocalModelPool implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LocalModelPool.name);
  private readonly entries = new Map<string, Entry>();

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  onApplicationBootstrap(): void {
    const { embedding, generation, rerank } = this.settings;
    // Defaults declared remote (EMBEDDING_ENDPOINT, MODELS_FILE) are not ours to load.
    const remote = (task: ModelTask, id: string) =>
      this.settings.models.some((m) => m.remote && m.task === task && m.id === id);
    const defaults = (
      [
        ['embedding', embedding.model, embedding.dtype],
        ['generation', generation.model, generation.dtype],
        ['reranking', rerank.model, rerank.dtype],
      ] as [ModelTask, string, Dtype][]
    ).filter(([task, id]) => !remote(task, id));
    for (const [task, id, dtype] of defaults) this.entry(task, id, dtype);
    // In-process models of MODELS_FILE are listed from the start (loaded on first use).
    for (const m of this.settings.models) if (!m.remote) this.entry(m.task, m.id, m.dtype);
    if (this.settings.preloadModels) {
      // In the background: the server answers (lexically, extractively, un-reranked) while models load or fail.
      for (const [task, id, dtype] of defaults) void this.ensure(task, id, dtype);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const workers = [...this.entries.values()]
      .flatMap((e) => [e.worker, e.queryLane?.worker])
      .filter((w) => w !== undefined);
    await Promise.allSettled(workers.map((w) => w.terminate()));
  }

  status(): ModelStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  /**
   * Stops a loaded model's worker, after the calls queued on it, and frees its memory. The next call
   * that needs it loads it again. Returns its state before (undefined if it was never known).
   */
  async unload(task: ModelTask, id: string, dtype: Dtype): Promise<ModelStatus | undefined> {
    const e = this.entries.get(`${task}|${id}|${dtype}`);
    if (!e) return undefined;
    const before = { ...e.status };
    await e.loading?.catch(() => undefined);
    await e.tail;
    const worker = e.worker;
    const queryLane = e.queryLane;
    e.worker = undefined;
    e.queryLane = undefined;
    e.info = undefined;
    e.batcher = undefined;
    if (queryLane) {
      await queryLane.tail;
      await queryLane.worker.terminate();
    }
    e.failedAt = undefined;
    e.status = { id, task, dtype, device: e.status.device, state: 'not_loaded' };
    if (worker) {
      await worker.terminate();
      this.logger.log(`Unloaded ${task} model ${id} (${dtype})`);
    }
    return before;
  }

  /** The states of this task's models, as an engine port reports them. */
  forTask(task: ModelTask): ModelStates {
    return {
      ensure: (m) => this.ensure(task, m.id, m.dtype),
      status: (m) => this.statusOf(task, m.id, m.dtype),
      statuses: () => this.status().filter((s) => s.task === task),
      unload: (m) => this.unload(task, m.id, m.dtype),
    };
  }

  statusOf(task: ModelTask, id: string, dtype: Dtype): ModelStatus {
    return { ...this.entry(task, id, dtype).status };
  }

  /**
   * Loads the model if needed and waits for it. Resolves with its state; never throws. A model that
   * failed is tried again only after MODEL_RETRY_MS.
   */
  async ensure(task: ModelTask, id: string, dtype: Dtype): Promise<ModelStatus> {
    const e = this.entry(task, id, dtype);
    if (e.status.state === 'ready') return { ...e.status };
    if (
      e.status.state === 'unavailable' &&
      e.failedAt !== undefined &&
      Date.now() - e.failedAt < this.settings.modelRetryMs
    ) {
      return { ...e.status };
    }
    e.loading ??= this.load(e).finally(() => (e.loading = undefined));
    await e.loading;
    return { ...e.status };
  }

  /**
   * Embeds texts through the model's micro-batcher. `internal`: the server's own ingestion and
   * re-embedding, never refused for a full queue (EMBED_QUEUE_LIMIT bounds client requests).
   */
  async embed(
    id: string,
    dtype: Dtype,
    texts: string[],
    kind: 'query' | 'passage',
    internal = false,
  ): Promise<{ vectors: Float32Array[]; dim: number }> {
    const e = await this.ready('embedding', id, dtype);
    const profile = embeddingProfile(id);
    const prefix = kind === 'query' ? profile.queryPrefix : profile.passagePrefix;
    const inputs = prefix ? texts.map((t) => prefix + t) : texts;
    const lane: Lane | Entry = (kind === 'query' && e.queryLane) || e;
    const worker = lane === e ? e.worker! : (lane as Lane).worker;
    lane.batcher ??= new EmbedBatcher(
      async (batch) => {
        const { vectors, dim } = await this.serial(lane, () =>
          worker.embed(batch, profile.pooling, profile.normalize),
        );
        return batch.map((_, i) => vectors.subarray(i * dim, (i + 1) * dim));
      },
      {
        maxBatch: this.settings.embedding.batchSize,
        maxWaitMs: this.settings.embedding.batchWaitMs,
        maxQueued: this.settings.embedding.queueLimit,
      },
    );
    try {
      const rows = await lane.batcher.embed(inputs, kind, !internal);
      return { vectors: rows, dim: rows[0]?.length ?? e.status.dim ?? 0 };
    } catch (err) {
      if (err instanceof EmbedQueueFullError) {
        throw new ServerBusyError(
          `Embedding model '${id}' has ${err.queued} texts waiting (EMBED_QUEUE_LIMIT)`,
          1,
          { model: id, queued: err.queued },
        );
      }
      throw err;
    }
  }

  /**
   * Scores each text's relevance to the query with a cross-encoder (task 'reranking'): one score
   * per text, in the order given, the model's raw logit (unbounded, higher is more relevant; a
   * sigmoid of it gives a 0-1 value; a two-label model gives logit[1] - logit[0]). Texts are scored
   * RERANK_BATCH_SIZE at a time, shortest first (less padding); each batch is queued on the
   * model's worker separately, so concurrent requests interleave instead of waiting for one
   * another. Pairs longer than the model's input are truncated at the end of the text. Throws
   * ModelUnavailableError when the model cannot be loaded.
   */
  async rerank(id: string, dtype: Dtype, query: string, texts: string[]): Promise<number[]> {
    const e = await this.ready('reranking', id, dtype);
    const worker = e.worker!;
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const scores = new Array<number>(texts.length);
    for (let start = 0; start < order.length; start += RERANK_BATCH_SIZE) {
      const batch = order.slice(start, start + RERANK_BATCH_SIZE);
      const result = await this.serial(e, () =>
        worker.rerank(
          query,
          batch.map((i) => texts[i]!),
        ),
      );
      batch.forEach((textIndex, j) => (scores[textIndex] = result.scores[j]!));
    }
    return scores;
  }

  async generate(
    id: string,
    dtype: Dtype,
    messages: ChatMessage[],
    options: {
      maxTokens: number;
      temperature: number;
      signal?: AbortSignal;
      onToken?: (t: string) => void;
    },
  ): Promise<GenerateResult> {
    const e = await this.ready('generation', id, dtype);
    const limit = this.settings.generation.queueLimit;
    if (e.generating >= limit) {
      throw new ServerBusyError(
        `Generation model '${id}' has ${e.generating} requests waiting or running (GENERATION_QUEUE_LIMIT ${limit})`,
        5,
        {
          model: id,
          queued: e.generating,
        },
      );
    }
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    options.signal?.addEventListener('abort', () => Atomics.store(flag, 0, 1), { once: true });
    const worker = e.worker!;
    e.generating++;
    try {
      return await this.serial(e, async () => {
        if (options.signal?.aborted)
          return {
            text: '',
            promptTokens: 0,
            completionTokens: 0,
            finishReason: 'cancelled' as const,
          };
        // The time limit counts from when the generation starts, not from when it was queued.
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          Atomics.store(flag, 0, 1);
        }, this.settings.generation.timeoutMs);
        try {
          const out = await worker.generate(
            { messages, maxTokens: options.maxTokens, temperature: options.temperature, cancel },
            options.onToken,
          );
          if (timedOut) throw new GenerationTimeoutError(id, this.settings.generation.timeoutMs);
          return out;
        } finally {
          clearTimeout(timer);
        }
      });
    } finally {
      e.generating--;
    }
  }

  private async ready(task: ModelTask, id: string, dtype: Dtype): Promise<Entry> {
    const status = await this.ensure(task, id, dtype);
    const e = this.entry(task, id, dtype);
    if (status.state !== 'ready' || !e.worker) {
      throw new ModelUnavailableError(id, status.reason ?? status.state);
    }
    return e;
  }

  private serial<T>(e: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
    const run = e.tail.then(fn, fn);
    e.tail = run.catch(() => undefined);
    return run;
  }

  private entry(task: ModelTask, id: string, dtype: Dtype): Entry {
    const key = `${task}|${id}|${dtype}`;
    let e = this.entries.get(key);
    if (!e) {
      e = {
        status: { id, task, dtype, device: this.settings.device, state: 'not_loaded' },
        tail: Promise.resolve(),
        generating: 0,
      };
      this.entries.set(key, e);
    }
    return e;
  }

  private async load(e: Entry): Promise<void> {
    const { id, task, dtype, device } = e.status;
    e.status = { ...e.status, state: 'loading', reason: undefined };
    this.logger.log(`Loading ${task} model ${id} (${dtype}, ${device})`);
    const worker = new InferenceWorker();
    const request = {
      task,
      model: id,
      dtype,
      device,
      modelsDir: this.settings.modelsDir,
      allowRemote: this.settings.allowRemoteModels,
      connectTimeoutMs: this.settings.remoteModelConnectTimeoutMs,
    };
    try {
      const info = await worker.load(request);
      e.worker = worker;
      e.batcher = undefined; // bound to the previous worker, if any
      e.info = info;
      e.failedAt = undefined;
      e.status = {
        ...e.status,
        state: 'ready',
        maxTokens: info.maxTokens,
        dim: info.dim,
        loadMs: info.loadMs,
        loadedAt: new Date().toISOString(),
      };
      this.logger.log(
        `Model ${id} ready in ${info.loadMs} ms (max ${info.maxTokens} tokens${info.dim ? `, ${info.dim} dims` : ''})`,
      );
      if (task === 'embedding' && this.settings.embedding.queryWorker)
        void this.loadQueryLane(e, worker, request);
    } catch (err) {
      await worker.terminate().catch(() => undefined);
      const reason = explainLoadFailure(id, err, this.settings);
      e.failedAt = Date.now();
      e.status = { ...e.status, state: 'unavailable', reason };
      this.logger.warn(`Model ${id} unavailable: ${reason}`);
    }
  }

  /** The embedding model's second worker, for queries; on failure queries keep sharing the first. */
  private async loadQueryLane(
    e: Entry,
    first: InferenceWorker,
    request: Parameters<InferenceWorker['load']>[0],
  ): Promise<void> {
    const worker = new InferenceWorker();
    try {
      await worker.load(request);
      if (e.worker !== first) throw new Error('the model was unloaded meanwhile');
      e.queryLane = { worker, tail: Promise.resolve() };
    } catch (err) {
      await worker.terminate().catch(() => undefined);
      if (e.worker === first)
        this.logger.warn(
          `Model ${request.model}: no separate worker for queries (${(err as Error).message}); queries share the passages' worker`,
        );
    }
  }
}

function explainLoadFailure(id: string, err: unknown, settings: Settings): string {
  const message = err instanceof Error ? err.message : String(err);
  if (
    !settings.allowRemoteModels &&
    /local_files_only|allowRemoteModels|not found locally/i.test(message)
  ) {
    return `not found in MODELS_DIR (${settings.modelsDir}/${id}) and ALLOW_REMOTE_MODELS=false`;
  }
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|no response within|network/i.test(message)) {
    return `not in MODELS_DIR and the Hugging Face hub could not be reached (${message})`;
  }
  return message;
}
