import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Dtype, Settings } from '../../../../config/settings';
import { SETTINGS } from '../../../../config/settings.provider';
import type { DownloadProgress } from '../../../model-status';
import { describeProgress, formatBytes, formatSeconds } from './download-format';
import { DownloadEvent, DownloadJob } from './download-job';
import { HubClient } from './hub-client';
import { hubOptionsOf } from './hub-options';
import { ModelDownloader } from './model-downloader';
import { missingFiles } from './model-files';

/** While anything downloads, one log line per download this often. */
const PROGRESS_LOG_MS = 5000;

/** A download as others read it (the /v1/models views, metrics). */
export interface DownloadView {
  id: string;
  dtype: Dtype;
  task?: string;
  active: boolean;
  progress: DownloadProgress;
}

/**
 * Every model download of the server: started by a model that must load and is not complete in
 * MODELS_DIR, or by a pull; one per model and precision at a time. Logs each download's start, a
 * progress line every few seconds, its failures and its end. Others follow them through `list`
 * and `subscribe` (the metrics read these).
 */
@Injectable()
export class ModelDownloads implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelDownloads');
  private readonly jobs = new Map<string, DownloadJob>();
  private readonly listeners = new Set<(e: DownloadEvent) => void>();
  private readonly hub: HubClient;
  private readonly downloader: ModelDownloader;
  private ticker?: NodeJS.Timeout;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {
    this.hub = new HubClient(hubOptionsOf(settings));
    this.downloader = new ModelDownloader(this.hub, settings.modelsDir);
  }

  /** Whether MODELS_DIR holds every file the model needs at this precision (no network). */
  async isComplete(id: string, dtype: Dtype): Promise<boolean> {
    const missing = await missingFiles(this.settings.modelsDir, id, dtype);
    return missing !== undefined && missing.length === 0;
  }

  /** Starts the download of the model at this precision, or gives the one under way. */
  fetch(id: string, dtype: Dtype, task?: string): DownloadJob {
    const key = `${id}|${dtype}`;
    const current = this.jobs.get(key);
    if (current?.active) return current;
    const job = new DownloadJob(
      id,
      dtype,
      this.downloader,
      { firstMs: this.settings.downloadRetryMs, maxMs: this.settings.modelRetryMs },
      (e) => this.onEvent(e),
      this.settings.hub.endpoint,
      task ?? current?.task,
    );
    this.jobs.set(key, job);
    return job;
  }

  /**
   * The model's config.json, from MODELS_DIR or else from the hub (kept there, verified): what
   * says its task. Throws DownloadError, explained.
   */
  async config(id: string): Promise<Record<string, unknown>> {
    return (await this.downloader.config(id)).config;
  }

  /** The latest download of the model at this precision (under way, failed or done). */
  job(id: string, dtype: Dtype): DownloadJob | undefined {
    return this.jobs.get(`${id}|${dtype}`);
  }

  list(): DownloadView[] {
    return [...this.jobs.values()].map((j) => ({
      id: j.id,
      dtype: j.dtype,
      ...(j.task ? { task: j.task } : {}),
      active: j.active,
      progress: j.view(),
    }));
  }

  /** Told when a download starts, waits to try again, fails for good or is done. */
  subscribe(listener: (e: DownloadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplicationShutdown(): Promise<void> {
    clearInterval(this.ticker);
    for (const job of this.jobs.values()) job.cancel();
    return this.hub.close();
  }

  private onEvent(e: DownloadEvent): void {
    const { job } = e;
    const name = `${job.id} (${job.dtype})`;
    switch (e.type) {
      case 'started':
        this.logger.log(`Downloading ${name} from ${this.settings.hub.endpoint}`);
        this.ticker ??= setInterval(() => this.logProgress(), PROGRESS_LOG_MS);
        this.ticker.unref();
        break;
      case 'waiting': {
        const p = job.view();
        const wait = p.retryAt ? (Date.parse(p.retryAt) - Date.now()) / 1000 : 0;
        this.logger.warn(
          `Download of ${name} failed (try ${p.attempt}): ${e.error.message}; trying again in ${formatSeconds(wait)}`,
        );
        break;
      }
      case 'failed':
        this.logger.warn(`Download of ${name} failed: ${e.error.message}`);
        break;
      case 'done': {
        const p = job.view();
        const seconds = (Date.parse(p.updatedAt) - Date.parse(p.startedAt)) / 1000;
        this.logger.log(
          `Downloaded ${name}: ${formatBytes(p.bytesDone)} in ${formatSeconds(seconds)}, verified`,
        );
        break;
      }
    }
    for (const l of this.listeners) l(e);
  }

  private logProgress(): void {
    const jobs = [...this.jobs.values()];
    if (!jobs.some((j) => j.active)) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    for (const job of jobs) {
      const p = job.view();
      if (job.active && p.state === 'downloading')
        this.logger.log(`Downloading ${job.id} (${job.dtype}): ${describeProgress(p)}`);
    }
  }
}
