import type { ModelRef, ModelStatus } from './model-status';

/** The states of an engine's models: what every adapter keeps, in its own way. */
export interface ModelStates {
  /** Loads (or reaches) the model if needed and waits; resolves with its state, never throws. */
  ensure(model: ModelRef): Promise<ModelStatus>;
  /** Its state now, without loading it. */
  status(model: ModelRef): ModelStatus;
  /** Every model this engine knows of. */
  statuses(): ModelStatus[];
  /** Frees a loaded model (the next call loads it again); its state before, if it was known. */
  unload(model: ModelRef): Promise<ModelStatus | undefined>;
}

/**
 * What every engine port shares: models that are loaded (or reached) on demand and report their
 * state. `ensure` never throws: a model that cannot be had is `unavailable` with a reason, and
 * callers degrade (lexical search, extractive answers, un-reranked results).
 */
export abstract class InferenceEngine implements ModelStates {
  protected abstract readonly models: ModelStates;

  ensure(model: ModelRef): Promise<ModelStatus> {
    return this.models.ensure(model);
  }

  status(model: ModelRef): ModelStatus {
    return this.models.status(model);
  }

  statuses(): ModelStatus[] {
    return this.models.statuses();
  }

  unload(model: ModelRef): Promise<ModelStatus | undefined> {
    return this.models.unload(model);
  }
}
