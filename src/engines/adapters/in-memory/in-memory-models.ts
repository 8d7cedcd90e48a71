import { ModelUnavailableError } from '../../../common/errors';
import type { ModelRef, ModelStatus, ModelTask } from '../../model-status';

/**
 * The model states of an in-memory engine: every model it is told of is ready at once (nothing to
 * load); any other id is unavailable, as a model missing from MODELS_DIR would be.
 */
export class InMemoryModels {
  private readonly loaded = new Map<string, ModelStatus>();

  constructor(
    private readonly task: ModelTask,
    private readonly known: ReadonlySet<string>,
    private readonly shape: Pick<ModelStatus, 'maxTokens' | 'dim'>,
  ) {}

  ensure(model: ModelRef): Promise<ModelStatus> {
    const key = `${model.id}|${model.dtype}`;
    if (!this.known.has(model.id)) return Promise.resolve(this.status(model));
    const ready: ModelStatus = {
      ...this.base(model),
      state: 'ready',
      ...this.shape,
      loadMs: 0,
      loadedAt: new Date().toISOString(),
    };
    this.loaded.set(key, this.loaded.get(key) ?? ready);
    return Promise.resolve({ ...this.loaded.get(key)! });
  }

  status(model: ModelRef): ModelStatus {
    const loaded = this.loaded.get(`${model.id}|${model.dtype}`);
    if (loaded) return { ...loaded };
    if (!this.known.has(model.id))
      return { ...this.base(model), state: 'unavailable', reason: 'not an in-memory model' };
    return { ...this.base(model), state: 'not_loaded' };
  }

  statuses(): ModelStatus[] {
    return [...this.loaded.values()].map((s) => ({ ...s }));
  }

  unload(model: ModelRef): Promise<ModelStatus | undefined> {
    const key = `${model.id}|${model.dtype}`;
    const before = this.loaded.get(key);
    this.loaded.delete(key);
    return Promise.resolve(before && { ...before });
  }

  /** Throws as an engine does for a model it cannot have. */
  async ready(model: ModelRef): Promise<ModelStatus> {
    const status = await this.ensure(model);
    if (status.state !== 'ready') throw new ModelUnavailableError(model.id, status.reason ?? '');
    return status;
  }

  private base(model: ModelRef): Omit<ModelStatus, 'state'> {
    return { id: model.id, task: this.task, dtype: model.dtype, device: 'memory' };
  }
}

/** Lower-cased words of letters and digits (any script). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
