import { WorkerClient } from '../../../common/worker-client';
import type {
  EmbedResult,
  GenerateRequest,
  GenerateResult,
  LoadRequest,
  LoadedInfo,
  RerankResult,
  TokenEvent,
  WorkerRequest,
} from './inference-protocol';

/**
 * One worker thread holding one model (inference.worker.ts). Requests are answered in order; the
 * caller bounds concurrency. A crashed worker rejects everything pending and is reported as failed.
 */
export class InferenceWorker {
  private readonly client = new WorkerClient<WorkerRequest>(__dirname, 'inference.worker');

  get busy(): number {
    return this.client.inFlight;
  }

  load(req: Omit<LoadRequest, 'op'>): Promise<LoadedInfo> {
    return this.client.request({ op: 'load', ...req });
  }

  embed(texts: string[], pooling: 'mean' | 'cls', normalize: boolean): Promise<EmbedResult> {
    return this.client.request({ op: 'embed', texts, pooling, normalize });
  }

  rerank(query: string, texts: string[]): Promise<RerankResult> {
    return this.client.request({ op: 'rerank', query, texts });
  }

  generate(
    req: Omit<GenerateRequest, 'op'>,
    onToken?: (text: string) => void,
  ): Promise<GenerateResult> {
    return this.client.request({ op: 'generate', ...req }, (e) =>
      onToken?.((e as TokenEvent).text),
    );
  }

  terminate(): Promise<void> {
    return this.client.terminate();
  }
}
