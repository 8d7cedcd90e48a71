import type { DownloadProgress, ModelStatus } from '../../../model-status';

/** 35651584 -> "35.7 MB" (decimal units, as download tools show them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** 75 -> "1 min 15 s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const whole = Math.round(s);
  const [big, small, bigUnit, smallUnit] =
    whole < 3600
      ? [Math.floor(whole / 60), whole % 60, 'min', 's']
      : [Math.floor(whole / 3600), Math.round((whole % 3600) / 60), 'h', 'min'];
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** "12.3 MB of 35.0 MB (35.1%), 2.1 MB/s, 11 s left" (what is known of it). */
export function describeProgress(p: DownloadProgress): string {
  const parts = [
    p.bytesTotal === null
      ? formatBytes(p.bytesDone)
      : `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} (${p.percent}%)`,
  ];
  if (p.bytesPerSecond !== null) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.secondsLeft !== null) parts.push(`${formatSeconds(p.secondsLeft)} left`);
  return parts.join(', ');
}

/**
 * Why a model is not ready while its files are fetched: its progress, or the last failure and when
 * it is tried again.
 */
export function downloadReason(p: DownloadProgress, now = Date.now()): string {
  switch (p.state) {
    case 'listing':
      return `downloading from ${p.source}: listing its files`;
    case 'downloading':
      return `downloading from ${p.source}: ${describeProgress(p)}`;
    case 'waiting': {
      const wait = p.retryAt ? Math.max(0, (Date.parse(p.retryAt) - now) / 1000) : 0;
      return `download failed (try ${p.attempt}): ${p.error ?? 'unknown error'}; trying again in ${formatSeconds(wait)}`;
    }
    case 'failed':
      return `download failed: ${p.error ?? 'unknown error'}`;
    case 'done':
      return 'downloaded';
  }
}

/**
 * A model's state while its files are fetched: `downloading` with the progress, or `unavailable`
 * with the failure between tries and after the last; once done, its state is its own again.
 */
export function withDownload(status: ModelStatus, download: DownloadProgress): ModelStatus {
  if (download.state === 'done') return status;
  const between = download.state === 'waiting' || download.state === 'failed';
  return {
    ...status,
    state: between ? 'unavailable' : 'downloading',
    reason: downloadReason(download),
    download,
  };
}
