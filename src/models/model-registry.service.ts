import { Inject, Injectable } from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { DTYPES } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import {
  InvalidInputError,
  ModelNotAllowedError,
  ModelNotFoundError,
  ModelUnavailableError,
} from '../common/errors';
import { matchesModelAllow } from './model-allow';
import { CollectionsRepository } from '../database/collections.repository';
import { InferenceEngines } from '../engines/inference-engines';
import type { DownloadProgress, ModelStatus, ModelTask } from '../engines/model-status';
import { withDownload } from '../engines/adapters/transformers/download/download-format';
import { ModelDownloads } from '../engines/adapters/transformers/download/model-downloads.service';
import { LocalModel, configuredDtype, readLocalModel, scanModelsDir } from './model-catalog';

export type RegistryState = 'available' | 'downloading' | 'loading' | 'ready' | 'failed';

/** One (model, task, precision) the server can use, in the shape of an OpenAI model object plus ours. */
export interface ModelView {
  id: string;
  object: 'model';
  /** Epoch seconds: when the weights were placed in MODELS_DIR (0 when they are not there). */
  created: number;
  owned_by: string;
  task: ModelTask;
  state: RegistryState;
  reason?: string;
  /** While its files are fetched from the hub (and after a download failed). */
  download?: DownloadProgress;
  dtype: Dtype;
  /** Precisions whose weights are in MODELS_DIR. */
  dtypes: Dtype[];
  device: string;
  /** Size of the weights file(s) of this precision: the model's memory use is about this plus runtime buffers. */
  memoryBytes: number | null;
  loadMs: number | null;
  loadedAt: string | null;
  maxTokens?: number;
  dim?: number;
  /** Where it comes from: MODELS_DIR, the hub (downloaded into MODELS_DIR on first use), or remote servers. */
  source: 'models_dir' | 'hub' | 'remote';
  /** A remote model: its servers' name for it, its token counter, and each replica's state, last error and latency. */
  remote?: ModelStatus['remote'];
  /** The task it is the configured default for, if any. */
  defaultFor?: ModelTask;
  /** 'non-English': the default embedding model of collections in a fixed language other than English. */
  defaultForLanguages?: 'non-English';
  /** Collections whose vectors this embedding model makes. */
  collections?: string[];
}

export interface ModelSelector {
  task?: ModelTask;
  dtype?: Dtype;
}

/**
 * What models the server can use and in what state: the configured defaults, every model folder in
 * MODELS_DIR, what collections are pinned to, and whatever has been loaded.
 */
