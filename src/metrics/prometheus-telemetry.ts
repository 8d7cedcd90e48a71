import type { AnswerKind, PipelineStage, RemoteFailureKind } from '../common/telemetry';
import { Telemetry } from '../common/telemetry';
import type { RagdMetrics } from './metrics-registry';

/** The Telemetry port over the Prometheus metrics (milliseconds in, seconds out). */
export class PrometheusTelemetry extends Telemetry {
  constructor(private readonly metrics: RagdMetrics) {
    super();
  }

  stage(stage: PipelineStage, ms: number): void {
    this.metrics.stageDuration.observe({ stage }, ms / 1000);
  }

  answer(kind: AnswerKind): void {
    this.metrics.answers.inc({ mode: kind });
  }

  firstToken(model: string, ms: number): void {
    this.metrics.timeToFirstToken.observe({ model }, ms / 1000);
  }

  generatedTokens(model: string, tokens: number): void {
    if (tokens > 0) this.metrics.generatedTokens.inc({ model }, tokens);
  }

  queueDepth(model: string, depth: number): void {
    this.metrics.queueDepth.set({ model }, depth);
  }

  queueWait(model: string, ms: number): void {
    this.metrics.queueWait.observe({ model }, ms / 1000);
  }

  embedBatch(size: number): void {
    this.metrics.embedBatchSize.observe(size);
  }

  remoteFailure(task: string, model: string, replica: string, kind: RemoteFailureKind): void {
    this.metrics.remoteFailures.inc({ task, model, replica, kind });
  }
}
