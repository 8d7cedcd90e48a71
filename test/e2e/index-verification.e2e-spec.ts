import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { CollectionsService } from '../../src/collections/collections.service';
import { VectorStore } from '../../src/vector-store/vector-store';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const text = (word: string) =>
  `The ${word} report lists the trains that leave the city station every morning. ` +
  `Each train crosses the river on the long bridge and stops in three small towns before noon.`;

describe('GET /v1/collections/{name}/index: the vector index checked against SQLite (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), HNSW_INITIAL_CAPACITY: '16' });
    await http().post('/v1/collections').send({ name: 'idx' }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('reports an empty collection as consistent, with no index yet', async () => {
    await http().post('/v1/collections').send({ name: 'empty' }).expect(201);
    const res = await http().get('/v1/collections/empty/index').expect(200);
    expect(res.body).toEqual({
      collection: 'empty',
      state: 'ready',
      size: 0,
      capacity: 0,
      deletedSlots: 0,
      elements: 0,
      storedVectors: 0,
      missing: { count: 0, first: [] },
      extra: { count: 0, first: [] },
      consistent: true,
    });
  });

  it('holds exactly the stored vectors after adds, a replacement and a delete, and reuses the freed slots', async () => {
    const docs = ['alpha', 'bravo', 'charlie', 'delta'].map((w) => ({ id: w, text: text(w) }));
    await http().post('/v1/collections/idx/documents').send({ documents: docs }).expect(201);
    const added = (await http().get('/v1/collections/idx/index').expect(200)).body;
    const chunks = (await http().get('/v1/collections/idx').expect(200)).body.counts
      .chunks as number;
    expect(added).toMatchObject({
      state: 'ready',
      size: chunks,
      storedVectors: chunks,
      deletedSlots: 0,
      elements: chunks,
      consistent: true,
    });

    await http().delete('/v1/collections/idx/documents/alpha').expect(204);
    const afterDelete = (await http().get('/v1/collections/idx/index').expect(200)).body;
    const freed = chunks - afterDelete.size;
    expect(freed).toBeGreaterThan(0);
    expect(afterDelete).toMatchObject({
      deletedSlots: freed,
      elements: chunks,
      storedVectors: afterDelete.size,
      consistent: true,
    });

    await http()
      .put('/v1/collections/idx/documents/bravo')
      .send({ text: text('echo') })
      .expect(200);
    await http()
      .post('/v1/collections/idx/documents')
      .send({ documents: [{ id: 'foxtrot', text: text('foxtrot') }] })
      .expect(201);
    const after = (await http().get('/v1/collections/idx/index').expect(200)).body;
    expect(after).toMatchObject({
      storedVectors: after.size,
      consistent: true,
      missing: { count: 0 },
      extra: { count: 0 },
    });
    // The replacement and the new document took freed slots instead of new ones.
    expect(after.elements).toBe(chunks);
    expect(after.deletedSlots).toBe(chunks - after.size);
    expect(after.capacity).toBe(added.capacity);
  });

  it('names the labels when the index and SQLite disagree', async () => {
    const before = (await http().get('/v1/collections/idx/index').expect(200)).body;
    const chunkId = (await http().get('/v1/collections/idx/documents/charlie').expect(200)).body
      .chunks[0].id as number;
    app.get(VectorStore).delete(app.get(CollectionsService).row('idx').id, [chunkId]);
    const res = await http().get('/v1/collections/idx/index').expect(200);
    expect(res.body).toMatchObject({
      size: before.size - 1,
      storedVectors: before.storedVectors,
      consistent: false,
    });
    expect(res.body.missing).toEqual({ count: 1, first: [chunkId] });
    expect(res.body.extra).toEqual({ count: 0, first: [] });
  });

  it('answers 404 with the error body for an unknown collection', async () => {
    const res = await http().get('/v1/collections/nope/index').expect(404);
    expect(res.body.error).toMatchObject({
      code: 'collection_not_found',
      details: { collection: 'nope' },
    });
  });

  it('is described in the OpenAPI document', async () => {
    const res = await http().get('/docs-json').expect(200);
    const op = res.body.paths['/v1/collections/{name}/index']?.get;
    expect(op.responses['200'].content['application/json'].schema.$ref).toMatch(
      /IndexVerificationDto$/,
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404']));
  });
});
