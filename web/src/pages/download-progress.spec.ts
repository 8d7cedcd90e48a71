import type { DownloadProgress } from '../api/types';
import { when } from '../shared/format';
import { currentFile, downloadSummary } from './download-progress';

const base: DownloadProgress = {
  state: 'downloading',
  source: 'https://huggingface.co',
  bytesDone: 1_200_000,
  bytesTotal: 2_600_000,
  percent: 46.15,
  bytesPerSecond: 500_000,
  secondsLeft: 2.8,
  files: [
    { path: 'config.json', state: 'done', bytesDone: 600, bytesTotal: 600 },
    { path: 'onnx/model.onnx', state: 'downloading', bytesDone: 1_000_000, bytesTotal: 2_500_000 },
  ],
  attempt: 1,
};

describe('downloadSummary', () => {
  it('gives bytes, percent, rate and time left while downloading', () => {
    expect(downloadSummary(base)).toBe('1.2 MB of 2.6 MB (46%) · 500 kB/s · 3 s left');
  });

  it('leaves out what the server does not know yet', () => {
    const sut = downloadSummary({
      ...base,
      bytesTotal: null,
      percent: null,
      bytesPerSecond: null,
      secondsLeft: null,
    });
    expect(sut).toBe('1.2 MB');
  });

  it('says why a download waits and when it tries again', () => {
    const sut = downloadSummary({
      ...base,
      state: 'waiting',
      attempt: 2,
      error: 'the connection was cut',
      retryAt: '2030-01-01T10:00:05Z',
    });
    expect(sut).toBe(
      `try 2 failed: the connection was cut; next try at ${when('2030-01-01T10:00:05Z')}`,
    );
    expect(when('2030-01-01T10:00:05Z')).toMatch(/2030/);
  });

  it('says why a download failed', () => {
    expect(downloadSummary({ ...base, state: 'failed', error: 'no such model' })).toBe(
      'download failed: no such model',
    );
  });
});

describe('currentFile', () => {
  it('names the file being fetched with its share', () => {
    expect(currentFile(base)).toBe('onnx/model.onnx, 40%');
  });

  it('is undefined when no file is being fetched', () => {
    expect(currentFile({ ...base, files: [] })).toBeUndefined();
  });
});
