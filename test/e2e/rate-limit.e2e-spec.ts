import { INestApplication } from '@nestjs/common';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const ENV = { ...TINY_ENV, PRELOAD_MODELS: 'false' };
const ADMIN = 'an-admin-key-from-the-environment-0123456789';
const BOUNDARY = 'held-open-boundary';

/** Starts a multipart upload and keeps its body unfinished until `end` or `abort`. */
function heldUpload(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): { response: Promise<number>; abort: () => void } {
  const req = http.request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: {
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Content-Length': '1000', // within INGEST_BYTES_PER_DAY below
      ...headers,
    },
  });
  const response = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(-1));
  });
  req.write(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\nThe beginning of a slow upload`,
  );
  return { response, abort: () => req.destroy() };
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

async function makeKey(app: INestApplication<App>, scopes: string[]): Promise<string> {
  const res = await request(app.getHttpServer())
    .post('/v1/keys')
    .set('Authorization', `Bearer ${ADMIN}`)
    .send({ name: scopes.join(' '), scopes });
  expect(res.status).toBe(201);
  return (res.body as { key: string }).key;
}

describe('requests per minute per key (e2e)', () => {
  let app: INestApplication<App>;
  const api = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...ENV,
      STORAGE_DIR: tempDir(),
      RAGD_API_KEY: ADMIN,
      RATE_LIMIT_PER_MINUTE: '3',
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 429 with Retry-After and a JSON error past RATE_LIMIT_PER_MINUTE, per key', async () => {
    const one = await makeKey(app, ['read:*']); // the admin key's first request
    const two = await makeKey(app, ['read:*']);
    for (let i = 0; i < 3; i++) {
      const ok = await api().get('/v1/collections').set('Authorization', `Bearer ${one}`);
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
    }
    const refused = await api().get('/v1/collections').set('Authorization', `Bearer ${one}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toContain('RATE_LIMIT_PER_MINUTE');
    const retry = Number(refused.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // every route counts toward the same limit of the key
    expect((await api().get('/v1/models').set('Authorization', `Bearer ${one}`)).status).toBe(429);
    // another key has its own count; the admin key has used 2 of its 3
    expect((await api().get('/v1/collections').set('Authorization', `Bearer ${two}`)).status).toBe(
      200,
    );
    expect((await api().get('/v1/keys').set('Authorization', `Bearer ${ADMIN}`)).status).toBe(200);
    expect((await api().get('/v1/keys').set('Authorization', `Bearer ${ADMIN}`)).status).toBe(429);
  });

  it('does not count requests without a key on public routes', async () => {
    for (let i = 0; i < 5; i++) expect((await api().get('/health/live')).status).toBe(200);
  });
});

