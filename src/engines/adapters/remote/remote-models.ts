import { Logger } from '@nestjs/common';
import { ModelUnavailableError } from '../../../common/errors';
import type { Telemetry } from '../../../common/telemetry';
import type { ModelDeclaration, RemoteOptions } from '../../../config/model-declarations';
import type { ModelStates } from '../../inference-engine';
import type { ModelRef, ModelStatus, ModelTask } from '../../model-status';
import { displayUrl } from './remote-http';
import { ReplicaPool } from './replica-pool';

/** What probing a replica found out about the model. */
export interface ProbeResult {
  dim?: number;
  maxInputTokens?: number;
  ragd?: boolean;
}

/** A declared remote model: its replicas and what has been learnt of it. */
export interface RemoteModel {
  id: string;
  dtype: ModelDeclaration['dtype'];
  remote: RemoteOptions;
  pool: ReplicaPool;
  /** Embedding width, from the first replica that answered (every other must agree). */
  dim?: number;
  /** Most input tokens: the server's figure, else the configured one, else the task's default. */
  maxTokens: number;
  /** The server adds embedding prefixes itself (another ragd). */
  ragd: boolean;
  /** 'estimate', or the MODELS_DIR tokenizer that counts its tokens. */
  tokenCounter: string;
  reaching?: Promise<void>;
  reached: boolean;
  loadMs?: number;
  loadedAt?: string;
}

export interface RemoteModelsOptions {
  task: ModelTask;
  declarations: ModelDeclaration[];
  /** The task's input limit when neither the server nor the settings give one. */
  defaultMaxTokens: number;
  probeMaxMs: number;
  /** Checks one replica with a real, small call; throws when it cannot serve. */
  probe: (model: RemoteModel, url: string) => Promise<ProbeResult>;
  /** 'estimate' or the tokenizer id, looked up when the model is first reached. */
  tokenCounterOf: (model: RemoteModel) => Promise<string>;
  /** Where replica failures are counted (the metrics). */
  telemetry?: Telemetry;
}

/**
 * The states of one task's remote models. A model is 'ready' while at least one replica is up,
 * 'unavailable' (with every replica's error) while none is; replicas that are down are probed in
 * the background, so the model comes back by itself. `ensure` waits only for the first reach.
 */
export class RemoteModels implements ModelStates {
  private readonly logger = new Logger(RemoteModels.name);
  private readonly models = new Map<string, RemoteModel>();

  constructor(private readonly options: RemoteModelsOptions) {
    for (const d of options.declarations) {
      if (!d.remote) continue;
      const model: RemoteModel = {
        id: d.id,
        dtype: d.dtype,
        remote: d.remote,
        maxTokens: d.remote.maxInputTokens ?? options.defaultMaxTokens,
        ragd: false,
        tokenCounter: 'estimate',
        reached: false,
        pool: new ReplicaPool(d.remote.endpoints, {
          model: d.id,
          probeMaxMs: options.probeMaxMs,
          probe: async (url) => this.learn(model, await options.probe(model, url), url),
          onChange: (url, state, reason) => {
            if (state === 'up') this.logger.log(`${options.task} model ${d.id}: ${url} is up`);
            else this.logger.warn(`${options.task} model ${d.id}: ${url} is down: ${reason}`);
          },
          onFailure: (url, kind) => options.telemetry?.remoteFailure(options.task, d.id, url, kind),
        }),
      };
      this.models.set(d.id, model);
    }
  }

  has(id: string): boolean {
    return this.models.has(id);
  }

  ids(): string[] {
    return [...this.models.keys()];
  }

  /** The model, or undefined for an id not declared remote. */
  get(id: string): RemoteModel | undefined {
    return this.models.get(id);
  }

  async ensure(ref: ModelRef): Promise<ModelStatus> {
    const m = this.models.get(ref.id);
    if (!m) return this.status(ref);
    if (!m.reached) {
      m.reaching ??= this.reach(m).finally(() => (m.reaching = undefined));
      await m.reaching;
    }
    return this.status(ref);
  }

