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
  /**
   * The most an idle model waits for more requests before it runs a batch that is not full. It
   * waits only while company is likely (see `schedule`); a lone client's request goes at once.
   */
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
 * is busy, requests gather and go together in the next call. When it is idle, the wait adapts to
 * the load: a request goes at once unless the last call carried several requests (concurrent
 * clients) that arrived close together; then it waits for as many requests as the last call had,
 * at most `maxWaitMs`, and no longer than twice the recent gap between concurrent arrivals after
 * the latest one (clients that stopped coming are not waited for).
 * Queries go before passages, so searches stay quick during ingestion.
 */
export class EmbedBatcher {
  private readonly queues: Record<'query' | 'passage', Pending[]> = { query: [], passage: [] };
  private queued = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the current wait began (performance.now()), while a timer is set. */
  private waitStart = 0;
  private lastArrival = -Infinity;
  /** Recent gap between arrivals, ms (exponentially weighted). */
  private gapMs = Infinity;
  /** Requests in the last model call: how many clients to wait for. */
  private lastRequests = 0;
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
      this.arrived(this.running || this.queued > 0);
      this.queued += texts.length;
      this.observer?.depth();
      this.schedule();
    });
  }

  /** Measures the gap between concurrent arrivals (ones that find others waiting or running). */
  private arrived(concurrent: boolean): void {
    const now = performance.now();
    const gap = now - this.lastArrival;
    this.lastArrival = now;
    if (!concurrent) return;
    this.gapMs = Number.isFinite(this.gapMs) ? 0.7 * this.gapMs + 0.3 * gap : gap;
  }

  private requestsWaiting(): number {
    return this.queues.query.length + this.queues.passage.length;
  }

  private schedule(): void {
    if (this.running) return; // the running call schedules the next when it ends
    const { maxBatch, maxWaitMs } = this.options;
    const company = this.lastRequests > 1 && this.gapMs < maxWaitMs; // clients came close together
    if (
      this.queued >= maxBatch ||
      maxWaitMs === 0 ||
      !company ||
      this.requestsWaiting() >= this.lastRequests
    ) {
      this.flush();
      return;
    }
    const now = performance.now();
    if (!this.timer) this.waitStart = now;
    else clearTimeout(this.timer);
    const left = this.waitStart + maxWaitMs - now;
    const quiet = this.lastArrival + 2 * this.gapMs - now;
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.min(left, quiet)));
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
    this.lastRequests = parts.length;
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
