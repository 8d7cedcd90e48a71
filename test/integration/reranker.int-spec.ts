import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSettings } from '../../src/config/settings';
import { ModelUnavailableError } from '../../src/common/errors';
import { RERANK_BATCH_SIZE } from '../../src/engines/adapters/transformers/inference-protocol';
import { LocalModelPool } from '../../src/engines/adapters/transformers/local-model-pool';
import { localModelPool } from '../support/local-pool';
import { TINY_RERANK_BIAS, TINY_RERANK_ID, TINY_RERANK_SCALE } from '../models/make-tiny-models';
import { TINY_ENV, TINY_MODELS_DIR, tempDir, tinyModelsPresent } from '../support/test-app';

const QUERY = 'which class can I book for a four hour flight';
const RELEVANT =
  'Employees may book economy class for flights under six hours; longer flights may be booked in premium economy.';
const UNRELATED = [
  'Fresh bread is baked every morning in the small kitchen behind the restaurant.',
  'The football team won the championship match after the coach changed the strategy.',
  'Heavy rain and strong wind from the storm closed the mountain road and the bridge.',
];

describe('cross-encoder reranking on tiny/rerank: real transformers.js in a worker thread (integration)', () => {
  let sut: LocalModelPool;

  beforeAll(() => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(TINY_MODELS_DIR, TINY_RERANK_ID, 'onnx', 'model.onnx'))) {
      throw new Error(
        `Tiny test model ${TINY_RERANK_ID} is missing in ${TINY_MODELS_DIR}: run \`npm run test:models\` first`,
      );
    }
    sut = localModelPool(
      loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' }),
    );
  });

  afterAll(async () => {
    await sut.onApplicationShutdown();
  });

  it('registers the default reranker at start-up, so /health lists it', () => {
    sut.onApplicationBootstrap();
    expect(sut.status()).toContainEqual(
      expect.objectContaining({
        task: 'reranking',
        id: 'tiny/rerank',
        dtype: 'fp32',
        state: 'not_loaded',
      }),
    );
  });

  it('loads the reranker once, even when asked concurrently', async () => {
    const [a, b] = await Promise.all([
      sut.ensure('reranking', 'tiny/rerank', 'fp32'),
      sut.ensure('reranking', 'tiny/rerank', 'fp32'),
    ]);
    expect(a).toMatchObject({ state: 'ready', task: 'reranking', maxTokens: 512 });
    expect(b.state).toBe('ready');
    expect(
      sut.status().filter((s) => s.task === 'reranking' && s.id === 'tiny/rerank'),
    ).toHaveLength(1);
  });

  it('gives one score per text, and the passage sharing the query words scores above unrelated ones', async () => {
    const texts = [UNRELATED[0]!, RELEVANT, UNRELATED[1]!, UNRELATED[2]!];
    const scores = await sut.rerank('tiny/rerank', 'fp32', QUERY, texts);
    expect(scores).toHaveLength(texts.length);
    for (const s of scores) expect(Number.isFinite(s)).toBe(true);
    const [u0, relevant, u1, u2] = scores as [number, number, number, number];
    expect(relevant).toBeGreaterThan(Math.max(u0, u1, u2) + 2);
    // Raw logits: scale · cosine + bias, so unrelated passages sit near the bias.
    for (const u of [u0, u1, u2]) expect(Math.abs(u - TINY_RERANK_BIAS)).toBeLessThan(2);
  });

  it('scores by shared content words: more overlap, higher score; the same words give the maximum logit', async () => {
    const texts = [
      'red car',
      'the red car drives fast on the road',
      'a red bicycle in the garden',
      'bread and soup for dinner',
    ];
    const scores = await sut.rerank('tiny/rerank', 'fp32', 'red car', texts);
    expect(scores[0]).toBeCloseTo(TINY_RERANK_SCALE + TINY_RERANK_BIAS, 3);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    expect(scores[1]!).toBeGreaterThan(scores[2]!);
    expect(scores[2]!).toBeGreaterThan(scores[3]!);
  });

  it('is stable: the same scores whatever the order, the batch and its padding', async () => {
    const texts = [RELEVANT, ...UNRELATED];
    const first = await sut.rerank('tiny/rerank', 'fp32', QUERY, texts);
    const again = await sut.rerank('tiny/rerank', 'fp32', QUERY, texts);
    expect(again).toEqual(first);
    const reversed = await sut.rerank('tiny/rerank', 'fp32', QUERY, [...texts].reverse());
    expect([...reversed].reverse()).toEqual(
      first.map((s) => expect.closeTo(s, 5) as unknown as number),
    );
    const alone = await sut.rerank('tiny/rerank', 'fp32', QUERY, [RELEVANT]);
    expect(alone[0]).toBeCloseTo(first[0]!, 5);
  });

  it('scores more texts than one batch holds, each in its place', async () => {
    const many = Array.from(
      { length: 3 * RERANK_BATCH_SIZE + 5 },
      (_, i) => `${UNRELATED[i % UNRELATED.length]!} Item ${i}${'.'.repeat(i % 7)}`,
    );
    const target = 2 * RERANK_BATCH_SIZE + 3;
    many[target] = RELEVANT;
    const scores = await sut.rerank('tiny/rerank', 'fp32', QUERY, many);
    expect(scores).toHaveLength(many.length);
    expect(scores.indexOf(Math.max(...scores))).toBe(target);
    const [single] = await sut.rerank('tiny/rerank', 'fp32', QUERY, [many[7]!]);
    expect(scores[7]).toBeCloseTo(single!, 5);
  });

  it('serves concurrent requests with the right scores for each', async () => {
    const [a, b] = await Promise.all([
      sut.rerank('tiny/rerank', 'fp32', 'red car', ['red car', 'bread and soup']),
      sut.rerank('tiny/rerank', 'fp32', 'bread and soup', ['red car', 'bread and soup']),
    ]);
    expect(a[0]!).toBeGreaterThan(a[1]!);
    expect(b[1]!).toBeGreaterThan(b[0]!);
  });

  it('truncates a pair longer than the model input instead of failing', async () => {
    const long = `Book economy class for a four hour flight. ${'The weather was mild and the sea was calm that day. '.repeat(80)}`;
    const [score, other] = await sut.rerank('tiny/rerank', 'fp32', QUERY, [long, UNRELATED[0]!]);
    expect(Number.isFinite(score)).toBe(true);
    expect(score!).toBeGreaterThan(other!);
  });

  it('returns no scores for no texts', async () => {
    await expect(sut.rerank('tiny/rerank', 'fp32', QUERY, [])).resolves.toEqual([]);
  });

  it('reports a missing reranker as unavailable with the reason, fast, and refuses to rerank with it', async () => {
    const t0 = Date.now();
    const s = await sut.ensure('reranking', 'nobody/no-reranker', 'fp32');
    expect(s.state).toBe('unavailable');
    expect(s.reason).toMatch(/not found in MODELS_DIR .*ALLOW_REMOTE_MODELS=false/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(sut.rerank('nobody/no-reranker', 'fp32', QUERY, ['x'])).rejects.toThrow(
      ModelUnavailableError,
    );
  });

  it('refuses a model that is not a cross-encoder', async () => {
    const s = await sut.ensure('reranking', 'tiny/embed', 'fp32');
    expect(s.state).toBe('unavailable');
    expect(s.reason).toMatch(/logits/);
  });
});
