import { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  TINY_ENV,
  TINY_MODELS_DIR,
  createTestApp,
  tempDir,
  tinyModelsPresent,
} from '../support/test-app';

interface ModelBody {
  id: string;
  object: string;
  task: string;
  state: string;
  dtype: string;
  dtypes: string[];
  memoryBytes: number | null;
  loadMs: number | null;
  loadedAt: string | null;
  dim?: number;
  source: string;
  defaultFor?: string;
  collections?: string[];
  reason?: string;
}

describe('the model registry: GET /v1/models, load and unload (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const list = async () =>
    (await http().get('/v1/models').expect(200)).body as { object: string; data: ModelBody[] };

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' });
    await http().post('/v1/collections').send({ name: 'notes' }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it("lists defaults, MODELS_DIR and collections' models in OpenAI's list shape", async () => {
    const sut = await list();
    expect(sut.object).toBe('list');
    const byId = (id: string) => sut.data.find((m) => m.id === id)!;
    expect(byId('tiny/embed')).toMatchObject({
      object: 'model',
      task: 'embedding',
      dtype: 'fp32',
      defaultFor: 'embedding',
      collections: ['notes'],
      source: 'models_dir',
    });
    expect(byId('tiny/chat')).toMatchObject({
      task: 'generation',
      defaultFor: 'generation',
      state: 'available',
    });
    expect(byId('tiny/rerank')).toMatchObject({ task: 'reranking', defaultFor: 'reranking' });
    const wide = byId('tiny/embed-wide');
    expect(wide).toMatchObject({
      task: 'embedding',
      state: 'available',
      dtypes: ['fp32'],
      loadMs: null,
    });
    expect(wide.defaultFor).toBeUndefined();
    expect(wide.memoryBytes).toBe(
      fs.statSync(path.join(TINY_MODELS_DIR, 'tiny/embed-wide/onnx/model.onnx')).size,
    );
  });

  it('loads a model on request, once for concurrent requests, and unloads it', async () => {
    const loads = await Promise.all(
      [1, 2, 3].map(() => http().post('/v1/models/tiny/embed-wide/load').send({})),
    );
    for (const r of loads) expect(r.status).toBe(200);
    const bodies = loads.map((r) => r.body as ModelBody);
    expect(bodies[0]).toMatchObject({
      id: 'tiny/embed-wide',
      state: 'ready',
      dim: 192,
      source: 'models_dir',
    });
    expect(bodies[0]!.loadMs).toBeGreaterThan(0);
    expect(new Set(bodies.map((b) => b.loadedAt)).size).toBe(1); // one load
    expect(
      ((await http().get('/v1/models/tiny/embed-wide').expect(200)).body as ModelBody).state,
    ).toBe('ready');

    const unloaded = await http().post('/v1/models/tiny/embed-wide/unload').send({}).expect(200);
    expect(unloaded.body.data).toEqual([
      expect.objectContaining({ id: 'tiny/embed-wide', state: 'available', loadedAt: null }),
    ]);
    expect(
      ((await http().get('/v1/models/tiny/embed-wide').expect(200)).body as ModelBody).state,
    ).toBe('available');
  });

  it('serves requests with a model loaded again after an unload', async () => {
    await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [{ id: 'a', text: 'The river runs past the old mill.' }] })
      .expect(201);
    await http().post('/v1/models/tiny/embed/unload').send({ dtype: 'fp32' }).expect(200);
    const res = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'river mill', mode: 'dense' })
      .expect(200);
    expect(res.body.results[0].documentId).toBe('a');
    expect((await list()).data.find((m) => m.id === 'tiny/embed')!.state).toBe('ready');
  });

  it('pins a collection only to a known or MODEL_ALLOW model (403 model_not_allowed otherwise)', async () => {
    const refused = await http()
      .post('/v1/collections')
      .send({ name: 'stranger', embeddingModel: 'someone/any-model' })
      .expect(403);
    expect(refused.body.error).toMatchObject({
      code: 'model_not_allowed',
      details: { model: 'someone/any-model' },
    });
    await http().get('/v1/collections/stranger').expect(404);
    const patched = await http()
      .patch('/v1/collections/notes')
      .send({ search: { rerankModel: 'someone/reranker' } })
      .expect(403);
    expect(patched.body.error.code).toBe('model_not_allowed');
    await http()
      .post('/v1/collections')
      .send({ name: 'local-model', embeddingModel: 'tiny/embed' })
      .expect(201);
  });

  it('answers unknown models, tasks and precisions with 4xx naming what is available', async () => {
    const missing = await http().get('/v1/models/nobody/nothing').expect(404);
    expect(missing.body.error.code).toBe('model_not_found');
    expect(missing.body.error.details.available).toEqual(
      expect.arrayContaining(['tiny/embed', 'tiny/chat']),
    );
    await http().post('/v1/models/nobody/nothing/load').send({ task: 'embedding' }).expect(404);
    const dtype = await http()
      .post('/v1/models/tiny/embed/load')
      .send({ dtype: 'fp16' })
      .expect(400);
    expect(dtype.body.error.message).toContain('fp32');
    const task = await http()
      .post('/v1/models/tiny/embed/load')
      .send({ task: 'generation' })
      .expect(400);
    expect(task.body.error.message).toContain('embedding model');
    await http().post('/v1/models/tiny/embed/load').send({ task: 'painting' }).expect(400);
    await http().post('/v1/models/tiny/embed/load').send({ extra: true }).expect(400);
    // Ids that would point outside MODELS_DIR never reach the loader.
    const traversal = await http()
      .post('/v1/models/..%2F..%2Fetc/load')
      .send({ task: 'embedding' })
      .expect(400);
    expect(traversal.body.error).toMatchObject({
      code: 'invalid_input',
      type: 'invalid_request_error',
    });
    await http().get('/v1/models/tiny/..').expect(400);
    await http()
      .post(`/v1/models/${'x'.repeat(300)}/unload`)
      .send({})
      .expect(400);
  });
});
