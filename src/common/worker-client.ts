import type { ResourceLimits, Transferable, Worker } from 'node:worker_threads';
import type { WorkerEnvelope, WorkerReplyMessage } from './worker-protocol';
import { startWorker } from './worker-thread';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onEvent?: (event: unknown) => void;
}

export interface WorkerClientOptions {
  resourceLimits?: ResourceLimits;
  /** Rebuilds an error thrown in the worker (by its name) on this side; plain Error otherwise. */
  revive?: (name: string, message: string, details?: Record<string, unknown>) => Error | undefined;
}

/**
 * The main-thread side of one worker thread (see worker-protocol.ts): requests by id, events
 * while they run, replies in any order. A worker that exits or crashes rejects everything pending
 * and every later request (`failed` says why); its owner starts a new one. The thread does not
 * keep the process alive while nothing is pending.
 */
export class WorkerClient<Req> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | undefined;

  constructor(
    dir: string,
    script: string,
    private readonly options: WorkerClientOptions = {},
  ) {
    this.worker = startWorker(dir, script, options.resourceLimits);
    this.worker.on('message', (msg: WorkerReplyMessage) => this.onMessage(msg));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) =>
      this.failAll(new Error(`the ${script} thread exited with code ${code}`)),
    );
    this.worker.unref();
  }

  /** Requests waiting for their reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Why the worker is gone, once it is. */
  get failed(): Error | undefined {
    return this.exitError;
  }

  request<T>(req: Req, onEvent?: (event: unknown) => void, transfer?: Transferable[]): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.ref();
      this.worker.postMessage({ id, req } satisfies WorkerEnvelope<Req>, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private onMessage(msg: WorkerReplyMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.kind) {
      case 'event':
        p.onEvent?.(msg.event);
        return;
      case 'ok':
        this.settle(msg.id);
        p.resolve(msg.result);
        return;
      case 'error':
        this.settle(msg.id);
        p.reject(
          this.options.revive?.(msg.name, msg.message, msg.details) ?? new Error(msg.message),
        );
        return;
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private failAll(e: Error): void {
    this.exitError ??= e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
  }
}
