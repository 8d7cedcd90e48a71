import type { Dtype } from '../../../../config/settings';
import type { DownloadProgress } from '../../../model-status';
import { DownloadError } from './download-error';
import { DownloadTracker } from './download-tracker';
import type { ModelDownloader } from './model-downloader';

/** How long to wait after a failed try: `firstMs`, doubled after each failure in a row, at most `maxMs`. */
export interface RetryPolicy {
  firstMs: number;
  maxMs: number;
}

export function retryDelay(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.firstMs * 2 ** Math.max(0, failures - 1));
}

export type DownloadEvent =
  | { type: 'started' | 'done'; job: DownloadJob }
  | { type: 'waiting' | 'failed'; job: DownloadJob; error: DownloadError };

/**
 * A model's download until it is complete: tries, and after a failure that trying again can fix
 * (network, cut, disk full, a refused file) waits with exponential backoff and tries again,
 * resuming the partial files. A failure that needs a change of configuration (wrong id, gated or
 * private model, missing precision) ends it: `done` rejects with the reason.
 */
export class DownloadJob {
  readonly tracker: DownloadTracker;
  readonly done: Promise<void>;
  private failures = 0;
  private readonly abort = new AbortController();
  private wake?: () => void;
  private running = true;

  constructor(
    readonly id: string,
    readonly dtype: Dtype,
    private readonly downloader: ModelDownloader,
    private readonly policy: RetryPolicy,
    private readonly onEvent: (e: DownloadEvent) => void,
    source: string,
    /** What the model is for, when the caller knows (for views of models nobody loaded). */
    readonly task?: string,
  ) {
    this.tracker = new DownloadTracker(source);
    this.done = Promise.resolve().then(() => this.run()); // after the constructor: listeners see a whole job
    this.done.catch(() => undefined); // callers that do not wait must not see an unhandled rejection
  }

  /** Still trying (downloading, or waiting to try again). */
  get active(): boolean {
    return this.running;
  }

  view(): DownloadProgress {
    return this.tracker.view();
  }

  /** Stops it: the partial files stay, for the next download to resume. */
  cancel(): void {
    this.abort.abort(new Error('download cancelled'));
    this.wake?.();
  }

  private async run(): Promise<void> {
    this.onEvent({ type: 'started', job: this });
    try {
      for (;;) {
        try {
          await this.downloader.download(this.id, this.dtype, this.tracker, this.abort.signal);
          this.onEvent({ type: 'done', job: this });
          return;
        } catch (e) {
          if (this.abort.signal.aborted) {
            this.tracker.fail('cancelled');
            throw e;
          }
          const error =
            e instanceof DownloadError
              ? e
              : new DownloadError('io', e instanceof Error ? e.message : String(e));
          if (!error.retriable) {
            this.tracker.fail(error.message);
            this.onEvent({ type: 'failed', job: this, error });
            throw error;
          }
          this.failures++;
          const wait = Math.max(
            retryDelay(this.failures, this.policy),
            (error.retryAfterSeconds ?? 0) * 1000,
          );
          this.tracker.fail(error.message, Date.now() + wait);
          this.onEvent({ type: 'waiting', job: this, error });
          await this.sleep(wait);
          if (this.abort.signal.aborted) {
            this.tracker.fail('cancelled');
            throw error;
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
