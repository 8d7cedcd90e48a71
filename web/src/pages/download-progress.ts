import type { DownloadProgress } from '../api/types';
import { bytes, duration, when } from '../shared/format';

/**
 * A model download in words: "1.2 MB of 2.6 MB (46%) · 500 kB/s · 3 s left", or why it waits or
 * failed, for the models page (GET /v1/models gives the numbers).
 */
export function downloadSummary(d: DownloadProgress): string {
  switch (d.state) {
    case 'listing':
      return `asking ${d.source} for the files`;
    case 'waiting':
      return `try ${d.attempt} failed${d.error ? `: ${d.error}` : ''}; next try ${d.retryAt ? `at ${when(d.retryAt)}` : 'soon'}`;
    case 'failed':
      return `download failed${d.error ? `: ${d.error}` : ''}`;
    case 'done':
      return `${bytes(d.bytesDone)} fetched and verified`;
    case 'downloading': {
      const of = d.bytesTotal === null ? '' : ` of ${bytes(d.bytesTotal)}`;
      const pct = d.percent === null ? '' : ` (${Math.floor(d.percent)}%)`;
      const rate = d.bytesPerSecond ? ` · ${bytes(d.bytesPerSecond)}/s` : '';
      const left = d.secondsLeft === null ? '' : ` · ${duration(d.secondsLeft)} left`;
      return `${bytes(d.bytesDone)}${of}${pct}${rate}${left}`;
    }
  }
}

/** The file being fetched now, if any ("onnx/model.onnx, 40%"). */
export function currentFile(d: DownloadProgress): string | undefined {
  const f = d.files.find((x) => x.state === 'downloading');
  if (!f) return undefined;
  const pct = f.bytesTotal ? `, ${Math.floor((100 * f.bytesDone) / f.bytesTotal)}%` : '';
  return `${f.path}${pct}`;
}
