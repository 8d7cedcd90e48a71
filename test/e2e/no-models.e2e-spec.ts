import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const TEXT =
  'The lighthouse stands on the rocks at the end of the harbour. Its lamp turns every ten seconds. Ships use the light to find the harbour at night.\n\nThe keeper climbs the stairs each evening.';

describe('no network, no weights: lexical search and extractive answers, then catching up (e2e)', () => {
  let storage: string;
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    storage = tempDir();
    // Same model names as the real tests, but MODELS_DIR is empty: nothing can be loaded.
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: storage,
      MODELS_DIR: tempDir('ragd-empty-models-'),
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('starts, serves, and says which mode is in effect and why', async () => {
    const t0 = Date.now();
    let health = await http().get('/health').expect(200);
    // The background load attempts fail fast (no files, remote disabled).
    while (
      health.body.models.some(
        (m: { state: string }) => m.state === 'loading' || m.state === 'not_loaded',
      ) &&
      Date.now() - t0 < 10_000
    ) {
      await new Promise((r) => setTimeout(r, 50));
      health = await http().get('/health').expect(200);
    }
    expect(health.body.status).toBe('degraded');
    expect(health.body.modes).toMatchObject({ search: 'lexical', ask: 'extractive' });
    expect(health.body.modes.searchReason).toMatch(
      /tiny\/embed.*unavailable.*ALLOW_REMOTE_MODELS=false/,
    );
    const embed = health.body.models.find((m: { task: string }) => m.task === 'embedding');
    expect(embed).toMatchObject({ id: 'tiny/embed', state: 'unavailable' });
  });

  it('stores chunks as pending and serves lexical search with the reason', async () => {
    await http().post('/v1/collections').send({ name: 'sea' }).expect(201);
    const added = await http()
      .post('/v1/collections/sea/documents')
      .send({ documents: [{ id: 'lh', text: TEXT }] })
      .expect(201);
    expect(added.body.embedding.state).toBe('pending');
    expect(added.body.embedding.tokenCounter).toBe('estimate');
    expect(added.body.embedding.reason).toMatch(/tiny\/embed/);
    const c = await http().get('/v1/collections/sea').expect(200);
    expect(c.body.counts.pending).toBe(c.body.counts.chunks);
    const doc = await http().get('/v1/collections/sea/documents/lh').expect(200);
    expect(
      doc.body.chunks.every((k: { tokenCounter: string }) => k.tokenCounter === 'estimate'),
    ).toBe(true);
    expect(c.body.counts.vectors).toBe(0);
    const res = await http()
      .post('/v1/collections/sea/search')
      .send({ query: 'how often does the lamp turn' })
      .expect(200);
    expect(res.body.mode).toBe('lexical');
    expect(res.body.modeReason).toMatch(/lexical only/);
    expect(res.body.results[0].documentId).toBe('lh');
    const dense = await http()
      .post('/v1/collections/sea/search')
      .send({ query: 'lamp', mode: 'dense' })
      .expect(503);
    expect(dense.body.error.code).toBe('model_unavailable');
  });

  it('answers extractively with the supporting sentence and its citation', async () => {
    const res = await http()
      .post('/v1/collections/sea/ask')
      .send({ question: 'How often does the lamp turn?' })
      .expect(200);
    expect(res.body.mode).toBe('extractive');
    expect(res.body.modeReason).toMatch(/generation model tiny\/chat is unavailable/);
    expect(res.body.answer).toMatch(/^Its lamp turns every ten seconds\. \[1\]/);
    expect(res.body.citations[0]).toMatchObject({ n: 1, documentId: 'lh' });
  });

  it('says "not found" when nothing matches', async () => {
    const res = await http()
      .post('/v1/collections/sea/ask')
      .send({ question: 'quantum chromodynamics' })
      .expect(200);
    expect(res.body.answer).toMatch(/^Not found in the documents/);
    expect(res.body.citations).toEqual([]);
  });

  it('embeds the pending chunks once the model is available, at the next start', async () => {
    await app.close();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage });
    const t0 = Date.now();
    let c = await http().get('/v1/collections/sea').expect(200);
    while (c.body.counts.pending > 0 && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      c = await http().get('/v1/collections/sea').expect(200);
    }
    expect(c.body.counts.pending).toBe(0);
    expect(c.body.counts.vectors).toBe(c.body.counts.chunks);
    // Chunks sized by estimate were sized again with the model's own tokenizer before embedding.
    const doc = await http().get('/v1/collections/sea/documents/lh').expect(200);
    expect(doc.body.chunks.length).toBeGreaterThan(0);
    for (const chunk of doc.body.chunks) {
      expect(chunk).toMatchObject({ tokenCounter: 'tiny/embed', embedded: true });
      expect(chunk.tokenCount).toBeLessThanOrEqual(48);
      expect(TEXT.slice(chunk.start, chunk.end)).toBe(chunk.text);
    }
    const res = await http()
      .post('/v1/collections/sea/search')
      .send({ query: 'The keeper climbs the stairs each evening', mode: 'dense' })
      .expect(200);
    expect(res.body.results[0].documentId).toBe('lh');
  });
});
