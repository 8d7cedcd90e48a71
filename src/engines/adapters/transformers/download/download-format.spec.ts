import { describeProgress, downloadReason, formatBytes, formatSeconds } from './download-format';
import type { DownloadProgress } from '../../../model-status';

const progress: DownloadProgress = {
  state: 'downloading',
  source: 'https://hub.example',
  revision: 'abc',
  bytesDone: 12_300_000,
  bytesTotal: 35_000_000,
  percent: 35.1,
  bytesPerSecond: 2_100_000,
  secondsLeft: 75,
  files: [],
  attempt: 2,
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:10.000Z',
};

describe('download wording', () => {
  it('formats sizes and durations as a person reads them', () => {
    expect([999, 1500, 35_651_584, 1_200_000_000].map(formatBytes)).toEqual([
      '999 B',
      '1.5 kB',
      '35.7 MB',
      '1.2 GB',
    ]);
    expect([5, 60, 75, 3600, 5400].map(formatSeconds)).toEqual([
      '5 s',
      '1 min',
      '1 min 15 s',
      '1 h',
      '1 h 30 min',
    ]);
  });

  it('says how far a download is, or why it waits and for how long', () => {
    expect(describeProgress(progress)).toBe(
      '12.3 MB of 35.0 MB (35.1%), 2.1 MB/s, 1 min 15 s left',
    );
    expect(
      downloadReason(
        { ...progress, state: 'waiting', error: 'cut', retryAt: '2026-01-01T00:00:20.000Z' },
        Date.parse('2026-01-01T00:00:12.000Z'),
      ),
    ).toBe('download failed (try 2): cut; trying again in 8 s');
  });
});
