import { loadSettings } from '../../src/config/settings';
import { chunkText } from '../../src/ingestion/chunker';
import { LocalModelPool } from '../../src/engines/adapters/transformers/local-model-pool';
import { localModelPool } from '../support/local-pool';
import { LocalTokenizers } from '../../src/engines/adapters/transformers/local-tokenizers';
import { ServerBusyError } from '../../src/common/errors';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

describe('LocalModelPool on the tiny generated models: real transformers.js in worker threads (integration)', () => {
  let sut: LocalModelPool;

  beforeAll(() => {
    tinyModelsPresent();
    sut = localModelPool(loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir() }));
  });

  afterAll(async () => {
    await sut.onApplicationShutdown();
  });

  it('loads an embedding model once, even when asked concurrently', async () => {
    const [a, b] = await Promise.all([
      sut.ensure('embedding', 'tiny/embed', 'fp32'),
      sut.ensure('embedding', 'tiny/embed', 'fp32'),
    ]);
    expect(a.state).toBe('ready');
    expect(b.state).toBe('ready');
    expect(a.maxTokens).toBe(128);
    expect(a.dim).toBeGreaterThan(0);
    expect(sut.status().filter((s) => s.id === 'tiny/embed')).toHaveLength(1);
  });

  it('returns unit vectors, and similar texts are closer than unrelated ones', async () => {
    const { vectors, dim } = await sut.embed(
      'tiny/embed',
      'fp32',
      ['the red car drives fast', 'a red car drives', 'bread and soup for dinner'],
      'passage',
    );
    expect(vectors).toHaveLength(3);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    for (const v of vectors) {
      expect(v.length).toBe(dim);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
    expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[2]!) + 0.2);
  });

  it('chunks with the model tokenizer so that no chunk exceeds its maximum length', async () => {
    const tokenizers = new LocalTokenizers(loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir() }));
    const tokens = await tokenizers.passageTokenCounter('tiny/embed');
    expect(tokens?.maxTokens).toBe(128);
    const text = Array.from(
      { length: 200 },
      (_, i) => `Line ${i} talks about the weather, the sea and supercalifragilistic words.`,
    ).join(' ');
    const chunks = chunkText(text, tokens!.counter, {
      size: 1000,
      overlap: 0,
      maxTokens: tokens!.maxTokens,
    });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(tokens!.counter.count(c.text)).toBeLessThanOrEqual(128);
      expect(c.tokenCount).toBeLessThanOrEqual(128);
    }
  });

  it('generates with the chat template and streams tokens', async () => {
    const pieces: string[] = [];
    const out = await sut.generate(
      'tiny/chat',
      'fp32',
      [{ role: 'user', content: 'Say something.' }],
      {
        maxTokens: 20,
        temperature: 0,
        onToken: (t) => pieces.push(t),
      },
    );
    expect(out.text).toBe('Cited [1].');
    expect(out.finishReason).toBe('stop');
    expect(pieces.join('').trim()).toBe('Cited [1].');
    expect(out.promptTokens).toBeGreaterThan(5);
  });

  it('reports a missing model as unavailable with the reason, fast', async () => {
    const t0 = Date.now();
    const s = await sut.ensure('embedding', 'nobody/nothing', 'fp32');
    expect(s.state).toBe('unavailable');
    expect(s.reason).toMatch(/not found in MODELS_DIR .*ALLOW_REMOTE_MODELS=false/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(sut.embed('nobody/nothing', 'fp32', ['x'], 'query')).rejects.toThrow(
      /unavailable/,
    );
  });

  it('coalesces concurrent embedding requests into few model calls, each text embedded as alone', async () => {
    const texts = [
      'garden',
      'river',
      'train station',
      'kitchen bread',
      'winter ocean',
      'music school',
      'doctor',
      'market',
    ];
    const alone: Float32Array[] = [];
    for (const t of texts)
      alone.push((await sut.embed('tiny/embed', 'fp32', [t], 'query')).vectors[0]!);
    const busy = localModelPool(
      loadSettings({
        ...TINY_ENV,
        STORAGE_DIR: tempDir(),
        EMBED_BATCH_SIZE: '32',
        EMBED_BATCH_WAIT_MS: '5',
      }),
    );
    try {
      await busy.ensure('embedding', 'tiny/embed', 'fp32');
      const together = await Promise.all(
        texts.map((t) => busy.embed('tiny/embed', 'fp32', [t], 'query')),
      );
      together.forEach((r, i) => {
        const cos = r.vectors[0]!.reduce((s, x, k) => s + x * alone[i]![k]!, 0);
        expect(cos).toBeGreaterThan(0.9999);
      });
      const batcher = (
        busy as unknown as {
          entries: Map<string, { batcher?: { stats: { calls: number; texts: number } } }>;
        }
      ).entries.get('embedding|tiny/embed|fp32')!.batcher!;
      expect(batcher.stats.texts).toBe(texts.length);
      expect(batcher.stats.calls).toBeLessThanOrEqual(2);
    } finally {
      await busy.onApplicationShutdown();
    }
  });

  it('refuses generations beyond GENERATION_QUEUE_LIMIT with 503 and Retry-After, and serves the rest', async () => {
    const small = localModelPool(
      loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir(), GENERATION_QUEUE_LIMIT: '2' }),
    );
    try {
      await small.ensure('generation', 'tiny/chat', 'fp32');
      const messages = [{ role: 'user' as const, content: 'Hello' }];
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          small.generate('tiny/chat', 'fp32', messages, { maxTokens: 16, temperature: 0 }),
        ),
      );
      const served = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(served).toHaveLength(2);
      expect(refused).toHaveLength(3);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(ServerBusyError);
        const busy = r.reason as ServerBusyError;
        expect(busy.status).toBe(503);
        expect(busy.code).toBe('server_busy');
        expect(busy.details).toEqual({ model: 'tiny/chat', queued: 2 });
        // Whole seconds (RFC 9110 delay-seconds), within a sane range: what the server computes for
        // a full generation queue, 5 s, also said in the message.
        const retryAfter = busy.headers['Retry-After']!;
        expect(retryAfter).toMatch(/^[1-9]\d*$/);
        expect(Number(retryAfter)).toBeLessThanOrEqual(300);
        expect(retryAfter).toBe('5');
        expect(busy.message).toMatch(/GENERATION_QUEUE_LIMIT 2\); retry in about 5 s$/);
      }
      // Once they are done, the queue takes work again.
      expect(
        (await small.generate('tiny/chat', 'fp32', messages, { maxTokens: 16, temperature: 0 }))
          .text,
      ).toBe('Cited [1].');
    } finally {
      await small.onApplicationShutdown();
    }
  });

  it('reports a device the runtime does not have as a failed model with the reason, not a hang', async () => {
    const gpu = localModelPool(
      loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir(), MODEL_DEVICE: 'cuda' }),
    );
    try {
      const status = await gpu.ensure('embedding', 'tiny/embed', 'fp32');
      expect(status).toMatchObject({ device: 'cuda', state: 'unavailable' });
      expect(status.reason).toMatch(/cuda/i);
    } finally {
      await gpu.onApplicationShutdown();
    }
  });
});
