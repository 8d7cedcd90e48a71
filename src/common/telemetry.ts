/** A step of a search or an answer whose duration is recorded. */
export type PipelineStage = 'embed' | 'dense' | 'lexical' | 'fuse' | 'rerank' | 'generate';

/** How an answer was made: written by the model, quoted from the sources, or refused. */
export type AnswerKind = 'generative' | 'extractive' | 'refused';

/**
 * Why a remote replica was taken out of service: not reached, too slow, an HTTP error status, an
 * answer we could not read, or anything else a probe found (another embedding width, say).
 */
export type RemoteFailureKind = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'other';

/**
 * What the services and engines report as they work, for the metrics: durations they already
 * measure, queue depths and waits, answers by kind. The services hold this port, never a metrics
 * library; the Prometheus adapter lives in src/metrics and NO_TELEMETRY stands in where metrics
 * are off (METRICS_ENABLED=false) or a service is built without them (unit tests).
 */
export abstract class Telemetry {
  abstract stage(stage: PipelineStage, ms: number): void;
  abstract answer(kind: AnswerKind): void;
  /** From the call to the generator to its first token (queue wait included). */
  abstract firstToken(model: string, ms: number): void;
  abstract generatedTokens(model: string, tokens: number): void;
  /** Requests (generation) or texts (embedding) waiting or running on a model now. */
  abstract queueDepth(model: string, depth: number): void;
  /** How long a request waited for a model before its work started. */
  abstract queueWait(model: string, ms: number): void;
  /** Texts in one embedding model call. */
  abstract embedBatch(size: number): void;
  /** A replica of a remote model failed a call or a probe and was taken out of service. */
  abstract remoteFailure(
    task: string,
    model: string,
    replica: string,
    kind: RemoteFailureKind,
  ): void;
}

class NoTelemetry extends Telemetry {
  stage(): void {}
  answer(): void {}
  firstToken(): void {}
  generatedTokens(): void {}
  queueDepth(): void {}
  queueWait(): void {}
  embedBatch(): void {}
  remoteFailure(): void {}
}

export const NO_TELEMETRY: Telemetry = new NoTelemetry();
