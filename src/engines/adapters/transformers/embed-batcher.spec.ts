import { EmbedBatcher, EmbedQueueFullError } from './embed-batcher';

/** A model call that returns, for each text, a one-number vector parsed from it, when `release` is called. */
function fakeModel() {
  const calls: string[][] = [];
  const releases: (() => void)[] = [];
  const run = (texts: string[]) =>
    new Promise<Float32Array[]>((resolve, reject) => {
      calls.push(texts);
      releases.push(() =>
        texts.includes('boom')
          ? reject(new Error('model failed'))
          : resolve(texts.map((t) => Float32Array.of(Number(t)))),
      );
    });
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { calls, run, releaseAll };
}

const values = (vs: Float32Array[]) => vs.map((v) => v[0]);

describe('EmbedBatcher', () => {
  it('coalesces requests that arrive while the model is busy into one call, each getting its own vectors', async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 8, maxWaitMs: 0, maxQueued: 100 });
    const first = sut.embed(['1'], 'query');
    const rest = [
      sut.embed(['2', '3'], 'query'),
      sut.embed(['4'], 'query'),
      sut.embed(['5'], 'passage'),
    ];
    expect(model.calls).toEqual([['1']]);
    await model.releaseAll();
    expect(model.calls).toEqual([['1'], ['2', '3', '4', '5']]);
    expect(values(await first)).toEqual([1]);
    expect((await Promise.all(rest)).map(values)).toEqual([[2, 3], [4], [5]]);
    expect(sut.stats).toEqual({ calls: 2, texts: 5 });
  });

  it('runs a lone request on an idle model at once: no wait without company', async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 8, maxWaitMs: 1000, maxQueued: 100 });
    const a = sut.embed(['1'], 'query');
    expect(model.calls).toEqual([['1']]);
    await model.releaseAll();
    expect(values(await a)).toEqual([1]);
  });

  it('after a call of several requests, an idle model waits for as many, at most maxWaitMs', async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 8, maxWaitMs: 200, maxQueued: 100 });
    // Three concurrent clients: the first goes alone, the other two gather behind it.
    const wave1 = [sut.embed(['1'], 'query'), sut.embed(['2'], 'query'), sut.embed(['3'], 'query')];
    await model.releaseAll();
    await Promise.all(wave1);
    expect(model.calls).toEqual([['1'], ['2', '3']]);
    // The next wave: the idle model waits for both clients of the last call, then runs at once.
    const a = sut.embed(['4'], 'query');
    expect(model.calls).toHaveLength(2);
    const b = sut.embed(['5'], 'query');
    expect(model.calls).toEqual([['1'], ['2', '3'], ['4', '5']]);
    await model.releaseAll();
    expect([values(await a), values(await b)]).toEqual([[4], [5]]);
    // A client that does not come: arrivals went quiet (they were microseconds apart), so the wait
    // ends long before maxWaitMs.
    const c = sut.embed(['6'], 'query');
    expect(model.calls).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(model.calls.at(-1)).toEqual(['6']);
    await model.releaseAll();
    expect(values(await c)).toEqual([6]);
  });

  it('runs a full batch at once, splits a large request across calls, and puts queries first', async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 3, maxWaitMs: 1000, maxQueued: 100 });
    const big = sut.embed(['1', '2', '3', '4', '5'], 'passage'); // full: runs now with 3
    const query = sut.embed(['9'], 'query');
    expect(model.calls).toEqual([['1', '2', '3']]);
    await model.releaseAll();
    expect(model.calls).toEqual([
      ['1', '2', '3'],
      ['9', '4', '5'],
    ]);
    expect(values(await big)).toEqual([1, 2, 3, 4, 5]);
    expect(values(await query)).toEqual([9]);
  });

  it('refuses when too many texts wait, and fails only the requests of a failed call', async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 2, maxWaitMs: 0, maxQueued: 3 });
    const running = sut.embed(['1', '2'], 'query');
    const bad = sut.embed(['boom', '3'], 'query').then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    const waiting = sut.embed(['4'], 'query');
    await expect(sut.embed(['5'], 'query')).rejects.toBeInstanceOf(EmbedQueueFullError);
    await model.releaseAll();
    expect(values(await running)).toEqual([1, 2]);
    expect(await bad).toBe('model failed');
    expect(values(await waiting)).toEqual([4]);
  });

  it("admits the server's own work past the limit: a full queue of client requests does not stall ingestion", async () => {
    const model = fakeModel();
    const sut = new EmbedBatcher(model.run, { maxBatch: 3, maxWaitMs: 0, maxQueued: 2 });
    const running = sut.embed(['1', '2'], 'passage');
    const waiting = sut.embed(['3', '4'], 'passage'); // two texts wait: the limit
    await expect(sut.embed(['5'], 'passage')).rejects.toBeInstanceOf(EmbedQueueFullError);
    const ingestion = sut.embed(['6', '7', '8'], 'passage', false);
    await model.releaseAll();
    await model.releaseAll();
    expect(values(await running)).toEqual([1, 2]);
    expect(values(await waiting)).toEqual([3, 4]);
    expect(values(await ingestion)).toEqual([6, 7, 8]);
  });

  it('reports each batch size, one wait per request and the texts waiting (for the metrics)', async () => {
    const model = fakeModel();
    const batches: number[] = [];
    const waits: number[] = [];
    const depths: number[] = [];
    const sut: EmbedBatcher = new EmbedBatcher(
      model.run,
      { maxBatch: 2, maxWaitMs: 0, maxQueued: 100 },
      {
        batch: (n) => batches.push(n),
        waited: (ms) => waits.push(ms),
        depth: () => depths.push(sut.waiting),
      },
    );
    const all = Promise.all([sut.embed(['1'], 'query'), sut.embed(['2', '3', '4'], 'passage')]);
    await model.releaseAll();
    await all;
    expect(batches).toEqual([1, 2, 1]);
    expect(waits).toHaveLength(2); // a request split over two calls waits once
    expect(waits.every((w) => w >= 0)).toBe(true);
    expect(depths.at(-1)).toBe(0);
    expect(Math.max(...depths)).toBe(3);
  });
});
