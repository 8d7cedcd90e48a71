import { loadSettings } from '../../config/settings';
import type { Dtype } from '../../config/settings';
import { DownloadError } from '../../engines/adapters/transformers/download/download-error';
import { DownloadJob } from '../../engines/adapters/transformers/download/download-job';
import { HubClient } from '../../engines/adapters/transformers/download/hub-client';
import { hubOptionsOf } from '../../engines/adapters/transformers/download/hub-options';
import { ModelDownloader } from '../../engines/adapters/transformers/download/model-downloader';
import { missingFiles } from '../../engines/adapters/transformers/download/model-files';
import type { DownloadProgress, ModelTask } from '../../engines/model-status';
import { configuredDtype, readLocalModel, taskOf } from '../../models/model-catalog';
import { CliError, EXIT } from '../exit-codes';
import type { PullProgress } from './pull-progress';

/**
 * Downloads a model into a folder without a server, with the server's own downloader (resume,
 * verification, retries with backoff) and the hub settings of the environment (HF_ENDPOINT,
 * HF_TOKEN, HTTPS_PROXY, ...). For a machine with network preparing MODELS_DIR for one without.
 * Resolves with the final progress, or undefined when the model was already complete.
 */
export async function pullInto(
  modelsDir: string,
  id: string,
  sel: { task?: ModelTask; dtype?: Dtype },
  progress: PullProgress,
): Promise<{ dtype: Dtype; result?: DownloadProgress }> {
  const settings = loadSettings({ ...process.env, MODELS_DIR: modelsDir });
  const hub = new HubClient(hubOptionsOf(settings));
  const downloader = new ModelDownloader(hub, settings.modelsDir);
  let job: DownloadJob | undefined;
  const stop = () => job?.cancel();
  process.once('SIGINT', stop);
  try {
    const local = readLocalModel(settings.modelsDir, id);
    const task = sel.task ?? local?.task ?? taskOf((await downloader.config(id)).config);
    const dtype = sel.dtype ?? configuredDtype(settings, task);
    const missing = await missingFiles(settings.modelsDir, id, dtype);
    if (missing?.length === 0) return { dtype };
    job = new DownloadJob(
      id,
      dtype,
      downloader,
      { firstMs: settings.downloadRetryMs, maxMs: settings.modelRetryMs },
      (e) => {
        if (e.type === 'waiting') progress.failed(e.job.view());
      },
      settings.hub.endpoint,
      task,
    );
    const running = job;
    const timer = setInterval(() => progress.show(running.view()), 200);
    try {
      await job.done;
    } finally {
      clearInterval(timer);
      progress.stop();
    }
    return { dtype, result: job.view() };
  } catch (e) {
    if (e instanceof DownloadError) throw new CliError(`${id}: ${e.message}`, EXIT.server);
    if (job?.view().state === 'failed')
      throw new CliError(`${id}: download cancelled`, EXIT.interrupted);
    throw e;
  } finally {
    process.off('SIGINT', stop);
    await hub.close();
  }
}
