import { FixedWindowThrottlerStorage } from './window-throttler.storage';

describe('FixedWindowThrottlerStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('counts hits per key up to the limit, then blocks until the window ends', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = new FixedWindowThrottlerStorage();
    for (let i = 1; i <= 3; i++) {
      const r = await sut.increment('a', 60_000, 3);
      expect(r).toMatchObject({ totalHits: i, isBlocked: false, timeToExpire: 60 });
    }
    jest.setSystemTime(1_000_000 + 45_500);
    expect(await sut.increment('a', 60_000, 3)).toEqual({
      totalHits: 4,
      timeToExpire: 15,
      isBlocked: true,
      timeToBlockExpire: 15,
    });
    expect((await sut.increment('b', 60_000, 3)).isBlocked).toBe(false);
    jest.setSystemTime(1_000_000 + 60_000);
    expect(await sut.increment('a', 60_000, 3)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
