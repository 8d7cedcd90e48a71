import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const ENV = { ...TINY_ENV, PRELOAD_MODELS: 'false' };
const ADMIN = 'an-admin-key-from-the-environment-0123456789';

describe('Host and Origin: no control from other sites (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...ENV, STORAGE_DIR: tempDir() });
    expect((await http().post('/v1/collections').send({ name: 'notes' })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('refuses a Host that is not allowed (DNS rebinding), on every path, with a JSON error', async () => {
    for (const path of ['/health', '/v1/collections', '/docs-json', '/no/such/route']) {
      const res = await http().get(path).set('Host', 'attacker.example:3000');
      expect(res.status).toBe(421);
      expect(res.body.error.code).toBe('host_not_allowed');
      expect(res.body.error.message).toContain('ALLOWED_HOSTS');
    }
    const backup = await http()
      .post('/v1/backups')
      .set('Host', 'attacker.example')
      .set('Content-Type', 'text/plain')
      .send('{}');
    expect(backup.status).toBe(421);
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:3000'])
      expect((await http().get('/health/live').set('Host', host)).status).toBe(200);
  });

  it('refuses state changes from another origin whatever their content type, reads not', async () => {
    const evil = 'https://attacker.example';
    const backup = await http()
      .post('/v1/backups')
      .set('Origin', evil)
      .set('Content-Type', 'text/plain')
      .send('{}');
    expect(backup.status).toBe(403);
    expect(backup.body.error.code).toBe('cross_site_request');
    const unload = await http()
      .post('/v1/models/tiny/embed/unload')
      .set('Origin', evil)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('task=embedding');
    expect(unload.status).toBe(403);
    const upload = await http()
      .post('/v1/collections/notes/documents')
      .set('Origin', 'http://localhost:8080') // another port of this machine is another origin
      .attach('file', Buffer.from('planted text'), 'planted.txt');
    expect(upload.status).toBe(403);
    const blind = await http().delete('/v1/collections/notes').set('Sec-Fetch-Site', 'cross-site'); // no Origin, but the browser says where it came from
    expect(blind.status).toBe(403);
    const docs = await http().get('/v1/collections/notes/documents').set('Origin', evil);
    expect(docs.status).toBe(200);
    expect(docs.body.total).toBe(0); // nothing was planted
    expect(docs.headers['access-control-allow-origin']).toBeUndefined(); // CORS is off
  });

  it('lets the server’s own pages (Swagger UI) and clients without Origin change state', async () => {
    const own = await http()
      .post('/v1/collections/notes/documents')
      .set('Host', 'localhost:3000')
      .set('Origin', 'http://localhost:3000')
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ documents: [{ id: 'a', text: 'Written from the Swagger page.' }] });
    expect(own.status).toBe(201);
    const curl = await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [{ id: 'b', text: 'Written by curl.' }] });
    expect(curl.status).toBe(201);
  });
});

describe('ALLOWED_HOSTS, CORS_ORIGINS and cross-site refusals with keys on (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const app1 = 'https://app.example';

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...ENV,
      STORAGE_DIR: tempDir(),
      RAGD_API_KEY: ADMIN,
      ALLOWED_HOSTS: 'ragd.example.com',
      CORS_ORIGINS: app1,
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves the names ALLOWED_HOSTS adds, besides loopback', async () => {
    expect((await http().get('/health/live').set('Host', 'ragd.example.com')).status).toBe(200);
    expect((await http().get('/health/live').set('Host', 'other.example.com')).status).toBe(421);
  });

  it('answers preflights and requests of a CORS origin only', async () => {
    const preflight = await http()
      .options('/v1/collections')
      .set('Origin', app1)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(app1);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    const created = await http()
      .post('/v1/collections')
      .set('Origin', app1)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ name: 'from-app' });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(app1);
    const other = await http()
      .options('/v1/collections')
      .set('Origin', 'https://other.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a cross-site state change even with a valid admin key', async () => {
    const res = await http()
      .delete('/v1/collections/from-app')
      .set('Origin', 'https://other.example')
      .set('Authorization', `Bearer ${ADMIN}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_site_request');
    expect(
      (await http().get('/v1/collections/from-app').set('Authorization', `Bearer ${ADMIN}`)).status,
    ).toBe(200);
  });
});
