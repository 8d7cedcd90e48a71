import { Presets, SingleBar } from 'cli-progress';
import type { DownloadProgress } from '../../engines/model-status';
import {
  describeProgress,
  formatBytes,
  formatSeconds,
} from '../../engines/adapters/transformers/download/download-format';

/** On a terminal without a bar: one line this often. */
const LINE_EVERY_MS = 5000;

/**
 * Shows a model download as it goes: a progress bar on a terminal (cli-progress), else a line
 * every few seconds (logs, pipes, CI), and each failed try with its reason.
 */
export class PullProgress {
  private bar?: SingleBar;
  private lastLine = 0;
  private lastFailure?: string;

  constructor(
    private readonly name: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  show(p: DownloadProgress): void {
    if (p.state === 'waiting' && p.error) {
      this.failed(p);
      return;
    }
    if (p.state !== 'downloading' || p.bytesTotal === null) return;
    if (this.stream.isTTY) this.render(p);
    else if (Date.now() - this.lastLine >= LINE_EVERY_MS) {
      this.lastLine = Date.now();
      this.stream.write(`${this.name}: ${describeProgress(p)}\n`);
    }
  }

  /** A try failed and another follows (said once per try). */
  failed(p: DownloadProgress): void {
    const key = `${p.attempt}`;
    if (key === this.lastFailure) return;
    this.lastFailure = key;
    const wait = p.retryAt ? Math.max(0, (Date.parse(p.retryAt) - Date.now()) / 1000) : 0;
    this.stopBar();
    this.stream.write(
      `${this.name}: try ${p.attempt} failed: ${p.error ?? 'unknown error'}; trying again in ${formatSeconds(wait)}\n`,
    );
  }

  /** The download is complete: the bar at its end, and one line saying so. */
  done(p: DownloadProgress | undefined, where: string): void {
    const fetched = p ? (p.bytesTotal ?? p.bytesDone) : 0;
    if (p && this.bar) this.render({ ...p, state: 'downloading', bytesDone: fetched });
    this.stopBar();
    const size = p ? `${formatBytes(fetched)} fetched and verified` : 'already complete';
    this.stream.write(`${this.name}: ${size}, in ${where}\n`);
  }

  stop(): void {
    this.stopBar();
  }

  private render(p: DownloadProgress): void {
    const file = p.files.find((f) => f.state === 'downloading')?.path ?? '';
    const payload = {
      done: formatBytes(p.bytesDone),
      size: formatBytes(p.bytesTotal ?? 0),
      rate: p.bytesPerSecond === null ? '-' : `${formatBytes(p.bytesPerSecond)}/s`,
      left: p.secondsLeft === null ? '-' : `${formatSeconds(p.secondsLeft)} left`,
      file,
    };
    if (!this.bar) {
      this.bar = new SingleBar(
        {
          format: `${this.name} {bar} {percentage}% | {done} / {size} | {rate} | {left} | {file}`,
          stream: this.stream,
          hideCursor: true,
          barsize: 30,
        },
        Presets.shades_classic,
      );
      this.bar.start(p.bytesTotal ?? 0, p.bytesDone, payload);
    } else this.bar.update(p.bytesDone, payload);
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
