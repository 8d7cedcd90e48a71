import { DownloadTracker } from './download-tracker';

describe('DownloadTracker', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => (now = 1_000_000));

  it('counts resumed bytes as done, leaves files already there out of the total, and measures the rate over the last seconds', () => {
    const sut = new DownloadTracker('https://hub.example', clock);
    sut.begin();
    expect(sut.view()).toMatchObject({ state: 'listing', percent: null, bytesTotal: null });
    sut.plan('abc123', [
      { path: 'config.json', size: 500, present: true },
      { path: 'onnx/model.onnx', size: 10_000, present: false },
    ]);
    sut.fileStart('onnx/model.onnx', 2_000, 10_000); // a .part of 2,000 bytes resumed
    for (let i = 0; i < 10; i++) {
      now += 200;
      sut.fileBytes('onnx/model.onnx', 400); // 2,000 bytes per second
    }
    const v = sut.view();
    expect(v).toMatchObject({
      state: 'downloading',
      revision: 'abc123',
      bytesDone: 6_000,
      bytesTotal: 10_000,
      percent: 60,
      bytesPerSecond: 2_000,
      secondsLeft: 2,
      attempt: 1,
    });
    expect(v.files).toEqual([
      { path: 'config.json', state: 'present', bytesDone: 500, bytesTotal: 500 },
      { path: 'onnx/model.onnx', state: 'downloading', bytesDone: 6_000, bytesTotal: 10_000 },
    ]);
  });

  it('lets the rate fall while no bytes come, and shows no rate between tries', () => {
    const sut = new DownloadTracker('https://hub.example', clock);
    sut.begin();
    sut.plan('c', [{ path: 'w.onnx', size: 1_000_000, present: false }]);
    sut.fileStart('w.onnx', 0, 1_000_000);
    now += 1000;
    sut.fileBytes('w.onnx', 100_000);
    expect(sut.view().bytesPerSecond).toBe(100_000);
    now += 9000; // a stall
    expect(sut.view().bytesPerSecond).toBe(10_000);
    sut.fail('cut', now + 5000);
    expect(sut.view()).toMatchObject({
      state: 'waiting',
      error: 'cut',
      bytesPerSecond: null,
      secondsLeft: null,
      retryAt: new Date(now + 5000).toISOString(),
    });
    sut.begin();
    expect(sut.view()).toMatchObject({ state: 'listing', attempt: 2 });
    expect(sut.view().error).toBeUndefined();
  });

  it('is at 100% when done', () => {
    const sut = new DownloadTracker('https://hub.example', clock);
    sut.begin();
    sut.plan('c', [{ path: 'a', size: 10, present: false }]);
    sut.fileStart('a', 0, 10);
    sut.fileBytes('a', 10);
    sut.fileDone('a');
    sut.finish();
    expect(sut.view()).toMatchObject({ state: 'done', percent: 100, bytesDone: 10 });
  });
});
