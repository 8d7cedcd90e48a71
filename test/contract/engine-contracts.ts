/**
 * The contract every adapter of the engine ports passes (EmbeddingEngine, Generator, Reranker):
 * run by each adapter's *.contract-spec.ts with a factory for its engines and the model ids it has.
 */
import { ModelUnavailableError } from '../../src/common/errors';
import type { EmbeddingEngine } from '../../src/engines/embedding-engine';
import type { Generator } from '../../src/engines/generator';
import type { ModelRef } from '../../src/engines/model-status';
import type { Reranker } from '../../src/engines/reranker';

export interface EngineFixture<E> {
  sut: E;
  model: ModelRef;
  close?: () => Promise<void>;
}

const MISSING: ModelRef = { id: 'nobody/no-such-model', dtype: 'fp32' };
const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);

function lifecycle<E extends EmbeddingEngine | Generator | Reranker>(
  make: () => Promise<EngineFixture<E>>,
  task: string,
): void {
  let f: EngineFixture<E>;
  beforeAll(async () => (f = await make()));
  afterAll(async () => f.close?.());

  it('is not loaded before use, ready after ensure (concurrent calls share one load), and says its task', async () => {
    const [a, b] = await Promise.all([f.sut.ensure(f.model), f.sut.ensure(f.model)]);
    expect(a.state).toBe('ready');
    expect(b).toEqual(a);
    expect(a.task).toBe(task);
    expect(f.sut.status(f.model).state).toBe('ready');
    expect(
      f.sut.statuses().filter((s) => s.id === f.model.id && s.dtype === f.model.dtype),
    ).toHaveLength(1);
  });

  it('reports a model it cannot have as unavailable with a reason, without throwing', async () => {
    const s = await f.sut.ensure(MISSING);
    expect(s.state).toBe('unavailable');
    expect(s.reason).toEqual(expect.any(String));
    expect(s.reason!.length).toBeGreaterThan(0);
  });

  it('unloads a model, which the next ensure loads again', async () => {
    await f.sut.ensure(f.model);
    const before = await f.sut.unload(f.model);
    expect(before?.state).toBe('ready');
    expect(f.sut.status(f.model).state).toBe('not_loaded');
    expect((await f.sut.ensure(f.model)).state).toBe('ready');
  });
}

export function embeddingEngineContract(make: () => Promise<EngineFixture<EmbeddingEngine>>): void {
  lifecycle(make, 'embedding');
  let f: EngineFixture<EmbeddingEngine>;
  beforeAll(async () => (f = await make()));
  afterAll(async () => f.close?.());

  it('embeds passages and queries as unit vectors of the dimensions it reports, in order', async () => {
    const texts = ['the red car drives fast', 'a red car drives', 'bread and soup for dinner'];
    const passages = await f.sut.embedPassages(f.model, texts);
    const status = await f.sut.ensure(f.model);
    expect(passages.dim).toBe(status.dim);
    expect(passages.vectors).toHaveLength(3);
    for (const v of passages.vectors) {
      expect(v.length).toBe(passages.dim);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
    const [car, redCar, soup] = passages.vectors as [Float32Array, Float32Array, Float32Array];
    expect(dot(car, redCar)).toBeGreaterThan(dot(car, soup) + 0.2);
    const queries = await f.sut.embedQueries(f.model, ['red car', 'soup']);
    expect(queries.vectors).toHaveLength(2);
    expect(dot(queries.vectors[0]!, car)).toBeGreaterThan(dot(queries.vectors[0]!, soup));
  });

  it('gives the same vector for the same text, alone or in a batch', async () => {
    const alone = await f.sut.embedPassages(f.model, ['bread and soup for dinner']);
    const batch = await f.sut.embedPassages(f.model, ['x y z', 'bread and soup for dinner']);
    const a = alone.vectors[0]!;
    const b = batch.vectors[1]!;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 4);
  });

  it('counts more tokens for a longer passage, within a maximum input', async () => {
    const tokens = await f.sut.passageTokenCounter(f.model.id);
    expect(tokens).toBeDefined();
    expect(tokens!.maxTokens).toBeGreaterThan(8);
    expect(tokens!.counter.count('one two three four five six')).toBeGreaterThan(
      tokens!.counter.count('one two'),
    );
  });

  it('refuses to embed with a model it cannot have (ModelUnavailableError)', async () => {
    await expect(f.sut.embedQueries(MISSING, ['x'])).rejects.toBeInstanceOf(ModelUnavailableError);
  });
}

export function generatorContract(make: () => Promise<EngineFixture<Generator>>): void {
  lifecycle(make, 'generation');
  let f: EngineFixture<Generator>;
  beforeAll(async () => (f = await make()));
  afterAll(async () => f.close?.());

  it('streams the text it returns, within maxTokens, with usage', async () => {
    const pieces: string[] = [];
    const out = await f.sut.generate(
      f.model,
      [{ role: 'user', content: 'Say something about the sea and the sky.' }],
      {
        maxTokens: 6,
        temperature: 0,
        onToken: (t) => pieces.push(t),
      },
    );
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces.join('').trim()).toBe(out.text.trim());
    expect(out.completionTokens).toBeGreaterThan(0);
    expect(out.completionTokens).toBeLessThanOrEqual(6);
    expect(out.promptTokens).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(out.finishReason);
  });

  it('stops when aborted: finish reason cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const out = await f.sut.generate(f.model, [{ role: 'user', content: 'Say something.' }], {
      maxTokens: 20,
      temperature: 0,
      signal: abort.signal,
    });
    expect(out.finishReason).toBe('cancelled');
  });

  it('counts text tokens with its tokenizer', async () => {
    const count = await f.sut.textTokenCounter(f.model.id);
    expect(count).toBeDefined();
    expect(count!('one two three four five six')).toBeGreaterThan(count!('one'));
  });

  it('refuses to generate with a model it cannot have (ModelUnavailableError)', async () => {
    await expect(
      f.sut.generate(MISSING, [{ role: 'user', content: 'x' }], { maxTokens: 2, temperature: 0 }),
    ).rejects.toBeInstanceOf(ModelUnavailableError);
  });
}

export function rerankerContract(make: () => Promise<EngineFixture<Reranker>>): void {
  lifecycle(make, 'reranking');
  let f: EngineFixture<Reranker>;
  beforeAll(async () => (f = await make()));
  afterAll(async () => f.close?.());

  it('scores each passage in the order given; the one sharing the query words scores highest', async () => {
    const passages = ['bread and soup for dinner', 'the red car drives fast', 'a quiet garden'];
    const scores = await f.sut.rerank(f.model, 'red car', passages);
    expect(scores).toHaveLength(3);
    for (const s of scores) expect(Number.isFinite(s)).toBe(true);
    expect(scores[1]!).toBeGreaterThan(Math.max(scores[0]!, scores[2]!));
    const reversed = await f.sut.rerank(f.model, 'red car', [...passages].reverse());
    expect(reversed[1]).toBeCloseTo(scores[1]!, 4);
  });

  it('refuses to rerank with a model it cannot have (ModelUnavailableError)', async () => {
    await expect(f.sut.rerank(MISSING, 'q', ['p'])).rejects.toBeInstanceOf(ModelUnavailableError);
  });
}
