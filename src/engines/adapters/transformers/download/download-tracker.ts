import type { DownloadFileProgress, DownloadProgress } from '../../../model-status';

/** The rate is measured over this much recent time. */
const RATE_WINDOW_MS = 5000;

/**
 * The progress of one model's download: per file and in all, with the rate over the last few
 * seconds and the time left at that rate. Fed by the downloader, read by whoever asks.
 */
export class DownloadTracker {
  state: DownloadProgress['state'] = 'listing';
  revision: string | null = null;
  attempt = 0;
  error?: string;
  retryAt?: number;
  private files: DownloadFileProgress[] = [];
  /** (time, bytes done) pairs of the last RATE_WINDOW_MS, oldest first. */
  private samples: [number, number][] = [];
  private done = 0;
  private readonly startedAt: number;
  private updatedAt: number;

  constructor(
    readonly source: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = this.updatedAt = now();
  }

  /** A new try begins. */
  begin(): void {
    this.attempt++;
    this.state = 'listing';
    this.error = undefined;
    this.retryAt = undefined;
    this.samples = [];
    this.touch();
  }

  /** The files of this model: those to fetch, and those already in MODELS_DIR. */
  plan(
    revision: string,
    files: { path: string; size: number | undefined; present: boolean }[],
  ): void {
    this.revision = revision;
    this.files = files.map((f) => ({
      path: f.path,
      state: f.present ? 'present' : 'pending',
      bytesDone: f.present ? (f.size ?? 0) : 0,
      bytesTotal: f.size ?? null,
    }));
    this.done = this.fetchedBytes();
    this.state = 'downloading';
    this.sample();
  }

  /** A file starts with `have` bytes already fetched (resumed), of `size`. */
  fileStart(file: string, have: number, size: number | undefined): void {
    const f = this.file(file);
    f.state = 'downloading';
    f.bytesDone = have;
    if (size !== undefined) f.bytesTotal = size;
    this.done = this.fetchedBytes();
    // A restart from zero is not negative progress: begin the rate afresh.
    this.samples = [];
    this.sample();
  }

  fileBytes(file: string, n: number): void {
    this.file(file).bytesDone += n;
    this.done += n;
    this.sample();
  }

  fileDone(file: string): void {
    const f = this.file(file);
    f.state = 'done';
    f.bytesTotal = f.bytesDone;
    this.touch();
  }

  finish(): void {
    this.state = 'done';
    this.touch();
  }

  /** The try failed; `retryAt` (epoch ms) when another follows. */
  fail(error: string, retryAt?: number): void {
    this.error = error;
    this.retryAt = retryAt;
    this.state = retryAt === undefined ? 'failed' : 'waiting';
    this.samples = [];
    this.touch();
  }

  view(): DownloadProgress {
    const fetched = this.files.filter((f) => f.state !== 'present');
    const total =
      this.state !== 'listing' && fetched.every((f) => f.bytesTotal !== null)
        ? fetched.reduce((s, f) => s + f.bytesTotal!, 0)
        : null;
    const rate = this.state === 'downloading' ? this.rate() : null;
    const left =
      total !== null && rate !== null && rate > 0
        ? Math.max(0, Math.round((total - this.done) / rate))
        : null;
    return {
      state: this.state,
      source: this.source,
      revision: this.revision,
      bytesDone: this.done,
      bytesTotal: total,
      percent:
        total === null
          ? null
          : total === 0
            ? 100
            : Math.min(100, Math.round((this.done / total) * 1000) / 10),
      bytesPerSecond: rate === null ? null : Math.round(rate),
      secondsLeft: left,
      files: this.files.map((f) => ({ ...f })),
      attempt: this.attempt,
      startedAt: new Date(this.startedAt).toISOString(),
      updatedAt: new Date(this.updatedAt).toISOString(),
      ...(this.retryAt !== undefined ? { retryAt: new Date(this.retryAt).toISOString() } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }

  private fetchedBytes(): number {
    return this.files.filter((f) => f.state !== 'present').reduce((s, f) => s + f.bytesDone, 0);
  }

  private file(path: string): DownloadFileProgress {
    let f = this.files.find((x) => x.path === path);
    if (!f) {
      f = { path, state: 'pending', bytesDone: 0, bytesTotal: null };
      this.files.push(f);
    }
    return f;
  }

  private touch(): void {
    this.updatedAt = this.now();
  }

  private sample(): void {
    const t = this.now();
    this.updatedAt = t;
    const last = this.samples[this.samples.length - 1];
    if (last && t - last[0] < 100) last[1] = this.done;
    else this.samples.push([t, this.done]);
    while (this.samples.length > 2 && t - this.samples[0]![0] > RATE_WINDOW_MS)
      this.samples.shift();
  }

  /** Bytes per second from the oldest sample of the window to now (a stall brings it down). */
  private rate(): number | null {
    const first = this.samples[0];
    if (!first) return null;
    const elapsed = this.now() - first[0];
    if (elapsed < 500) return null;
    return ((this.done - first[1]) * 1000) / elapsed;
  }
}
