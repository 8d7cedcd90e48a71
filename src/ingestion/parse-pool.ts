import * as path from 'node:path';
import { DocumentTooLargeError, DomainError, ParseTimeoutError } from '../common/errors';
import { WorkerClient } from '../common/worker-client';
import type { ParseEvent, ParseRequest } from './parsers/parse-protocol';
import type { StructuredDocument } from './parsers/structured-document';

export interface ParsePoolOptions {
  /** Workers for files of any size; one more takes small files only. */
  workers: number;
  smallFileBytes: number;
  timeoutMs: number;
  /** OCR: each page's limit; the file's limit starts again after its last page. */
  ocrPageTimeoutMs?: number;
  memoryMb: number;
  /** Rebuilds a parser's domain error (by name) on this side. */
  revive: (name: string, message: string, details?: Record<string, unknown>) => Error | undefined;
  /** An idle worker stops after this long (its memory is given back). */
  idleMs?: number;
  /** The worker script (parsers/parse.worker by default). */
  worker?: { dir: string; script: string };
}

interface Task {
  req: ParseRequest;
  bytes: number;
  onEvent?: (event: ParseEvent) => void;
  resolve: (doc: StructuredDocument) => void;
  reject: (e: Error) => void;
}

interface Lane {
  small: boolean;
  client?: WorkerClient<ParseRequest>;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
}

/**
 * Parser worker threads with limits: each file runs alone on a worker, with a time limit and a
 * heap limit (`resourceLimits`); a worker that hits either is stopped and replaced and the file
 * fails with why (422 parse_timeout, 413 document_too_large). Pages read by OCR have a time limit
 * each instead (the worker reports each page as it starts it), so a long scan in a job is not cut
 * at PARSE_TIMEOUT_MS but a stuck page is. Files wait in arrival order; small files also have a
 * lane of their own, so they never wait behind large ones.
 */
export class ParsePool {
  private readonly lanes: Lane[];
  private readonly queue: Task[] = [];
  private closed = false;

  constructor(private readonly options: ParsePoolOptions) {
    this.lanes = [
      ...Array.from({ length: options.workers }, () => ({ small: false, busy: false })),
      { small: true, busy: false },
    ];
  }

  parse(
    req: ParseRequest,
    bytes: number,
    onEvent?: (event: ParseEvent) => void,
  ): Promise<StructuredDocument> {
    if (this.closed) return Promise.reject(new Error('the parser pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req, bytes, onEvent, resolve, reject });
      this.dispatch();
    });
  }

  /** Files waiting for a worker, and files being parsed. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.queue.length, running: this.lanes.filter((l) => l.busy).length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('the server is shutting down'));
    await Promise.allSettled(this.lanes.map((l) => this.stop(l)));
  }

  private dispatch(): void {
    for (const lane of this.lanes) {
      if (lane.busy) continue;
      const i = this.queue.findIndex((t) => !lane.small || t.bytes <= this.options.smallFileBytes);
      if (i < 0) continue;
      const [task] = this.queue.splice(i, 1);
      void this.run(lane, task!);
    }
  }

  private async run(lane: Lane, task: Task): Promise<void> {
    lane.busy = true;
    clearTimeout(lane.idleTimer);
    const client = (lane.client ??= this.start());
    let timedOut: { ms: number; ocrPage?: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const limit = (ms: number, ocrPage?: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = { ms, ocrPage };
        void this.stop(lane);
      }, ms);
    };
    limit(this.options.timeoutMs);
    const onEvent = (event: unknown) => {
      const e = event as ParseEvent;
      const perPage = this.options.ocrPageTimeoutMs;
      // The next page has its own time; after the last, the rest of the parse has the file's.
      if (perPage !== undefined && e.ocrPagesDone < e.ocrPages) limit(perPage, e.ocrPagesDone + 1);
      else if (perPage !== undefined) limit(this.options.timeoutMs);
      task.onEvent?.(e);
    };
    try {
      task.resolve(await client.request<StructuredDocument>(task.req, onEvent));
    } catch (e) {
      task.reject(this.explain(e, task.req.filename, timedOut));
      if (client.failed && lane.client === client) lane.client = undefined; // replaced on next use
    } finally {
      clearTimeout(timer);
      lane.busy = false;
      this.idle(lane);
      if (!this.closed) this.dispatch();
    }
  }

  private explain(
    e: unknown,
    filename: string,
    timedOut: { ms: number; ocrPage?: number } | undefined,
  ): Error {
    if (timedOut?.ocrPage !== undefined)
      return ParseTimeoutError.ocrPage(filename, timedOut.ms, timedOut.ocrPage);
    if (timedOut) return new ParseTimeoutError(filename, timedOut.ms);
    if (e instanceof DomainError) return e;
    if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new DocumentTooLargeError(
        `Parsing '${filename}' needed more than ${this.options.memoryMb} MB (PARSE_MEMORY_MB); it was stopped`,
        { filename, limitMb: this.options.memoryMb },
      );
    }
    return e instanceof Error ? e : new Error(String(e));
  }

  private start(): WorkerClient<ParseRequest> {
    const memory = this.options.memoryMb;
    const { dir, script } = this.options.worker ?? {
      dir: path.join(__dirname, 'parsers'),
      script: 'parse.worker',
    };
    return new WorkerClient<ParseRequest>(dir, script, {
      resourceLimits: {
        maxOldGenerationSizeMb: memory,
        maxYoungGenerationSizeMb: Math.min(64, memory / 4),
      },
      revive: this.options.revive,
    });
  }

  private idle(lane: Lane): void {
    if (!lane.client) return;
    lane.idleTimer = setTimeout(() => void this.stop(lane), this.options.idleMs ?? 60_000);
    lane.idleTimer.unref();
  }

  private async stop(lane: Lane): Promise<void> {
    clearTimeout(lane.idleTimer);
    const client = lane.client;
    lane.client = undefined;
    await client?.terminate();
  }
}
