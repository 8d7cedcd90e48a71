import { loadSettings } from '../../src/config/settings';
import { chunkText } from '../../src/ingestion/chunker';
import { ModelsService } from '../../src/models/models.service';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

describe('ModelsService on the tiny generated models: real transformers.js in worker threads (integration)', () => {
  let sut: ModelsService;

  beforeAll(() => {
    tinyModelsPresent();
    sut = new ModelsService(loadSettings({ ...TINY_ENV, STORAGE_DIR: tempDir() }));
  });

  afterAll(async () => {
    await sut.onApplicationShutdown();
  });

  it('loads an embedding model once, even when asked concurrently', async () => {
    const [a, b] = await Promise.all([sut.ensure('embedding', 'tiny/embed', 'fp32'), sut.ensure('embedding', 'tiny/embed', 'fp32')]);
    expect(a.state).toBe('ready');
    expect(b.state).toBe('ready');
    expect(a.maxTokens).toBe(128);
    expect(a.dim).toBeGreaterThan(0);
    expect(sut.status().filter((s) => s.id === 'tiny/embed')).toHaveLength(1);
  });

  it('returns unit vectors, and similar texts are closer than unrelated ones', async () => {
    const { vectors, dim } = await sut.embed('tiny/embed', 'fp32', ['the red car drives fast', 'a red car drives', 'bread and soup for dinner'], 'passage');
    expect(vectors).toHaveLength(3);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    for (const v of vectors) {
      expect(v.length).toBe(dim);
      expect(dot(v, v)).toBeCloseTo(1, 4);
    }
    expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[2]!) + 0.2);
  });

  it('chunks with the model tokenizer so that no chunk exceeds its maximum length', async () => {
    const tokens = await sut.passageTokenCounter('tiny/embed');
    expect(tokens).toBeDefined();
    expect(tokens!.maxTokens).toBe(128);
    const text = Array.from({ length: 200 }, (_, i) => `Line ${i} talks about the weather, the sea and supercalifragilistic words.`).join(' ');
    const chunks = chunkText(text, tokens!.counter, { size: 1000, overlap: 0, maxTokens: tokens!.maxTokens });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(tokens!.counter.count(c.text)).toBeLessThanOrEqual(128);
      expect(c.tokenCount).toBeLessThanOrEqual(128);
    }
  });

  it('generates with the chat template and streams tokens', async () => {
    const pieces: string[] = [];
    const out = await sut.generate('tiny/chat', 'fp32', [{ role: 'user', content: 'Say something.' }], {
      maxTokens: 20,
      temperature: 0,
      onToken: (t) => pieces.push(t),
    });
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
    await expect(sut.embed('nobody/nothing', 'fp32', ['x'], 'query')).rejects.toThrow(/unavailable/);
  });
});