@Injectable()
export class ModelRegistryService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly engines: InferenceEngines,
    private readonly collections: CollectionsRepository,
    private readonly downloads: ModelDownloads,
  ) {}

  list(): ModelView[] {
    const local = new Map(scanModelsDir(this.settings.modelsDir).map((m) => [m.id, m]));
    const views = new Map<string, ModelView>();
    const add = (task: ModelTask, id: string, dtype: Dtype, status?: ModelStatus) => {
      const key = `${task}|${id}|${dtype}`;
      const view =
        views.get(key) ??
        this.view(
          task,
          id,
          dtype,
          local.get(id),
          status ?? this.engines.for(task).status({ id, dtype }),
        );
      views.set(key, view);
      return view;
    };
    for (const s of this.engines.statuses()) add(s.task, s.id, s.dtype, s);
    // Models pulled (POST /v1/models/{id}/pull) that nothing has loaded.
    for (const d of this.downloads.list())
      if (d.task && !views.has(`${d.task}|${d.id}|${d.dtype}`))
        add(d.task as ModelTask, d.id, d.dtype);
    for (const m of local.values()) {
      if (views.has(`${m.task}|${m.id}|${this.defaultDtype(m.task, m)}`)) continue;
      if ([...views.values()].some((v) => v.id === m.id && v.task === m.task)) continue;
      add(m.task, m.id, this.defaultDtype(m.task, m));
    }
    for (const c of this.collections.list()) {
      const v = add('embedding', c.embedding_model, c.embedding_dtype as Dtype);
      v.collections = [...(v.collections ?? []), c.name];
    }
    const { embedding, generation, rerank } = this.settings;
    // The default of collections in a fixed language other than English, listed even before one uses it.
    add('embedding', embedding.multilingualModel, embedding.dtype).defaultForLanguages =
      'non-English';
    for (const [task, d] of [
      ['embedding', embedding],
      ['generation', generation],
      ['reranking', rerank],
    ] as const) {
      const v = views.get(`${task}|${d.model}|${d.dtype}`);
      if (v) v.defaultFor = task;
    }
    return [...views.values()].sort(
      (a, b) =>
        a.task.localeCompare(b.task) || a.id.localeCompare(b.id) || a.dtype.localeCompare(b.dtype),
    );
  }

  /** Every entry for this model id; 404 naming what is available when there is none. */
  find(id: string): ModelView[] {
    const found = this.list().filter((v) => v.id === id);
    if (found.length === 0) throw this.notFound(id);
    return found;
  }

  async load(id: string, sel: ModelSelector): Promise<ModelView> {
    const { task, dtype, local } = this.resolve(id, sel);
    const status = await this.engines.for(task).ensure({ id, dtype });
    if (status.state !== 'ready')
      throw new ModelUnavailableError(id, status.reason ?? status.state);
    return this.view(task, id, dtype, local, status);
  }

  /** Unloads the model (every task and precision it is loaded with, or those selected). */
  async unload(id: string, sel: ModelSelector): Promise<ModelView[]> {
    const targets = this.find(id).filter(
      (v) => (!sel.task || v.task === sel.task) && (!sel.dtype || v.dtype === sel.dtype),
    );
    const local = readLocalModel(this.settings.modelsDir, id);
    const out: ModelView[] = [];
    for (const t of targets) {
      await this.engines.for(t.task).unload({ id: t.id, dtype: t.dtype });
      out.push(
        this.view(
          t.task,
          t.id,
          t.dtype,
          local,
          this.engines.for(t.task).status({ id: t.id, dtype: t.dtype }),
        ),
      );
    }
    return out;
  }

  /**
   * Throws ModelNotAllowedError (403) unless the id is known (in MODELS_DIR, a configured default, a
   * collection's model, one an engine has) or matches MODEL_ALLOW: an unknown id is never downloaded.
   */
  assertAllowed(id: string): void {
    if (matchesModelAllow(id, this.settings.modelAllow)) return;
    const { embedding, generation, rerank } = this.settings;
    const configured = [
      embedding.model,
      embedding.multilingualModel,
      generation.model,
      rerank.model,
    ];
    if (configured.includes(id)) return;
    if (this.engines.statuses().some((s) => s.id === id)) return;
    if (readLocalModel(this.settings.modelsDir, id)) return;
    if (this.collections.list().some((c) => c.embedding_model === id)) return;
    throw new ModelNotAllowedError(id);
  }

  /**
   * The task and precision a request means. A model in MODELS_DIR knows its task and precisions;
   * a hub model needs the task unless it is already known.
   */
  resolve(id: string, sel: ModelSelector): { task: ModelTask; dtype: Dtype; local?: LocalModel } {
    const local = readLocalModel(this.settings.modelsDir, id);
    const known = this.engines
      .statuses()
      .find((s) => s.id === id && (!sel.task || s.task === sel.task));
    const task = sel.task ?? local?.task ?? known?.task;
    if (!local && !this.settings.allowRemoteModels && !known) throw this.notFound(id);
    if (!local && !known) this.assertAllowed(id);
    if (!task)
      throw new InvalidInputError(
        `Say which task model '${id}' is for: embedding, generation or reranking`,
        { model: id },
      );
    if (local && sel.task && sel.task !== local.task) {
      throw new InvalidInputError(`Model '${id}' is a ${local.task} model, not ${sel.task}`, {
        model: id,
        task: local.task,
      });
    }
    const dtype = sel.dtype ?? (sel.task || !known ? this.defaultDtype(task, local) : known.dtype);
    if (local && !(dtype in local.dtypes) && !this.settings.allowRemoteModels) {
      const have = Object.keys(local.dtypes).join(', ');
      throw new InvalidInputError(
        `Model '${id}' has no ${dtype} weights in MODELS_DIR; it has: ${have}`,
        { model: id, dtype, available: have },
      );
    }
    return { task, dtype, local };
  }

  /** One entry as the list shows it, whatever its state. */
  entry(task: ModelTask, id: string, dtype: Dtype): ModelView {
    return this.view(
      task,
      id,
      dtype,
      readLocalModel(this.settings.modelsDir, id),
      this.engines.for(task).status({ id, dtype }),
    );
  }

  /** The precision a task's model is used at: the configured one, or one MODELS_DIR has. */
  defaultDtype(task: ModelTask, local?: LocalModel): Dtype {
    const configured = configuredDtype(this.settings, task);
    if (!local || configured in local.dtypes) return configured;
    return DTYPES.find((d) => d in local.dtypes) ?? configured;
  }

  private view(
    task: ModelTask,
    id: string,
    dtype: Dtype,
    local: LocalModel | undefined,
    status: ModelStatus,
  ): ModelView {
    const s = this.withPull(status);
    const state: RegistryState =
      s.state === 'ready'
        ? 'ready'
        : s.state === 'loading' || s.state === 'downloading'
          ? s.state
          : s.state === 'unavailable'
            ? 'failed'
            : 'available';
    const remote = s.device === 'remote';
    const hubOnly = !remote && (!local || !(dtype in local.dtypes));
    const unreachable = hubOnly && !this.settings.allowRemoteModels;
    return {
      id,
      object: 'model',
      created: local?.created ?? 0,
      owned_by: id.includes('/') ? id.split('/')[0]! : 'local',
      task,
      state: state === 'available' && unreachable ? 'failed' : state,
      ...(s.download ? { download: s.download } : {}),
      ...(s.reason
        ? { reason: s.reason }
        : state === 'available' && unreachable
          ? { reason: `no ${dtype} weights in MODELS_DIR and ALLOW_REMOTE_MODELS=false` }
          : {}),
      dtype,
      dtypes: remote ? [] : DTYPES.filter((d) => local && d in local.dtypes),
      device: s.device,
      memoryBytes: remote ? null : (local?.dtypes[dtype] ?? null),
      loadMs: s.loadMs ?? null,
      loadedAt: s.loadedAt ?? null,
      ...(s.maxTokens !== undefined ? { maxTokens: s.maxTokens } : {}),
      ...(s.dim !== undefined ? { dim: s.dim } : {}),
      source: remote ? 'remote' : hubOnly ? 'hub' : 'models_dir',
      ...(s.remote ? { remote: s.remote } : {}),
    };
  }

  /** A model nothing has loaded yet, being pulled (or whose pull failed): its download's state. */
  private withPull(s: ModelStatus): ModelStatus {
    if (s.download || s.state === 'ready' || s.state === 'loading') return s;
    const job = this.downloads.job(s.id, s.dtype);
    if (!job || (!job.active && s.state !== 'not_loaded')) return s;
    return withDownload(s, job.view());
  }

  private notFound(id: string): ModelNotFoundError {
    const available = [
      ...new Set(
        this.list()
          .filter((v) => v.state !== 'failed')
          .map((v) => v.id),
      ),
    ];
    return new ModelNotFoundError(id, available);
  }
}
