import { Inject, Injectable, Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { isSameOrInside } from '../config/path-containment';
import {
  DownloadsDisabledError,
  InvalidInputError,
  ModelHubError,
  ModelInUseError,
  ModelNotFoundError,
} from '../common/errors';
import { CollectionsRepository } from '../database/collections.repository';
import { DownloadError } from '../engines/adapters/transformers/download/download-error';
import { ModelDownloads } from '../engines/adapters/transformers/download/model-downloads.service';
import { modelFolder } from '../engines/adapters/transformers/download/model-files';
import { InferenceEngines } from '../engines/inference-engines';
import type { ModelTask } from '../engines/model-status';
import { readLocalModel, taskOf } from './model-catalog';
import { ModelRegistryService, type ModelSelector, type ModelView } from './model-registry.service';

/** What `DELETE /v1/models/{id}` freed. */
export interface RemovedModel {
  id: string;
  deleted: true;
  /** Bytes of the files removed from MODELS_DIR. */
  freedBytes: number;
}

/**
 * The models in MODELS_DIR as files: pulled from the hub ahead of use (the download goes on in
 * the background, its progress in the model's view), and removed when nothing uses them.
 */
@Injectable()
export class ModelStoreService {
  private readonly logger = new Logger(ModelStoreService.name);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly registry: ModelRegistryService,
    private readonly downloads: ModelDownloads,
    private readonly engines: InferenceEngines,
    private readonly collections: CollectionsRepository,
  ) {}

  /**
   * Starts fetching the model's files for a precision (default: its task's configured one) and
   * answers at once with its view: `downloading` with progress, or its state if already complete.
   * A model whose task nobody knows has its config.json fetched first to tell it.
   */
  async pull(id: string, sel: ModelSelector): Promise<ModelView> {
    if (!this.settings.allowRemoteModels) throw new DownloadsDisabledError(id);
    const local = readLocalModel(this.settings.modelsDir, id);
    if (local && sel.task && sel.task !== local.task)
      throw new InvalidInputError(`Model '${id}' is a ${local.task} model, not ${sel.task}`, {
        model: id,
        task: local.task,
      });
    const known = this.engines.statuses().find((s) => s.id === id);
    const task: ModelTask = sel.task ?? local?.task ?? known?.task ?? (await this.taskOnHub(id));
    const dtype = sel.dtype ?? this.registry.defaultDtype(task);
    if (!(await this.downloads.isComplete(id, dtype))) this.downloads.fetch(id, dtype, task);
    return this.registry.entry(task, id, dtype);
  }

  /** Deletes the model's folder from MODELS_DIR, unless a collection uses it or it is loaded. */
  async remove(id: string): Promise<RemovedModel> {
    const dir = modelFolder(this.settings.modelsDir, id);
    if (!isSameOrInside(dir, this.settings.modelsDir) || dir === this.settings.modelsDir)
      throw new InvalidInputError(`'${id}' is not a model id`, { model: id });
    const there = await fs.stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!there)
      throw new ModelNotFoundError(id, [
        ...new Set(
          this.registry
            .list()
            .filter((v) => v.source === 'models_dir')
            .map((v) => v.id),
        ),
      ]);
    const users = this.collections
      .list()
      .filter((c) => c.embedding_model === id)
      .map((c) => c.name);
    if (users.length > 0)
      throw new ModelInUseError(
        id,
        `collection${users.length > 1 ? 's' : ''} ${users.join(', ')} embed${users.length > 1 ? '' : 's'} with it; delete or re-embed ${users.length > 1 ? 'them' : 'it'} first`,
      );
    const busy = this.engines
      .statuses()
      .filter((s) => s.id === id && ['ready', 'loading', 'downloading'].includes(s.state));
    if (busy.length > 0)
      throw new ModelInUseError(
        id,
        `it is ${busy.map((s) => `${s.state} (${s.task}, ${s.dtype})`).join(', ')}; unload it first (POST /v1/models/${id}/unload)`,
      );
    if (this.downloads.list().some((d) => d.id === id && d.active))
      throw new ModelInUseError(id, 'it is being downloaded');
    const freedBytes = await sizeOf(dir);
    await fs.rm(dir, { recursive: true, force: true });
    // An organisation folder left empty ("org" of "org/name") goes too.
    const parent = path.dirname(dir);
    if (parent !== this.settings.modelsDir) await fs.rmdir(parent).catch(() => undefined);
    this.logger.log(`Removed model ${id} from MODELS_DIR (${freedBytes} bytes)`);
    return { id, deleted: true, freedBytes };
  }

  private async taskOnHub(id: string): Promise<ModelTask> {
    try {
      return taskOf(await this.downloads.config(id));
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      throw new ModelHubError(id, e.message, e.failure === 'not_found' ? 404 : 502);
    }
  }
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}
