import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
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
import { type Entry, type Lane, entryStatus, followDownload, inOrder } from './model-entry';
import { RERANK_BATCH_SIZE } from './inference-protocol';
import type { ChatMessage, GenerateResult, ModelTask } from './inference-protocol';
import { embeddingProfile } from '../../embedding-profile';
import type { ModelStates } from '../../inference-engine';
import type { ModelStatus } from '../../model-status';
import { NO_TELEMETRY, Telemetry } from '../../../common/telemetry';
import { explainLoadFailure } from './load-failure';
import { ModelDownloads } from './download/model-downloads.service';

/**
 * The in-process models behind the transformers.js adapters: loads each model once, lazily, in its own worker thread;
 * reports every model's state; never lets a failed or slow download block the server. A model not
 * complete in MODELS_DIR is downloaded first (ModelDownloads) when ALLOW_REMOTE_MODELS allows it:
 * meanwhile it is `downloading` (or `unavailable` between tries), then `loading`, then `ready`;
 * callers get the fallback at once instead of waiting for the download.
 */
@Injectable()
export class LocalModelPool implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LocalModelPool.name);
  private readonly entries = new Map<string, Entry>();

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly downloads: ModelDownloads,
    @Optional() private readonly telemetry: Telemetry = NO_TELEMETRY,
  ) {}

  onApplicationBootstrap(): void {
    // A pull of a model that failed to come (a default without network, say) is followed: it
    // loads when complete. Models nobody asked to load stay unloaded.
    this.downloads.subscribe((event) => {
      if (event.type !== 'started') return;
      for (const e of this.entries.values()) {
        const { id, dtype, state } = e.status;
        if (id !== event.job.id || dtype !== event.job.dtype || e.fetching) continue;
        if (state === 'unavailable') followDownload(e, event.job, () => this.loadLocal(e));
      }
    });
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
    return [...this.entries.values()].map((e) => entryStatus(e));
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
    return entryStatus(this.entry(task, id, dtype));
  }

  /**
   * Loads the model if needed and waits for it. Resolves with its state; never throws. A model that
   * failed is tried again only after MODEL_RETRY_MS. A model whose files must be downloaded first
   * is not waited for: the download starts (or goes on) and its `downloading` state is returned.
   */
  async ensure(task: ModelTask, id: string, dtype: Dtype): Promise<ModelStatus> {
    const e = this.entry(task, id, dtype);
    if (e.status.state === 'ready') return { ...e.status };
    if (e.fetching) return entryStatus(e);
    if (
      e.status.state === 'unavailable' &&
      e.failedAt !== undefined &&
      Date.now() - e.failedAt < this.settings.modelRetryMs
    ) {
      return { ...e.status };
    }
    e.loading ??= this.load(e).finally(() => (e.loading = undefined));
    await e.loading;
    return entryStatus(e);
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
        const { vectors, dim } = await inOrder(lane, () =>
          worker.embed(batch, profile.pooling, profile.normalize),
        );
        return batch.map((_, i) => vectors.subarray(i * dim, (i + 1) * dim));
      },
      {
        maxBatch: this.settings.embedding.batchSize,
        maxWaitMs: this.settings.embedding.batchWaitMs,
        maxQueued: this.settings.embedding.queueLimit,
      },
      {
        batch: (size) => this.telemetry.embedBatch(size),
        waited: (ms) => this.telemetry.queueWait(id, ms),
        // Both lanes (passages, queries) of the model together.
        depth: () =>
          this.telemetry.queueDepth(
            id,
            (e.batcher?.waiting ?? 0) + (e.queryLane?.batcher?.waiting ?? 0),
          ),
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
      const result = await inOrder(e, () =>
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
    this.telemetry.queueDepth(id, e.generating);
    const called = performance.now();
    let first = true;
    const onToken = (text: string) => {
      if (first) this.telemetry.firstToken(id, performance.now() - called);
      first = false;
      options.onToken?.(text);
    };
    try {
      return await inOrder(e, async () => {
        this.telemetry.queueWait(id, performance.now() - called);
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
            onToken,
          );
          this.telemetry.generatedTokens(id, out.completionTokens);
          if (timedOut) throw new GenerationTimeoutError(id, this.settings.generation.timeoutMs);
          return out;
        } finally {
          clearTimeout(timer);
        }
      });
    } finally {
      e.generating--;
      this.telemetry.queueDepth(id, e.generating);
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

  /** Downloads the model first when MODELS_DIR lacks some of its files and downloads are allowed. */
  private async load(e: Entry): Promise<void> {
    const { id, task, dtype } = e.status;
    if (this.settings.allowRemoteModels) {
      const complete = await this.downloads.isComplete(id, dtype).catch(() => false);
      if (!complete) {
        followDownload(e, this.downloads.fetch(id, dtype, task), () => this.loadLocal(e));
        return;
      }
    }
    await this.loadLocal(e);
  }

  private async loadLocal(e: Entry): Promise<void> {
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
      ...(task === 'embedding' ? { intraOpThreads: this.settings.embedding.threads } : {}),
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