describe('upload limits (e2e)', () => {
  let app: INestApplication<App>;
  let port: number;
  const api = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...ENV,
      STORAGE_DIR: tempDir(),
      RAGD_API_KEY: ADMIN,
      MAX_CONCURRENT_UPLOADS_PER_KEY: '1',
      MAX_CONCURRENT_MEMORY_UPLOADS: '2',
      INGEST_BYTES_PER_DAY: '3000',
    });
    await app.listen(0, '127.0.0.1');
    port = ((app.getHttpServer() as unknown as http.Server).address() as AddressInfo).port;
    for (const name of ['a', 'b'])
      expect(
        (await api().post('/v1/collections').set('Authorization', `Bearer ${ADMIN}`).send({ name }))
          .status,
      ).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lets a key run MAX_CONCURRENT_UPLOADS_PER_KEY ingest requests at once (429 beyond)', async () => {
    const key = await makeKey(app, ['write:a']);
    const auth = { Authorization: `Bearer ${key}` };
    const held = heldUpload(port, '/v1/collections/a/documents', auth);
    await settle();
    const second = await api()
      .post('/v1/collections/a/jobs')
      .set(auth)
      .send({ documents: [{ text: 'x' }] });
    expect(second.status).toBe(429);
    expect(second.body.error.message).toContain('MAX_CONCURRENT_UPLOADS_PER_KEY');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // searching is not an upload
    const search = await api()
      .post('/v1/collections/a/search')
      .set(auth)
      .send({ query: 'x', mode: 'lexical' });
    expect(search.status).toBe(200);
    held.abort();
    await settle();
    const after = await api()
      .post('/v1/collections/a/documents')
      .set(auth)
      .send({ documents: [{ id: 'small', text: 'A small note.' }], wait: false });
    expect(after.status).toBe(201);
  });

  it('counts the bytes a key ingests in a UTC day against INGEST_BYTES_PER_DAY', async () => {
    const key = await makeKey(app, ['write:b']);
    const auth = { Authorization: `Bearer ${key}` };
    const doc = (id: string, chars: number) => ({
      documents: [{ id, text: 'word '.repeat(chars / 5) }],
      wait: false,
    });
    const size = (body: unknown) => Buffer.byteLength(JSON.stringify(body));
    const first = doc('one', 1800);
    expect((await api().post('/v1/collections/b/documents').set(auth).send(first)).status).toBe(
      201,
    );
    const big = doc('two', 1800);
    const refused = await api().post('/v1/collections/b/documents').set(auth).send(big);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.details).toMatchObject({
      limit: 3000,
      used: size(first),
      declared: size(big),
    });
    const retry = Number(refused.headers['retry-after']);
    const midnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
    expect(Math.abs(retry - midnight)).toBeLessThanOrEqual(2);
    // what still fits is taken, then nothing more
    const small = doc('three', 3000 - size(first) - 60);
    expect(size(small)).toBeLessThanOrEqual(3000 - size(first));
    expect((await api().post('/v1/collections/b/documents').set(auth).send(small)).status).toBe(
      201,
    );
    await settle(50);
    const tiny = await api().post('/v1/collections/b/documents').set(auth).send(doc('four', 0));
    expect(tiny.status).toBe(429);
    // another key has its own day
    const other = await makeKey(app, ['write:b']);
    expect(
      (
        await api()
          .post('/v1/collections/b/documents')
          .set({ Authorization: `Bearer ${other}` })
          .send(doc('five', 100))
      ).status,
    ).toBe(201);
  });

  it('holds at most MAX_CONCURRENT_MEMORY_UPLOADS multipart uploads in memory, server-wide (503)', async () => {
    const keys = [
      await makeKey(app, ['write:a']),
      await makeKey(app, ['write:a']),
      await makeKey(app, ['write:a']),
    ];
    const held = keys
      .slice(0, 2)
      .map((k) =>
        heldUpload(port, '/v1/collections/a/documents', { Authorization: `Bearer ${k}` }),
      );
    await settle();
    const third = await api()
      .post('/v1/collections/a/documents')
      .set('Authorization', `Bearer ${keys[2]}`)
      .attach('file', Buffer.from('A third upload.'), 'third.txt');
    expect(third.status).toBe(503);
    expect(third.body.error.code).toBe('server_busy');
    expect(third.body.error.message).toContain('MAX_CONCURRENT_MEMORY_UPLOADS');
    expect(third.headers['retry-after']).toBeDefined();
    // JSON documents and jobs (streamed to disk) are not held in memory that way
    const json = await api()
      .post('/v1/collections/a/documents')
      .set('Authorization', `Bearer ${keys[2]}`)
      .send({ documents: [{ id: 'json', text: 'Sent as JSON.' }], wait: false });
    expect(json.status).toBe(201);
    for (const h of held) h.abort();
    await settle();
    const again = await api()
      .post('/v1/collections/a/documents')
      .set('Authorization', `Bearer ${keys[2]}`)
      .attach('file', Buffer.from('A third upload, later.'), 'third.txt');
    expect(again.status).toBe(201);
  });
});
