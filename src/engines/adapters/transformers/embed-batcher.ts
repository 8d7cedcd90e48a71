/** Texts waiting for one embedding call, and where their vectors go. */
interface Pending {
  texts: string[];
  /** How many of `texts` have been handed to a batch so far. */
  taken: number;
  vectors: Float32Array[];
  /** Texts whose vectors have come back. */
  done: number;
  resolve: (vectors: Float32Array[]) => void;
  reject: (e: Error) => void;
  /** performance.now() when it was queued. */
  queuedAt: number;
}

/** What the batcher reports as it works (for the metrics). */
export interface EmbedBatcherObserver {
  /** Texts in a model call, as it starts. */
  batch(size: number): void;
  /** A request's first texts went into a model call after waiting this long. */
  waited(ms: number): void;
  /** The texts waiting changed. */
  depth(): void;
}

export interface EmbedBatcherOptions {
  /** Most texts in one model call. */
  maxBatch: number;
  /** How long an idle model waits for more requests before it runs a batch that is not full. */
  maxWaitMs: number;
  /** Most texts waiting; beyond it `embed` refuses at once (the caller answers 503). */
  maxQueued: number;
}

export class EmbedQueueFullError extends Error {
  constructor(readonly queued: number) {
    super(`the embedding queue is full (${queued} texts waiting)`);
  }
}

/**
 * Micro-batching in front of one embedding model: concurrent requests (queries from many clients,
 * chunks from ingestion) are coalesced into one model call of up to `maxBatch` texts. While the model
 * is busy, requests gather and go together in the next call; when it is idle, a call waits at most
 * `maxWaitMs` for company. Queries go before passages, so searches stay quick during ingestion.
 */
export class EmbedBatcher {
  private readonly queues: Record<'query' | 'passage', Pending[]> = { query: [], passage: [] };
  private queued = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Model calls made and texts embedded: for tests and metrics. */
  readonly stats = { calls: 0, texts: 0 };

  constructor(
    private readonly run: (texts: string[]) => Promise<Float32Array[]>,
    private readonly options: EmbedBatcherOptions,
    private readonly observer?: EmbedBatcherObserver,
  ) {}

  /** Texts waiting for a model call. */
  get waiting(): number {
    return this.queued;
  }

  /**
   * `bounded`: refused (EmbedQueueFullError) when maxQueued texts would be waiting. The server's own
   * work (ingestion, re-embedding), one batch at a time per collection, passes false: it is bounded
   * by its caller, and a burst of client requests must not stall it.
   */
  embed(texts: string[], kind: 'query' | 'passage', bounded = true): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    if (bounded && this.queued > 0 && this.queued + texts.length > this.options.maxQueued)
      return Promise.reject(new EmbedQueueFullError(this.queued));
    return new Promise((resolve, reject) => {
      this.queues[kind].push({
        texts,
        taken: 0,
        vectors: new Array<Float32Array>(texts.length),
        done: 0,
        resolve,
        reject,
        queuedAt: performance.now(),
      });
      this.queued += texts.length;
      this.observer?.depth();
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return; // the running call schedules the next when it ends
    if (this.queued >= this.options.maxBatch || this.options.maxWaitMs === 0) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queued === 0) return;
    const parts: { item: Pending; from: number; count: number }[] = [];
    let room = this.options.maxBatch;
    for (const queue of [this.queues.query, this.queues.passage]) {
      for (const item of queue) {
        if (room === 0) break;
        const count = Math.min(room, item.texts.length - item.taken);
        if (count === 0) continue;
        if (item.taken === 0) this.observer?.waited(performance.now() - item.queuedAt);
        parts.push({ item, from: item.taken, count });
        item.taken += count;
        room -= count;
      }
      for (let i = queue.length - 1; i >= 0; i--)
        if (queue[i]!.taken === queue[i]!.texts.length) queue.splice(i, 1);
    }
    const texts = parts.flatMap((p) => p.item.texts.slice(p.from, p.from + p.count));
    this.queued -= texts.length;
    this.running = true;
    this.stats.calls++;
    this.stats.texts += texts.length;
    this.observer?.batch(texts.length);
    this.observer?.depth();
    this.run(texts).then(
      (vectors) => {
        let k = 0;
        for (const p of parts) {
          for (let j = 0; j < p.count; j++) p.item.vectors[p.from + j] = vectors[k++]!;
          p.item.done += p.count;
          if (p.item.done === p.item.texts.length) p.item.resolve(p.item.vectors);
        }
        this.next();
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        for (const p of new Set(parts.map((x) => x.item))) this.fail(p, err);
        this.next();
      },
    );
  }

  /** A failed batch fails every request with a text in it, including the rest of their texts. */
  private fail(item: Pending, err: Error): void {
    for (const queue of Object.values(this.queues)) {
      const i = queue.indexOf(item);
      if (i >= 0) {
        queue.splice(i, 1);
        this.queued -= item.texts.length - item.taken;
      }
    }
    this.observer?.depth();
    item.reject(err);
  }

  private next(): void {
    this.running = false;
    if (this.queued > 0) this.schedule();
  }
}
