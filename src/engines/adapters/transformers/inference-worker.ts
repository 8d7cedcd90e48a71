import { Worker } from 'node:worker_threads';
import { startWorker } from '../../../common/worker-thread';
import type {
  EmbedResult,
  GenerateRequest,
  GenerateResult,
  LoadRequest,
  LoadedInfo,
  RerankResult,
  WorkerReply,
  WorkerRequest,
} from './inference-protocol';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onToken?: (text: string) => void;
}

/**
 * One worker thread holding one model. Requests are answered in order; the caller bounds
 * concurrency. A crashed worker rejects everything pending and is reported as failed.
 */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | undefined;

  constructor() {
    this.worker = startWorker(__dirname, 'inference.worker');
    this.worker.on('message', (msg: WorkerReply) => this.onMessage(msg));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) =>
      this.failAll(new Error(`inference worker exited with code ${code}`)),
    );
    this.worker.unref();
  }

  get busy(): number {
    return this.pending.size;
  }

  load(req: Omit<LoadRequest, 'op'>): Promise<LoadedInfo> {
    return this.call({ op: 'load', ...req }) as Promise<LoadedInfo>;
  }

  embed(texts: string[], pooling: 'mean' | 'cls', normalize: boolean): Promise<EmbedResult> {
    return this.call({ op: 'embed', texts, pooling, normalize }) as Promise<EmbedResult>;
  }

  rerank(query: string, texts: string[]): Promise<RerankResult> {
    return this.call({ op: 'rerank', query, texts }) as Promise<RerankResult>;
  }

  generate(
    req: Omit<GenerateRequest, 'op'>,
    onToken?: (text: string) => void,
  ): Promise<GenerateResult> {
    return this.call({ op: 'generate', ...req }, onToken) as Promise<GenerateResult>;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call(req: WorkerRequest, onToken?: (text: string) => void): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onToken });
      this.worker.ref();
      this.worker.postMessage({ id, req });
    });
  }

  private onMessage(msg: WorkerReply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.kind) {
      case 'token':
        p.onToken?.(msg.text);
        return;
      case 'ok':
        this.settle(msg.id);
        p.resolve(msg.result);
        return;
      case 'error':
        this.settle(msg.id);
        p.reject(new Error(msg.message));
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
