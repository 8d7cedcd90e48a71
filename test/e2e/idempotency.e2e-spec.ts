import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { CollectionsService } from '../../src/collections/collections.service';
import { DatabaseService } from '../../src/database/database.service';
import { IdempotencyService } from '../../src/idempotency/idempotency.service';
import { requestHash, requestScope } from '../../src/idempotency/request-hash';
import { DocumentsService } from '../../src/ingestion/documents.service';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const HOUR_MS = 3_600_000;
const DOCS_ROUTE = '/v1/collections/:name/documents';

/** Documents without ids get a new UUID each time: a second write would add them again. */
const docs = (text: string) => ({
  documents: [{ title: 'Note', text, metadata: { kind: 'note' } }],
});

interface KeyRow {
  key: string;
  scope: string;
  state: string;
  run_id: string;
  created_at: string;
}

describe('idempotent writes with Idempotency-Key (e2e)', () => {
  let storage: string;
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const db = () => app.get(DatabaseService).db;
  const documentCount = async (collection: string): Promise<number> =>
    (await http().get(`/v1/collections/${collection}`).expect(200)).body.counts.documents as number;
  const keyRow = (key: string, scope: string) =>
    db().prepare('SELECT * FROM idempotency_keys WHERE key = ? AND scope = ?').get(key, scope) as
      KeyRow | undefined;
  const docsScope = (name: string) => requestScope('POST', DOCS_ROUTE, { name });
  const docsHash = (name: string, body: unknown) =>
    requestHash({ params: { name }, query: {}, body });
  const addDocs = (collection: string, key: string, body: unknown) =>
    http()
      .post(`/v1/collections/${collection}/documents`)
      .set('Idempotency-Key', key)
      .send(body as object);

  beforeAll(async () => {
    tinyModelsPresent();
    storage = tempDir();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage });
    for (const name of ['c', 'd']) await http().post('/v1/collections').send({ name }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('replays the first response to a retry, with the same status and body, and writes nothing again', async () => {
    const before = await documentCount('c');
    const body = docs('The first retry test note.');
    const first = await addDocs('c', 'retry-1', body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body.documents[0].status).toBe('created');
    expect(await documentCount('c')).toBe(before + 1);

    const retry = await addDocs('c', 'retry-1', body).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.text).toBe(first.text);
    // The same request with its keys in another order is the same request.
    const reordered = {
      documents: [
        { metadata: { kind: 'note' }, text: 'The first retry test note.', title: 'Note' },
      ],
    };
    const again = await addDocs('c', 'retry-1', reordered).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await documentCount('c')).toBe(before + 1);
    expect(keyRow('retry-1', docsScope('c'))?.state).toBe('completed');
  });

  it('creates a collection once: a retry gets the first 201, not collection_exists', async () => {
    const first = await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'create-once')
      .send({ name: 'once', metadata: { a: 1 } })
      .expect(201);
    const retry = await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'create-once')
      .send({ name: 'once', metadata: { a: 1 } })
      .expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const without = await http()
      .post('/v1/collections')
      .send({ name: 'once', metadata: { a: 1 } })
      .expect(409);
    expect(without.body.error.code).toBe('collection_exists');
  });

  it('refuses the key with a different request (422) and writes nothing', async () => {
    const body = docs('A note sent under a key that is then reused.');
    const first = await addDocs('c', 'reused', body).expect(201);
    const before = await documentCount('c');
    const other = await addDocs('c', 'reused', docs('Another note under the same key.')).expect(
      422,
    );
    expect(other.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      details: { key: 'reused' },
    });
    const otherFlag = await addDocs('c', 'reused', { ...body, wait: false }).expect(422);
    expect(otherFlag.body.error.code).toBe('idempotency_key_reused');
    expect(await documentCount('c')).toBe(before);
    expect((await addDocs('c', 'reused', body).expect(201)).body).toEqual(first.body);
  });

  it('answers a retry that arrives while the first request runs with 409 and Retry-After, then lets it through', async () => {
    const body = docs('A note whose first request is still running.');
    const running = app
      .get(IdempotencyService)
      .begin('in-flight', docsScope('c'), docsHash('c', body), 201);
    expect(running.kind).toBe('claimed');
    const before = await documentCount('c');
    const busy = await addDocs('c', 'in-flight', body).expect(409);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body.error.code).toBe('idempotency_request_in_progress');
    expect(await documentCount('c')).toBe(before);
    // The first request fails without writing: the key is free again.
    if (running.kind === 'claimed') running.request.abandon();
    const res = await addDocs('c', 'in-flight', body).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await documentCount('c')).toBe(before + 1);
  });

  it('writes once when identical requests arrive at the same time', async () => {
    const before = await documentCount('c');
    const body = docs('A note posted four times at once.');
    const responses = await Promise.all([1, 2, 3, 4].map(() => addDocs('c', 'concurrent', body)));
    const firsts = responses.filter(
      (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(firsts).toHaveLength(1);
    for (const r of responses) {
      if (r === firsts[0]) continue;
      if (r.status === 409) {
        expect(r.body.error.code).toBe('idempotency_request_in_progress');
        expect(r.headers['retry-after']).toBe('1');
      } else {
        expect(r.status).toBe(201);
        expect(r.headers['idempotent-replayed']).toBe('true');
        expect(r.body).toEqual(firsts[0]!.body);
      }
    }
    expect(await documentCount('c')).toBe(before + 1);
    const retry = await addDocs('c', 'concurrent', body).expect(201);
    expect(retry.body).toEqual(firsts[0]!.body);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['a control character', 'a\tb'],
  ])('refuses a key that is %s (400) and writes nothing', async (_what, key) => {
    const before = await documentCount('c');
    const res = await addDocs('c', key, docs('A note under an invalid key.')).expect(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(await documentCount('c')).toBe(before);
  });

  it('takes a key of 255 printable characters', async () => {
    const key = `~!${'k'.repeat(249)} "{}`; // no space at either end: HTTP drops it
    expect(key).toHaveLength(255);
    await addDocs('c', key, docs('A note under the longest key.')).expect(201);
    expect(
      (await addDocs('c', key, docs('A note under the longest key.')).expect(201)).headers[
        'idempotent-replayed'
      ],
    ).toBe('true');
  });

  it('scopes keys to the route and the collection', async () => {
    const [c, d] = [await documentCount('c'), await documentCount('d')];
    const body = docs('A note posted to two collections under one key.');
    const inC = await addDocs('c', 'shared', body).expect(201);
    const inD = await addDocs('d', 'shared', body).expect(201);
    expect(inD.headers['idempotent-replayed']).toBeUndefined();
    expect(inD.body.documents[0].id).not.toBe(inC.body.documents[0].id);
    const created = await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'shared')
      .send({ name: 'shared-key' })
      .expect(201);
    expect(created.headers['idempotent-replayed']).toBeUndefined();
    expect([await documentCount('c'), await documentCount('d')]).toEqual([c + 1, d + 1]);
  });

  it('stores no error: after a 4xx the same key can succeed', async () => {
    const body = docs('A note for a collection created later.');
    const missing = await addDocs('later', 'after-404', body).expect(404);
    expect(missing.body.error.code).toBe('collection_not_found');
    await http().post('/v1/collections').send({ name: 'later' }).expect(201);
    const res = await addDocs('later', 'after-404', body).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await documentCount('later')).toBe(1);

    await addDocs('c', 'after-400', { documents: [{ text: '   ' }] }).expect(400);
    await addDocs('c', 'after-400', { documents: [{ id: 'x', text: 'x' }], colour: 'red' }).expect(
      400,
    );
    await addDocs('c', 'after-400', docs('The corrected request.')).expect(201);
    expect(keyRow('after-400', docsScope('c'))?.state).toBe('completed');
  });

  it('forgets a key after IDEMPOTENCY_TTL_HOURS (24 by default) and purges it', async () => {
    const body = docs('A note whose key expires.');
    const first = await addDocs('c', 'expires', body).expect(201);
    const age = (ms: number) =>
      db()
        .prepare('UPDATE idempotency_keys SET created_at = ? WHERE key = ?')
        .run(new Date(Date.now() - ms).toISOString(), 'expires');
    age(24 * HOUR_MS - 60_000);
    expect((await addDocs('c', 'expires', body).expect(201)).body).toEqual(first.body);
    await addDocs('c', 'expires', docs('Another note.')).expect(422);
    age(24 * HOUR_MS + 60_000);
    const before = await documentCount('c');
    const reused = await addDocs('c', 'expires', docs('Another note.')).expect(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(await documentCount('c')).toBe(before + 1);

    age(24 * HOUR_MS + 60_000);
    const sut = app.get(IdempotencyService);
    expect(sut.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(keyRow('expires', docsScope('c'))).toBeUndefined();
    expect(keyRow('retry-1', docsScope('c'))?.state).toBe('completed'); // not expired yet
  });

  it('records the key in the transaction that writes the documents or the collection', async () => {
    const documents = app.get(DocumentsService);
    const before = await documentCount('c');
    const seen: boolean[] = [];
    const result = await documents.add('c', [{ text: 'Written with its key.' }], false, {
      commit: () => seen.push(db().inTransaction),
    });
    expect(seen).toEqual([true]);
    expect(result.documents[0]!.status).toBe('created');
    // Failing to record the key rolls the documents back.
    const failing = {
      commit: () => {
        throw new Error('disk full');
      },
    };
    await expect(documents.add('c', [{ text: 'Never written.' }], false, failing)).rejects.toThrow(
      'disk full',
    );
    expect(await documentCount('c')).toBe(before + 1);

    const collections = app.get(CollectionsService);
    collections.create({ name: 'tx' }, { commit: () => seen.push(db().inTransaction) });
    expect(seen).toEqual([true, true]);
    expect(() => collections.create({ name: 'never' }, failing)).toThrow('disk full');
    await http().get('/v1/collections/never').expect(404);
  });

  describe('uploads', () => {
    const upload = (key: string, bytes: string, title = 'Boats') =>
      http()
        .post('/v1/collections/c/documents')
        .set('Idempotency-Key', key)
        .field('title', title)
        .attach('file', Buffer.from(bytes), 'boats.md');

    it('replays an uploaded file and refuses other bytes or fields under the same key', async () => {
      const before = await documentCount('c');
      const first = await upload('upload-1', '# Boats\n\nThe blue boat sails on the lake.').expect(
        201,
      );
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retry = await upload('upload-1', '# Boats\n\nThe blue boat sails on the lake.').expect(
        201,
      );
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(
        (await upload('upload-1', '# Boats\n\nThe red boat sails on the lake.').expect(422)).body
          .error.code,
      ).toBe('idempotency_key_reused');
      expect(
        (
          await upload('upload-1', '# Boats\n\nThe blue boat sails on the lake.', 'Ships').expect(
            422,
          )
        ).body.error.code,
      ).toBe('idempotency_key_reused');
      expect(await documentCount('c')).toBe(before + 1);
    });
  });

  it('ignores the header on read-only POSTs (search)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await http()
        .post('/v1/collections/c/search')
        .set('Idempotency-Key', 'a\tkey that would be refused')
        .send({ query: 'note', mode: 'lexical' })
        .expect(200);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    }
  });

  it('documents the header and its 409 and 422 answers in Swagger', async () => {
    const res = await http().get('/docs-json').expect(200);
    const header = (op: { parameters?: { in: string; name: string }[] }) =>
      op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    for (const op of [
      res.body.paths['/v1/collections'].post,
      res.body.paths['/v1/collections/{name}/documents'].post,
    ]) {
      expect(header(op)).toMatchObject({ required: false });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
      expect(op.responses['409'].description).toMatch(/idempotency_request_in_progress/);
    }
    expect(res.body.paths['/v1/collections'].post.responses['409'].description).toMatch(
      /collection_exists/,
    );
    expect(header(res.body.paths['/v1/collections/{name}/search'].post)).toBeUndefined();
  });

  describe('after a crash (the app restarted on the same storage)', () => {
    const committedBody = docs('Committed, then the process died before it answered.');
    const claimedBody = docs('Claimed, then the process died before it wrote anything.');
    let provisional: unknown;
    let before: number;

    beforeAll(async () => {
      // A request that committed its documents, and one that had only claimed its key, in a run
      // that then died: neither finished.
      const idempotency = app.get(IdempotencyService);
      const committed = idempotency.begin(
        'crash-committed',
        docsScope('c'),
        docsHash('c', committedBody),
        201,
      );
      if (committed.kind !== 'claimed') throw new Error('expected a claim');
      provisional = await app
        .get(DocumentsService)
        .add('c', committedBody.documents, false, committed.request);
      expect(
        idempotency.begin('crash-claimed', docsScope('c'), docsHash('c', claimedBody), 201).kind,
      ).toBe('claimed');
      // A third run's unfinished record, as if written by yet another dead process.
      db()
        .prepare(
          `INSERT INTO idempotency_keys (key, scope, request_hash, state, run_id, created_at) VALUES (?, ?, ?, 'in_progress', 'dead-run', ?)`,
        )
        .run(
          'crash-inserted',
          docsScope('c'),
          docsHash('c', claimedBody),
          new Date().toISOString(),
        );
      before = await documentCount('c');
      await app.close();
      app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage, PRELOAD_MODELS: 'false' });
    });

    it('replays the response recorded with documents that were committed, without writing them again', async () => {
      expect(keyRow('crash-committed', docsScope('c'))?.state).toBe('committed');
      const res = await addDocs('c', 'crash-committed', committedBody).expect(201);
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(res.body).toEqual(provisional);
      expect(await documentCount('c')).toBe(before);
    });

    it('does not let a key claimed by a dead run block the retry, which then writes', async () => {
      expect(await documentCount('c')).toBe(before);
      const res = await addDocs('c', 'crash-claimed', claimedBody).expect(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await documentCount('c')).toBe(before + 1);
      const other = await addDocs(
        'c',
        'crash-inserted',
        docs('Not the request the dead run had claimed.'),
      ).expect(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(await documentCount('c')).toBe(before + 2);
      expect(keyRow('crash-inserted', docsScope('c'))?.run_id).toBe(
        app.get(IdempotencyService).runId,
      );
    });
  });
});

describe('IDEMPOTENCY_TTL_HOURS (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    // 0.0003 hours: a little over a second.
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      PRELOAD_MODELS: 'false',
      IDEMPOTENCY_TTL_HOURS: '0.0003',
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lets a key be used for another request once the setting says it has expired, but not under a request still running', async () => {
    await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'short')
      .send({ name: 'first' })
      .expect(201);
    const sut = app.get(IdempotencyService);
    const body = { name: 'slow' };
    const running = sut.begin(
      'running',
      requestScope('POST', '/v1/collections', {}),
      requestHash({ params: {}, query: {}, body }),
      201,
    );
    expect(running.kind).toBe('claimed');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const res = await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'short')
      .send({ name: 'second' })
      .expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.name).toBe('second');
    sut.purgeExpired();
    const busy = await http()
      .post('/v1/collections')
      .set('Idempotency-Key', 'running')
      .send(body)
      .expect(409);
    expect(busy.body.error.code).toBe('idempotency_request_in_progress');
  });
});
