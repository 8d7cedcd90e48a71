import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const ADMIN = 'an-admin-key-from-the-environment-0123456789';

interface KeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

describe('API keys and scopes (e2e)', () => {
  let app: INestApplication<App>;
  let storage: string;
  /** Keys made by the admin key: read:handbook, write:team-*. */
  let reader: KeyView & { key: string };
  let team: KeyView & { key: string };

  const http = () => request(app.getHttpServer());
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });

  async function makeKey(body: Record<string, unknown>): Promise<KeyView & { key: string }> {
    const res = await http().post('/v1/keys').set(as(ADMIN)).send(body);
    expect(res.status).toBe(201);
    return res.body as KeyView & { key: string };
  }

  beforeAll(async () => {
    tinyModelsPresent();
    storage = tempDir();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage, RAGD_API_KEY: ADMIN });
    for (const name of ['handbook', 'team-a', 'secret']) {
      expect((await http().post('/v1/collections').set(as(ADMIN)).send({ name })).status).toBe(201);
      const add = await http()
        .post(`/v1/collections/${name}/documents`)
        .set(as(ADMIN))
        .send({ documents: [{ id: 'd1', text: `The ${name} says trains leave at eight.` }] });
      expect(add.status).toBe(201);
    }
    reader = await makeKey({ name: 'reader', scopes: ['read:handbook'] });
    team = await makeKey({ name: 'team', scopes: ['write:team-*'] });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 401 with WWW-Authenticate and a JSON error without a valid key', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer nope' },
      { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      // The reader's key with its last hex digit changed (to another digit: 1 in 16 ends in 0).
      { Authorization: `Bearer ${reader.key.slice(0, -1)}${reader.key.endsWith('0') ? '1' : '0'}` },
    ]) {
      const res = await http().get('/v1/collections/handbook').set(headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.error.code).toBe('unauthorized');
      expect(typeof res.body.error.message).toBe('string');
    }
  });

  it('shows a key once, with the ragd_ prefix and 256 bits, and never lists the key or its hash', async () => {
    expect(reader.key).toMatch(/^ragd_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(reader.key.startsWith(`ragd_${reader.id}_`)).toBe(true);
    expect(reader).toMatchObject({ name: 'reader', scopes: ['read:handbook'], expiresAt: null });
    const list = await http().get('/v1/keys').set(as(ADMIN));
    expect(list.status).toBe(200);
    const keys = (list.body as { keys: Record<string, unknown>[] }).keys;
    expect(keys.map((k) => k.name)).toEqual(['reader', 'team']);
    for (const k of keys) {
      expect(Object.keys(k).sort()).toEqual(
        ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'scopes'].sort(),
      );
    }
    expect(JSON.stringify(list.body)).not.toContain(reader.key.slice(22));
  });

  it('records when a key was last used', async () => {
    const before = Date.now();
    expect((await http().get('/v1/collections').set(as(team.key))).status).toBe(200);
    const list = await http().get('/v1/keys').set(as(ADMIN));
    const seen = (list.body as { keys: KeyView[] }).keys.find((k) => k.id === team.id)!;
    expect(Date.parse(seen.lastUsedAt!)).toBeGreaterThanOrEqual(before - 5);
  });

  it('refuses bad key requests with 400', async () => {
    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['delete:all'] },
      { name: 'x', scopes: ['read:a b'] },
      { name: '', scopes: ['admin'] },
      { name: 'x', scopes: ['admin'], expiresAt: '2001-01-01T00:00:00Z' },
      { name: 'x', scopes: ['admin'], expiresAt: 'tomorrow' },
      { name: 'x', scopes: ['admin'], extra: 1 },
    ]) {
      const res = await http().post('/v1/keys').set(as(ADMIN)).send(body);
      expect(res.status).toBe(400);
    }
  });

  it('lists only the collections a key may read', async () => {
    const names = async (key: string) =>
      (
        (await http().get('/v1/collections').set(as(key))).body as {
          collections: { name: string }[];
        }
      ).collections.map((c) => c.name);
    expect(await names(reader.key)).toEqual(['handbook']);
    expect(await names(team.key)).toEqual(['team-a']);
    expect((await names(ADMIN)).sort()).toEqual(['handbook', 'secret', 'team-a']);
  });

  it('lets read: search, ask and read documents of its collections only', async () => {
    const key = as(reader.key);
    expect((await http().get('/v1/collections/handbook').set(key)).status).toBe(200);
    expect((await http().get('/v1/collections/handbook/documents/d1').set(key)).status).toBe(200);
    const search = await http()
      .post('/v1/collections/handbook/search')
      .set(key)
      .send({ query: 'trains', mode: 'lexical' });
    expect(search.status).toBe(200);
    expect(search.body.results[0].documentId).toBe('d1');
    const other = await http()
      .post('/v1/collections/secret/search')
      .set(key)
      .send({ query: 'trains', mode: 'lexical' });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(other.body.error.message).toContain("collection 'secret'");
    // an unknown collection is refused the same way: a key learns nothing about names outside its scopes
    expect((await http().get('/v1/collections/nope').set(key)).status).toBe(403);
  });

  it('refuses read keys every write', async () => {
    const key = as(reader.key);
    const add = await http()
      .post('/v1/collections/handbook/documents')
      .set(key)
      .send({ documents: [{ text: 'x' }] });
    expect(add.status).toBe(403);
    expect(
      (await http().put('/v1/collections/handbook/documents/d1').set(key).send({ text: 'y' }))
        .status,
    ).toBe(403);
    expect((await http().delete('/v1/collections/handbook/documents/d1').set(key)).status).toBe(
      403,
    );
    expect((await http().delete('/v1/collections/handbook').set(key)).status).toBe(403);
    expect(
      (
        await http()
          .post('/v1/collections/handbook/jobs')
          .set(key)
          .send({ documents: [{ text: 'x' }] })
      ).status,
    ).toBe(403);
    expect((await http().get('/v1/collections/handbook/documents/d1').set(as(ADMIN))).status).toBe(
      200,
    );
  });

  it('lets write:team-* create, fill and delete team collections, and nothing else', async () => {
    const key = as(team.key);
    expect((await http().post('/v1/collections').set(key).send({ name: 'team-b' })).status).toBe(
      201,
    );
    expect((await http().post('/v1/collections').set(key).send({ name: 'other' })).status).toBe(
      403,
    );
    expect((await http().post('/v1/collections').set(key).send({})).status).toBe(403);
    const add = await http()
      .post('/v1/collections/team-b/documents')
      .set(key)
      .send({ documents: [{ id: 'n', text: 'The team notes say the bus is blue.' }] });
    expect(add.status).toBe(201);
    const search = await http()
      .post('/v1/collections/team-b/search')
      .set(key)
      .send({ query: 'bus', mode: 'lexical' });
    expect(search.body.results[0].documentId).toBe('n');
    expect((await http().get('/v1/collections/handbook').set(key)).status).toBe(403);
    expect((await http().delete('/v1/collections/team-b').set(key)).status).toBe(204);
  });

  it('guards jobs by the collection they belong to', async () => {
    const created = await http()
      .post('/v1/collections/team-a/jobs')
      .set(as(team.key))
      .send({ documents: [{ id: 'j1', text: 'A job document about ferries.' }] });
    expect(created.status).toBe(202);
    const id = (created.body as { id: string }).id;
    expect((await http().get(`/v1/jobs/${id}`).set(as(team.key))).status).toBe(200);
    expect((await http().get(`/v1/jobs/${id}/items`).set(as(team.key))).status).toBe(200);
    expect((await http().get(`/v1/jobs/${id}`).set(as(reader.key))).status).toBe(403);
    expect((await http().delete(`/v1/jobs/${id}`).set(as(reader.key))).status).toBe(403);
    // a non-admin key lists the jobs of one collection it may read
    expect((await http().get('/v1/jobs').set(as(team.key))).status).toBe(403);
    const listed = await http().get('/v1/jobs?collection=team-a').set(as(team.key));
    expect(listed.status).toBe(200);
    expect((listed.body as { items: { id: string }[] }).items.map((j) => j.id)).toContain(id);
    expect((await http().get('/v1/jobs?collection=team-a').set(as(reader.key))).status).toBe(403);
    expect((await http().get('/v1/jobs').set(as(ADMIN))).status).toBe(200);
  });

  it('keeps models, backups and keys for admin; lists models for any key', async () => {
    const key = as(team.key);
    expect((await http().get('/v1/models').set(key)).status).toBe(200);
    expect((await http().get('/v1/models/tiny/embed').set(key)).status).toBe(200);
    const unload = await http().post('/v1/models/tiny/embed/unload').set(key).send({});
    expect(unload.status).toBe(403);
    expect(unload.body.error.type).toBe('permission_error'); // the OpenAI-shaped routes keep their shape
    expect((await http().post('/v1/models/tiny/chat/load').set(key).send({})).status).toBe(403);
    expect((await http().post('/v1/backups').set(key).send({})).status).toBe(403);
    expect((await http().get('/v1/backups').set(key)).status).toBe(403);
    expect((await http().get('/v1/keys').set(key)).status).toBe(403);
    expect(
      (
        await http()
          .post('/v1/keys')
          .set(key)
          .send({ name: 'x', scopes: ['admin'] })
      ).status,
    ).toBe(403);
    expect((await http().delete(`/v1/keys/${reader.id}`).set(key)).status).toBe(403);
    expect((await http().get('/v1/backups').set(as(ADMIN))).status).toBe(200);
  });

  it('keeps /health/live public and the details of /health for admin', async () => {
    expect((await http().get('/health/live')).body).toMatchObject({ status: 'ok' });
    const anonymous = await http().get('/health');
    expect(anonymous.status).toBe(200);
    expect(Object.keys(anonymous.body as object).sort()).toEqual(['status', 'version']);
    const reading = await http().get('/health').set(as(reader.key));
    expect(reading.body.storage).toBeUndefined();
    const admin = await http().get('/health').set(as(ADMIN));
    expect(admin.body.storage.dir).toBe(storage);
    expect(admin.body.models.length).toBeGreaterThan(0);
  });

  it('takes the same key through the official openai client', async () => {
    const { port } = (await listening()).address() as AddressInfo;
    const client = (apiKey: string) =>
      new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
    const embedded = await client(reader.key).embeddings.create({
      model: 'tiny/embed',
      input: 'trains',
    });
    expect(embedded.data[0]!.embedding).toHaveLength(128);
    await expect(
      client('ragd_0000000000000000_' + '0'.repeat(64)).embeddings.create({
        model: 'tiny/embed',
        input: 'x',
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const ask = (key: string, collection: string) =>
      client(key).chat.completions.create({
        model: 'tiny/chat',
        messages: [{ role: 'user', content: 'When do trains leave?' }],
        max_tokens: 4,
        // @ts-expect-error ragd's extension
        collection,
      });
    await expect(ask(reader.key, 'secret')).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    const answered = await ask(reader.key, 'handbook');
    expect(answered.choices[0]!.message.role).toBe('assistant');
    // answered from the collection: the response carries its sources (the tiny model may cite none)
    expect(Array.isArray((answered as unknown as { sources: unknown }).sources)).toBe(true);
    const models = await client(team.key).models.list();
    expect(models.data.map((m) => m.id)).toContain('tiny/embed');
  });

  it('stops a key at its expiry and at its revocation', async () => {
    const soon = await makeKey({
      name: 'soon',
      scopes: ['read:*'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect((await http().get('/v1/collections/secret').set(as(soon.key))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const expired = await http().get('/v1/collections/secret').set(as(soon.key));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);

    const gone = await makeKey({ name: 'gone', scopes: ['read:*'] });
    expect((await http().get('/v1/collections/secret').set(as(gone.key))).status).toBe(200);
    expect((await http().delete(`/v1/keys/${gone.id}`).set(as(ADMIN))).status).toBe(204);
    expect((await http().get('/v1/collections/secret').set(as(gone.key))).status).toBe(401);
    expect((await http().delete(`/v1/keys/${gone.id}`).set(as(ADMIN))).status).toBe(404);
  });

  it('keeps the keys across a restart (hashes in SQLite), with auth on without RAGD_API_KEY', async () => {
    await app.close();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage, PRELOAD_MODELS: 'false' });
    expect((await http().get('/v1/collections/handbook')).status).toBe(401);
    expect((await http().get('/v1/collections/handbook').set(as(ADMIN))).status).toBe(401);
    expect((await http().get('/v1/collections/handbook').set(as(reader.key))).status).toBe(200);
    const list = await http().get('/v1/collections').set(as(team.key));
    expect(list.status).toBe(200);
  });

  async function listening(): Promise<import('node:http').Server> {
    const server = app.getHttpServer() as unknown as import('node:http').Server;
    if (!server.listening) await app.listen(0, '127.0.0.1');
    return server;
  }
});

describe('a server with no key configured (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('runs open on loopback until the first key is made, then needs keys', async () => {
    expect((await http().post('/v1/collections').send({ name: 'open' })).status).toBe(201);
    expect((await http().get('/health')).body.storage).toBeDefined();
    // any Authorization header is ignored while open (OpenAI clients must send some apiKey)
    expect((await http().get('/v1/collections').set('Authorization', 'Bearer unused')).status).toBe(
      200,
    );
    const made = await http()
      .post('/v1/keys')
      .send({ name: 'first', scopes: ['admin'] });
    expect(made.status).toBe(201);
    expect(made.headers['cache-control']).toBe('no-store');
    const key = (made.body as { key: string }).key;
    expect((await http().get('/v1/collections')).status).toBe(401);
    expect((await http().get('/health')).body.storage).toBeUndefined();
    expect((await http().get('/v1/collections').set('Authorization', `Bearer ${key}`)).status).toBe(
      200,
    );
    // deleting the last key on loopback opens the server again
    const id = (made.body as { id: string }).id;
    expect(
      (await http().delete(`/v1/keys/${id}`).set('Authorization', `Bearer ${key}`)).status,
    ).toBe(204);
    expect((await http().get('/v1/collections')).status).toBe(200);
  });
});