  status(ref: ModelRef): ModelStatus {
    const m = this.models.get(ref.id);
    const base = { id: ref.id, task: this.options.task, dtype: ref.dtype, device: 'remote' };
    if (!m) return { ...base, state: 'unavailable', reason: 'not a remote model declared here' };
    const up = m.pool.anyUp;
    const state = !m.reached
      ? m.reaching
        ? 'loading'
        : 'not_loaded'
      : up
        ? 'ready'
        : 'unavailable';
    return {
      ...base,
      state,
      ...(state === 'unavailable' ? { reason: `no replica can serve it: ${m.pool.reason}` } : {}),
      maxTokens: m.maxTokens,
      ...(m.dim !== undefined ? { dim: m.dim } : {}),
      ...(m.loadMs !== undefined && up ? { loadMs: m.loadMs, loadedAt: m.loadedAt } : {}),
      remote: {
        model: m.remote.model,
        tokenCounter: m.tokenCounter,
        replicas: m.pool.statuses(),
      },
    };
  }

  statuses(): ModelStatus[] {
    return [...this.models.values()].map((m) => this.status({ id: m.id, dtype: m.dtype }));
  }

  /** Forgets what was learnt (dimensions, limits, replica states): the next ensure reaches it anew. */
  unload(ref: ModelRef): Promise<ModelStatus | undefined> {
    const m = this.models.get(ref.id);
    if (!m) return Promise.resolve(undefined);
    const before = this.status(ref);
    m.pool.reset();
    m.reached = false;
    m.dim = undefined;
    m.maxTokens = m.remote.maxInputTokens ?? this.options.defaultMaxTokens;
    m.loadMs = undefined;
    m.loadedAt = undefined;
    return Promise.resolve(before);
  }

  /** Throws ModelUnavailableError unless the model is ready. */
  async ready(ref: ModelRef): Promise<RemoteModel> {
    const status = await this.ensure(ref);
    const m = this.models.get(ref.id);
    if (!m || status.state !== 'ready')
      throw new ModelUnavailableError(ref.id, status.reason ?? status.state);
    return m;
  }

  close(): void {
    for (const m of this.models.values()) m.pool.close();
  }

  private async reach(m: RemoteModel): Promise<void> {
    const t0 = performance.now();
    const [counter] = await Promise.all([this.options.tokenCounterOf(m), m.pool.reach()]);
    m.tokenCounter = counter;
    m.reached = true;
    m.loadMs = Math.round(performance.now() - t0);
    m.loadedAt = new Date().toISOString();
    if (m.pool.anyUp)
      this.logger.log(
        `${this.options.task} model ${m.id} reached in ${m.loadMs} ms (max ${m.maxTokens} tokens${m.dim ? `, ${m.dim} dims` : ''}; tokens: ${m.tokenCounter})`,
      );
    else this.logger.warn(`${this.options.task} model ${m.id} unavailable: ${m.pool.reason}`);
  }

  /** Takes in what a probe learnt; a replica that disagrees with the others fails its probe. */
  private learn(m: RemoteModel, found: ProbeResult, url: string): void {
    const expected = m.dim ?? m.remote.dimensions;
    if (found.dim !== undefined && expected !== undefined && found.dim !== expected)
      throw new Error(
        `${displayUrl(url)} answers ${found.dim} dimensions, but ${m.id} has ${expected}${m.dim === undefined ? ' (dimensions in MODELS_FILE)' : ''}`,
      );
    if (found.dim !== undefined) m.dim = found.dim;
    if (found.maxInputTokens !== undefined)
      m.maxTokens = Math.min(found.maxInputTokens, m.remote.maxInputTokens ?? Infinity);
    if (found.ragd !== undefined) m.ragd = found.ragd;
  }
}
