import { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

/** More than any test machine has free: every request that adds data meets the threshold. */
const UNREACHABLE_MB = '100000000';
const KEY = '5d0c1c64-5e4e-4d43-9a2b-1f0f3f8e2a11';

describe('below STORAGE_MIN_FREE_MB new data is refused with 507 before it is processed; reads and deletes go on (e2e)', () => {
  const storage = tempDir();
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    const env = { ...TINY_ENV, STORAGE_DIR: storage, PRELOAD_MODELS: 'false' };
    app = await createTestApp({ ...env, STORAGE_MIN_FREE_MB: '0' });
    await http().post('/v1/collections').send({ name: 'c' }).expect(201);
    await http()
      .post('/v1/collections/c/documents')
      .set('Idempotency-Key', KEY)
      .send({
        wait: false,
        documents: [
          { id: 'stays', text: 'The blue boat sails on the lake.' },
          { id: 'goes', text: 'The red train leaves at noon.' },
        ],
      })
      .expect(201);
    await app.close();
    app = await createTestApp({ ...env, STORAGE_MIN_FREE_MB: UNREACHABLE_MB });
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  const adding: [string, () => request.Test][] = [
    ['create a collection', () => http().post('/v1/collections').send({ name: 'new' })],
    [
      'add documents as JSON',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: 'More text.' }] }),
    ],
    [
      'upload a file',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .attach('file', Buffer.from('# More\n\ntext'), 'more.md'),
    ],
    [
      'create or replace a document',
      () => http().put('/v1/collections/c/documents/stays').send({ text: 'Other text.' }),
    ],
    [
      're-embed a collection',
      () =>
        http()
          .post('/v1/collections/c/reembed')
          .send({ embeddingModel: 'tiny/embed-heavy', embeddingDtype: 'fp32' }),
    ],
  ];

  it.each(adding)(
    '%s: 507 insufficient_storage naming the directory (by its setting) and the setting',
    async (_name, send) => {
      const res = await send();
      expect(res.status).toBe(507);
      expect(res.body.error.code).toBe('insufficient_storage');
      // The folder by its setting's name: no absolute path of the machine reaches a client.
      expect(res.body.error.message).toContain('STORAGE_DIR');
      expect(res.body.error.message).not.toContain(storage);
      expect(res.body.error.message).toContain('STORAGE_MIN_FREE_MB');
      expect(res.body.error.details).toMatchObject({
        path: 'STORAGE_DIR',
        cause: 'STORAGE_MIN_FREE_MB',
      });
      expect(res.body.error.details.freeBytes).toBeGreaterThan(0);
    },
  );

  it('answers a retry of a request that succeeded from its stored result, not with 507', async () => {
    const res = await http()
      .post('/v1/collections/c/documents')
      .set('Idempotency-Key', KEY)
      .send({
        wait: false,
        documents: [
          { id: 'stays', text: 'The blue boat sails on the lake.' },
          { id: 'goes', text: 'The red train leaves at noon.' },
        ],
      });
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.body.documents.map((d: { id: string }) => d.id)).toEqual(['stays', 'goes']);
  });

  it('keeps answering reads and searches, and deletes (they free space)', async () => {
    expect((await http().get('/v1/collections/c/documents/stays').expect(200)).body.text).toBe(
      'The blue boat sails on the lake.',
    );
    const search = await http()
      .post('/v1/collections/c/search')
      .send({ query: 'boat on the lake', mode: 'lexical' })
      .expect(200);
    expect(search.body.results[0].documentId).toBe('stays');
    await http().delete('/v1/collections/c/documents/goes').expect(204);
    expect((await http().get('/v1/collections/c').expect(200)).body.counts.documents).toBe(1);
  });

  it('reports low space in /health without a fault', async () => {
    const res = await http().get('/health').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.storage).toMatchObject({
      status: 'low_space',
      dir: storage,
      writable: true,
      faults: [],
    });
    expect(res.body.storage.reason).toContain('STORAGE_MIN_FREE_MB');
    expect(res.body.storage.minFreeBytes).toBe(Number(UNREACHABLE_MB) * 1024 * 1024);
    expect(res.body.storage.freeBytes).toBeLessThan(res.body.storage.minFreeBytes);
  });
});
