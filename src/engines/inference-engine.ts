import type { ModelRef, ModelStatus } from './model-status';

/**
 * What every engine port shares: models that are loaded (or reached) on demand and report their
 * state. `ensure` never throws: a model that cannot be had is `unavailable` with a reason, and
 * callers degrade (lexical search, extractive answers, un-reranked results).
 */
export abstract class InferenceEngine {
  /** Loads the model if needed and waits for it; resolves with its state, never throws. */
  abstract ensure(model: ModelRef): Promise<ModelStatus>;
  /** Its state now, without loading it. */
  abstract status(model: ModelRef): ModelStatus;
  /** Every model this engine knows of. */
  abstract statuses(): ModelStatus[];
  /** Frees a loaded model (the next call loads it again); its state before, if it was known. */
  abstract unload(model: ModelRef): Promise<ModelStatus | undefined>;
}
