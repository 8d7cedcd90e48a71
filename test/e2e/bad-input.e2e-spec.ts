import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

describe('bad input gets a 4xx JSON error, never a 500 or a half-written document (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      PRELOAD_MODELS: 'false',
      MAX_BODY_BYTES: '20000',
      MAX_FILE_BYTES: '10000',
    });
    await http().post('/v1/collections').send({ name: 'c' }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  const cases: [string, () => request.Test, number, string][] = [
    [
      'malformed JSON',
      () => http().post('/v1/collections').set('content-type', 'application/json').send('{"name":'),
      400,
      'bad_request',
    ],
    ['wrong type', () => http().post('/v1/collections').send({ name: 42 }), 400, 'bad_request'],
    [
      'unknown field',
      () => http().post('/v1/collections').send({ name: 'x', colour: 'red' }),
      400,
      'bad_request',
    ],
    [
      'invalid collection name',
      () => http().post('/v1/collections').send({ name: '../etc' }),
      400,
      'bad_request',
    ],
    [
      'overlap not below size',
      () => http().post('/v1/collections').send({ name: 'y', chunkSize: 32, chunkOverlap: 32 }),
      400,
      'invalid_input',
    ],
    [
      'existing collection',
      () => http().post('/v1/collections').send({ name: 'c' }),
      409,
      'collection_exists',
    ],
    ['unknown collection', () => http().get('/v1/collections/nope'), 404, 'collection_not_found'],
    [
      'unknown document',
      () => http().get('/v1/collections/c/documents/nope'),
      404,
      'document_not_found',
    ],
    [
      'empty text',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: '' }] }),
      400,
      'bad_request',
    ],
    [
      'blank text',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: '  \n ' }] }),
      400,
      'invalid_input',
    ],
    [
      'no documents',
      () => http().post('/v1/collections/c/documents').send({ documents: [] }),
      400,
      'bad_request',
    ],
    [
      'unknown field in a document',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: 'a', extra: 1 }] }),
      400,
      'bad_request',
    ],
    [
      'duplicate ids in one request',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({
            documents: [
              { id: 'a', text: 'x' },
              { id: 'a', text: 'y' },
            ],
          }),
      400,
      'invalid_input',
    ],
    [
      'metadata not an object',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: 'a', metadata: [1] }] }),
      400,
      'bad_request',
    ],
    [
      'oversized body',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .send({ documents: [{ text: 'a'.repeat(30000) }] }),
      413,
      'payload_too_large',
    ],
    [
      'oversized file',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .attach('file', Buffer.alloc(20000, 97), 'big.txt'),
      413,
      'payload_too_large',
    ],
    [
      'unsupported file type',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .attach('file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'x.png'),
      415,
      'unsupported_media_type',
    ],
    [
      'upload without file',
      () => http().post('/v1/collections/c/documents').field('title', 'x'),
      400,
      'invalid_input',
    ],
    [
      'upload with bad metadata',
      () =>
        http()
          .post('/v1/collections/c/documents')
          .field('metadata', '[1]')
          .attach('file', Buffer.from('hi'), 'a.txt'),
      400,
      'invalid_input',
    ],
    [
      'text/plain body',
      () =>
        http().post('/v1/collections/c/documents').set('content-type', 'text/plain').send('hello'),
      400,
      'invalid_input',
    ],
    [
      'topK out of range',
      () => http().post('/v1/collections/c/search').send({ query: 'x', topK: 1000 }),
      400,
      'bad_request',
    ],
    [
      'unknown mode',
      () => http().post('/v1/collections/c/search').send({ query: 'x', mode: 'magic' }),
      400,
      'bad_request',
    ],
    [
      'blank query',
      () => http().post('/v1/collections/c/search').send({ query: '   ' }),
      400,
      'invalid_input',
    ],
    [
      'unknown filter operator',
      () =>
        http()
          .post('/v1/collections/c/search')
          .send({ query: 'x', filter: { a: { b: 1 } } }),
      400,
      'invalid_input',
    ],
    [
      'filter not an object',
      () =>
        http()
          .post('/v1/collections/c/search')
          .send({ query: 'x', filter: [1] }),
      400,
      'bad_request',
    ],
    [
      'body is an array',
      () => http().post('/v1/collections/c/search').send([1, 2]),
      400,
      'bad_request',
    ],
    [
      'temperature out of range',
      () => http().post('/v1/collections/c/ask').send({ question: 'x', temperature: 5 }),
      400,
      'bad_request',
    ],
    ['bad pagination', () => http().get('/v1/collections/c/documents?limit=0'), 400, 'bad_request'],
    [
      'an offset past any table',
      () => http().get('/v1/collections/c/documents?offset=1e300'),
      400,
      'bad_request',
    ],
    [
      'a truncated multipart job',
      () =>
        http()
          .post('/v1/collections/c/jobs')
          .set('content-type', 'multipart/form-data; boundary=XX')
          .send(
            '--XX\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello wor',
          ),
      400,
      'invalid_input',
    ],
    [
      'a multipart job with no boundary',
      () =>
        http()
          .post('/v1/collections/c/jobs')
          .set('content-type', 'multipart/form-data')
          .send('--XX\r\n'),
      400,
      'invalid_input',
    ],
    [
      // Found by the fuzz suite: was a 500 (the idempotency interceptor's wiring check).
      'multipart with an Idempotency-Key on a JSON-only route',
      () => http().post('/v1/collections').set('Idempotency-Key', 'k1').field('name', 'x'),
      415,
      'unsupported_media_type',
    ],
    [
      // Found by the fuzz suite: arrays where nested objects belong passed ValidateNested (500).
      'an evaluation whose queries are arrays',
      () =>
        http()
          .post('/v1/collections/c/evaluate')
          .send({ queries: [[], []] }),
      400,
      'bad_request',
    ],
    [
      'a search whose fusion is an array',
      () => http().post('/v1/collections/c/search').send({ query: 'x', fusion: [] }),
      400,
      'bad_request',
    ],
    [
      'JSON nested 10,000 deep',
      () =>
        http()
          .post('/v1/collections/c/search')
          .set('content-type', 'application/json')
          .send('{"query":"x","filter":' + '['.repeat(9000) + ']'.repeat(9000) + '}'),
      400,
      'json_too_deep',
    ],
    [
      'a filter of 1,000 terms',
      () =>
        http()
          .post('/v1/collections/c/search')
          .send({
            query: 'x',
            filter: { $or: Array.from({ length: 1000 }, (_, i) => ({ k: i })) },
          }),
      400,
      'invalid_input',
    ],
    ['unknown route', () => http().get('/v2/anything'), 404, 'not_found'],
    [
      'PUT with blank text',
      () => http().put('/v1/collections/c/documents/x').send({ text: '   ' }),
      400,
      'invalid_input',
    ],
    [
      'PUT with an unknown field',
      () => http().put('/v1/collections/c/documents/x').send({ text: 'a', id: 'y' }),
      400,
      'bad_request',
    ],
    [
      'PUT into an unknown collection',
      () => http().put('/v1/collections/nope/documents/x').send({ text: 'a' }),
      404,
      'collection_not_found',
    ],
    [
      'PATCH with a bad fusion k',
      () =>
        http()
          .patch('/v1/collections/c')
          .send({ search: { rrfK: 0 } }),
      400,
      'bad_request',
    ],
    [
      'PATCH an unknown collection',
      () => http().patch('/v1/collections/nope').send({ metadata: {} }),
      404,
      'collection_not_found',
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/\w/); // says something
  });

  it('wrote no document through any of them', async () => {
    const res = await http().get('/v1/collections/c').expect(200);
    expect(res.body.counts).toMatchObject({ documents: 0, chunks: 0 });
  });
});
