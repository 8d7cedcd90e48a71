import { INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { makePdf } from '../support/document-files';
import { LocalSite, startLocalSite } from '../support/local-site';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

interface Job {
  id: string;
  collection: string;
  state: string;
  error: string | null;
  items: {
    total: number;
    queued: number;
    running: number;
    embedding: number;
    done: number;
    failed: number;
    cancelled: number;
  };
  chunks: { total: number; embedded: number };
  progress: number;
  timings: {
    queuedMs: number;
    elapsedMs: number;
    parseMs: number;
    chunkMs: number;
    storeMs: number;
    embedMs: number;
  };
  errors: {
    ordinal: number;
    source: string | null;
    documentId: string;
    stage: string;
    code: string;
    message: string;
  }[];
}

interface Item {
  ordinal: number;
  documentId: string;
  state: string;
  outcome: string | null;
  chunks: number | null;
  error: { stage: string; code: string } | null;
  note: string | null;
}

const MARKDOWN =
  '# Garden\n\nThe garden has roses and a small pond.\n\n## Kitchen\n\nThe kitchen is warm in winter.\n';
const SCAN = makePdf([{ image: true }]);
const ENDED = ['done', 'failed', 'cancelled'];
const note = (topic: string, i: number) => ({
  id: `${topic}-${i}`,
  text: `Note ${i} about the ${topic}. The ${topic} is near the school and the market.`,
});

describe('background ingestion jobs: 202, progress, events, cancel, limits, resume after restart (e2e)', () => {
  const apps: INestApplication<App>[] = [];
  let site: LocalSite;
  let base: string;

  async function start(
    env: Record<string, string> = {},
    storage = tempDir(),
  ): Promise<INestApplication<App>> {
    const app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: storage,
      URL_FETCH_ALLOW: '127.0.0.1',
      ...env,
    });
    apps.push(app);
    return app;
  }

  async function stop(app: INestApplication<App>): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  async function until(
    app: INestApplication<App>,
    id: string,
    states = ENDED,
    ms = 60_000,
  ): Promise<Job> {
    const end = Date.now() + ms;
    for (;;) {
      const job = (await request(app.getHttpServer()).get(`/v1/jobs/${id}`).expect(200))
        .body as Job;
      if (states.includes(job.state)) return job;
      if (Date.now() > end) throw new Error(`job ${id} still ${job.state} after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const items = async (app: INestApplication<App>, id: string, query = ''): Promise<Item[]> =>
    (await request(app.getHttpServer()).get(`/v1/jobs/${id}/items?limit=1000${query}`).expect(200))
      .body.items as Item[];

  beforeAll(async () => {
    tinyModelsPresent();
    site = await startLocalSite((req, res) => {
      if (req.url === '/page.html')
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<html><body><main><h1>Trains</h1><p>The night train leaves at ten.</p></main></body></html>',
          );
      else res.writeHead(404).end();
    });
    base = site.base;
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await site.close();
  });

  it('takes a batch of files with 202, indexes the good ones and fails the bad one alone, with its stage', async () => {
    const storage = tempDir();
    const app = await start({}, storage);
    const api = () => request(app.getHttpServer());
    await api().post('/v1/collections').send({ name: 'files' }).expect(201);
    const res = await api()
      .post('/v1/collections/files/jobs')
      .field('idFromFilename', 'true')
      .field('metadata', '{"batch":"first"}')
      .attach('files', Buffer.from(MARKDOWN), 'garden.md')
      .attach('files', SCAN, 'scan.pdf')
      .attach('files', Buffer.from('The river flows to the ocean past the mountain.'), 'river.txt')
      .expect(202);
    const accepted = res.body as Job;
    expect(accepted).toMatchObject({
      jobId: accepted.id,
      collection: 'files',
      items: { total: 3 },
    });
    expect(res.headers.location).toBe(`/v1/jobs/${accepted.id}`);
    expect(['queued', 'parsing', 'chunking', 'embedding', 'done']).toContain(accepted.state);

    const job = await until(app, accepted.id);
    expect(job).toMatchObject({
      state: 'done',
      progress: 1,
      items: { total: 3, done: 2, failed: 1, queued: 0, running: 0, embedding: 0 },
    });
    expect(job.errors).toEqual([
      {
        ordinal: 1,
        source: 'scan.pdf',
        documentId: 'scan.pdf',
        stage: 'parsing',
        code: 'no_extractable_text',
        message: expect.stringMatching(/OCR is off/),
      },
    ]);
    expect(job.chunks.total).toBeGreaterThanOrEqual(3);
    expect(job.chunks.embedded).toBe(job.chunks.total);
    expect(job.timings.parseMs).toBeGreaterThan(0);
    expect(job.timings.embedMs).toBeGreaterThan(0);
    expect(job.timings.elapsedMs).toBeGreaterThan(0);

    const doc = (await api().get('/v1/collections/files/documents/garden.md').expect(200)).body;
    expect(doc.metadata).toMatchObject({ batch: 'first', filename: 'garden.md' });
    expect(doc.chunks.every((c: { embedded: boolean }) => c.embedded)).toBe(true);
    expect(doc.chunks.map((c: { sectionPath: string }) => c.sectionPath)).toContain(
      'Garden > Kitchen',
    );
    const hits = (
      await api()
        .post('/v1/collections/files/search')
        .send({ query: 'river ocean', mode: 'dense', topK: 1 })
        .expect(200)
    ).body.results;
    expect(hits[0].documentId).toBe('river.txt');
    expect(await items(app, accepted.id, '&state=failed')).toEqual([
      expect.objectContaining({
        ordinal: 1,
        error: expect.objectContaining({ stage: 'parsing', code: 'no_extractable_text' }),
      }),
    ]);
    // The spooled inputs are gone once the job has ended.
    expect(fs.readdirSync(path.join(storage, 'jobs')).filter((n) => !n.startsWith('.'))).toEqual(
      [],
    );

    // The same files again: the same ids and content, nothing stored twice.
    const again = await api()
      .post('/v1/collections/files/jobs')
      .field('idFromFilename', 'true')
      .field('metadata', '{"batch":"first"}')
      .attach('files', Buffer.from(MARKDOWN), 'garden.md')
      .expect(202);
    await until(app, again.body.id);
    expect((await items(app, again.body.id))[0]).toMatchObject({
      state: 'done',
      outcome: 'unchanged',
    });
    expect((await api().get('/v1/collections/files/documents').expect(200)).body.total).toBe(2);
  });

  it('takes texts and URLs as JSON, lists jobs, and streams progress as server-sent events until the end', async () => {
    const app = await start({ EMBED_BATCH_SIZE: '2' });
    await app.listen(0, '127.0.0.1'); // the events are read by a plain HTTP client, as they arrive
    const api = () => request(app.getHttpServer());
    await api()
      .post('/v1/collections')
      .send({ name: 'mixed', embeddingModel: 'tiny/embed-heavy', embeddingDtype: 'fp32' })
      .expect(201);
    const res = await api()
      .post('/v1/collections/mixed/jobs')
      .send({
        documents: Array.from({ length: 6 }, (_, i) => note('garden', i)),
        urls: [{ url: `${base}/page.html`, id: 'page' }, { url: `${base}/missing` }],
      })
      .expect(202);
    const id = (res.body as Job).id;

    const events = await new Promise<{ event: string; job: Job }[]>((resolve, reject) => {
      const out: { event: string; job: Job }[] = [];
      const port = ((app.getHttpServer() as unknown as http.Server).address() as AddressInfo).port;
      const req = http.get(`http://127.0.0.1:${port}/v1/jobs/${id}/events`, (r) => {
        expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
        let buffer = '';
        r.setEncoding('utf8');
        r.on('data', (s: string) => {
          buffer += s;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) out.push({ event, job: JSON.parse(data) as Job });
          }
        });
        r.on('end', () => resolve(out));
      });
      req.on('error', reject);
    });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    const last = events[events.length - 1]!;
    expect(last.event).toBe('end');
    expect(last.job).toMatchObject({ state: 'done', items: { total: 8, done: 7, failed: 1 } });
    expect(last.job.errors[0]).toMatchObject({
      ordinal: 7,
      stage: 'parsing',
      code: 'url_fetch_failed',
    });
    // Progress only goes forward, and the job waited for vectors after its items were stored.
    const progress = events.map((e) => e.job.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(
      events.some((e) => e.job.state === 'embedding' || e.job.chunks.embedded < e.job.chunks.total),
    ).toBe(true);
    expect(last.job.chunks.embedded).toBe(last.job.chunks.total);

    const page = (await api().get('/v1/collections/mixed/documents/page').expect(200)).body;
    expect(page.text).toContain('night train');
    expect(page.source).toBe(`${base}/page.html`);
    const listed = (await api().get('/v1/jobs?collection=mixed&state=done').expect(200)).body;
    expect(listed.items.map((j: Job) => j.id)).toEqual([id]);
    await api().get('/v1/jobs?state=bogus').expect(400);
    await api().get('/v1/jobs?collection=nope').expect(404);
    await api().get('/v1/jobs/nope/events').expect(404);
  });

  it('cancels a queued job: nothing of it is stored; an ended job cannot be cancelled', async () => {
    const app = await start();
    const api = () => request(app.getHttpServer());
    await api().post('/v1/collections').send({ name: 'c' }).expect(201);
    const first = (
      await api()
        .post('/v1/collections/c/jobs')
        .send({ documents: Array.from({ length: 150 }, (_, i) => note('river', i)) })
        .expect(202)
    ).body as Job;
    const second = (
      await api()
        .post('/v1/collections/c/jobs')
        .send({ documents: Array.from({ length: 5 }, (_, i) => note('forest', i)) })
        .expect(202)
    ).body as Job;
    const cancelled = (await api().delete(`/v1/jobs/${second.id}`).expect(200)).body as Job;
    expect(cancelled).toMatchObject({ state: 'cancelled', items: { cancelled: 5, done: 0 } });
    await until(app, first.id);
    expect((await api().get(`/v1/jobs/${second.id}`).expect(200)).body).toMatchObject({
      state: 'cancelled',
      items: { cancelled: 5 },
    });
    await api().get('/v1/collections/c/documents/forest-0').expect(404);
    expect((await api().get('/v1/collections/c/documents').expect(200)).body.total).toBe(150);
    const again = await api().delete(`/v1/jobs/${first.id}`).expect(409);
    expect(again.body.error.code).toBe('job_finished');
    await api().delete('/v1/jobs/unknown').expect(404);
  });

  it('enforces the limits: file size, file count, request size, chunks per document, a full queue (429 + Retry-After)', async () => {
    const storage = tempDir();
    const app = await start(
      {
        JOB_MAX_FILE_BYTES: '2048',
        JOB_MAX_FILES: '3',
        JOB_MAX_REQUEST_BYTES: '5000',
        MAX_CHUNKS_PER_DOCUMENT: '3',
        JOB_QUEUE_LIMIT: '1',
      },
      storage,
    );
    const api = () => request(app.getHttpServer());
    // A slow model: the job below is still waiting for its vectors when the next one comes.
    await api()
      .post('/v1/collections')
      .send({ name: 'l', embeddingModel: 'tiny/embed-heavy', embeddingDtype: 'fp32' })
      .expect(201);
    const big = await api()
      .post('/v1/collections/l/jobs')
      .attach('files', Buffer.alloc(3000, 'a'), 'big.txt')
      .expect(413);
    expect(big.body.error.message).toContain('JOB_MAX_FILE_BYTES');
    let four = api().post('/v1/collections/l/jobs');
    for (const n of ['a', 'b', 'c', 'd'])
      four = four.attach('files', Buffer.from(`${n} text`), `${n}.txt`);
    const many = await four.expect(413);
    expect(many.body.error.message).toContain('JOB_MAX_FILES');
    let three = api().post('/v1/collections/l/jobs');
    for (const n of ['a', 'b', 'c'])
      three = three.attach('files', Buffer.alloc(1800, n), `${n}.txt`);
    const total = await three.expect(413);
    expect(total.body.error.message).toContain('JOB_MAX_REQUEST_BYTES');
    await api()
      .post('/v1/collections/l/jobs')
      .field('metadata', 'not json')
      .attach('files', Buffer.from('x y'), 'a.txt')
      .expect(400);
    await api().post('/v1/collections/l/jobs').field('idFromFilename', 'true').expect(400);
    await api()
      .post('/v1/collections/l/jobs')
      .attach('other', Buffer.from('x'), 'a.txt')
      .expect(400);
    const textNotFile = await api()
      .post('/v1/collections/l/jobs')
      .field('files', 'hello')
      .expect(400);
    expect(textNotFile.body.error.message).toContain('file parts');
    await api().post('/v1/collections/l/jobs').send({}).expect(400);
    await api()
      .post('/v1/collections/l/jobs')
      .send({ documents: [{ text: '' }] })
      .expect(400);
    await api()
      .post('/v1/collections/l/jobs')
      .send({
        documents: [
          { id: 'a', text: 'x' },
          { id: 'a', text: 'y' },
        ],
      })
      .expect(400);
    await api()
      .post('/v1/collections/l/jobs')
      .set('content-type', 'text/plain')
      .send('hello')
      .expect(400);
    await api()
      .post('/v1/collections/none/jobs')
      .attach('files', Buffer.from('x y'), 'a.txt')
      .expect(404);
    // Nothing refused is left on disk.
    expect(fs.readdirSync(path.join(storage, 'jobs', '.incoming'))).toEqual([]);

    const long = Array.from(
      { length: 40 },
      (_, i) => `Sentence ${i} is about the garden and the kitchen and the river.`,
    ).join(' ');
    const res = await api()
      .post('/v1/collections/l/jobs')
      .send({
        documents: [
          { id: 'long', text: long },
          { id: 'short', text: 'A short note about the school.' },
        ],
      })
      .expect(202);
    // The queue holds one job: the next is refused until it ends.
    const full = await api()
      .post('/v1/collections/l/jobs')
      .send({ documents: [{ text: 'more' }] });
    expect(full.status).toBe(429);
    expect(full.body.error.code).toBe('job_queue_full');
    expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    const job = await until(app, res.body.id);
    await api()
      .post('/v1/collections/l/jobs')
      .send({ documents: [{ text: 'more' }] })
      .expect(202);
    expect(job).toMatchObject({ state: 'done', items: { done: 1, failed: 1 } });
    expect(job.errors[0]).toMatchObject({
      documentId: 'long',
      stage: 'chunking',
      code: 'document_too_large',
    });
    await api().get('/v1/collections/l/documents/long').expect(404);
  });

  it('resumes after a restart: every item is stored once, interrupted ones start again', async () => {
    const storage = tempDir();
    let app = await start({}, storage);
    await request(app.getHttpServer()).post('/v1/collections').send({ name: 'r' }).expect(201);
    const docs = Array.from({ length: 300 }, (_, i) => note('mountain', i));
    const job = (
      await request(app.getHttpServer())
        .post('/v1/collections/r/jobs')
        .send({ documents: docs })
        .expect(202)
    ).body as Job;
    await stop(app); // graceful: the item in progress finishes, the rest wait on disk
    const db = new Database(path.join(storage, 'ragd.sqlite'));
    const left = (
      db.prepare(`SELECT COUNT(*) AS n FROM job_items WHERE state = 'queued'`).get() as {
        n: number;
      }
    ).n;
    expect(left).toBeGreaterThan(0);
    // As if killed while the first stored item was being parsed: its row says parsing.
    db.prepare(`UPDATE job_items SET state = 'parsing' WHERE job_id = ? AND ordinal = 0`).run(
      job.id,
    );
    db.prepare(`UPDATE jobs SET state = 'parsing' WHERE id = ?`).run(job.id);
    // A job that ended 40 days ago is forgotten at the start; one that ended yesterday is kept.
    const collectionId = (
      db.prepare(`SELECT id FROM collections WHERE name = 'r'`).get() as { id: number }
    ).id;
    const ended = (id: string, daysAgo: number) =>
      db
        .prepare(
          `INSERT INTO jobs (id, collection_id, state, created_at, finished_at) VALUES (?, ?, 'done', ?, ?)`,
        )
        .run(
          id,
          collectionId,
          new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
          new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        );
    ended('old', 40);
    ended('recent', 1);
    db.close();

    app = await start({}, storage);
    await request(app.getHttpServer()).get('/v1/jobs/old').expect(404);
    await request(app.getHttpServer()).get('/v1/jobs/recent').expect(200);
    const done = await until(app, job.id);
    expect(done).toMatchObject({ state: 'done', items: { total: 300, done: 300, failed: 0 } });
    const all = await items(app, job.id);
    expect(all.every((i) => i.state === 'done')).toBe(true);
    const first = all[0]!;
    expect([first.outcome, first.documentId]).toEqual([
      expect.stringMatching(/^(created|unchanged)$/),
      'mountain-0',
    ]);
    expect(
      (await request(app.getHttpServer()).get('/v1/collections/r/documents').expect(200)).body
        .total,
    ).toBe(300);
    const c = (await request(app.getHttpServer()).get('/v1/collections/r').expect(200)).body;
    expect(c.counts).toMatchObject({ documents: 300, pending: 0 });
  });

  it('without an embedding model: items are stored and found lexically, and say why their vectors wait', async () => {
    const app = await start({ EMBEDDING_MODEL: 'tiny/absent', MODEL_RETRY_MS: '60000' });
    const api = () => request(app.getHttpServer());
    await api().post('/v1/collections').send({ name: 'n' }).expect(201);
    const res = await api()
      .post('/v1/collections/n/jobs')
      .send({ documents: [note('winter', 1)] })
      .expect(202);
    const job = await until(app, res.body.id);
    expect(job).toMatchObject({ state: 'done', items: { done: 1 }, chunks: { embedded: 0 } });
    expect((await items(app, res.body.id))[0]!.note).toMatch(/wait for vectors.*tiny\/absent/);
    const hits = (
      await api()
        .post('/v1/collections/n/search')
        .send({ query: 'winter', mode: 'lexical' })
        .expect(200)
    ).body.results;
    expect(hits[0].documentId).toBe('winter-1');
  });

  it('stores a document larger than a slice in several transactions, invisible until whole; a half-stored one is removed at the next start and stored again', async () => {
    const storage = tempDir();
    let app = await start({}, storage);
    const api = () => request(app.getHttpServer());
    await api().post('/v1/collections').send({ name: 'big' }).expect(201);
    const words = ['garden', 'river', 'kitchen', 'mountain', 'school', 'market', 'winter', 'ocean'];
    const text =
      Array.from(
        { length: 5000 },
        (_, i) =>
          `Line ${i} of the long record is about the ${words[i % words.length]} and the ${words[(i * 3) % words.length]}.`,
      ).join(' ') + ' The final line mentions the lighthouse.';
    const res = await api()
      .post('/v1/collections/big/jobs')
      .send({ documents: [{ id: 'long', text }] })
      .expect(202);
    const job = await until(app, res.body.id);
    expect(job).toMatchObject({ state: 'done', items: { done: 1 } });
    expect(job.chunks.total).toBeGreaterThan(2000); // more than one slice (STORE_SLICE)
    expect(job.chunks.embedded).toBe(job.chunks.total);
    const doc = (await api().get('/v1/collections/big/documents/long').expect(200)).body;
    expect(doc.chunks).toHaveLength(job.chunks.total);
    expect(doc.chunks.map((c: { ordinal: number }) => c.ordinal)).toEqual(
      doc.chunks.map((_: unknown, i: number) => i),
    );
    const hit = (
      await api()
        .post('/v1/collections/big/search')
        .send({ query: 'lighthouse', mode: 'lexical', topK: 1 })
        .expect(200)
    ).body.results[0];
    expect(hit.documentId).toBe('long');

    // As if the server died between two slices: the document is marked incomplete, its item was chunking.
    await stop(app);
    const db = new Database(path.join(storage, 'ragd.sqlite'));
    db.prepare(`UPDATE documents SET complete = 0 WHERE id = 'long'`).run();
    db.prepare(
      `DELETE FROM chunks WHERE document_pk = (SELECT pk FROM documents WHERE id = 'long') AND ordinal >= 2000`,
    ).run();
    db.prepare(
      `UPDATE job_items SET state = 'chunking', outcome = NULL, document_pk = NULL WHERE job_id = ?`,
    ).run(job.id);
    db.prepare(`UPDATE jobs SET state = 'chunking', finished_at = NULL WHERE id = ?`).run(job.id);
    db.close();
    // The job had not ended, so its spooled input was still there.
    fs.mkdirSync(path.join(storage, 'jobs', job.id), { recursive: true });
    fs.writeFileSync(
      path.join(storage, 'jobs', job.id, '0'),
      JSON.stringify({ id: 'long', text, contentType: 'text/plain' }),
    );
    app = await start({}, storage);
    const again = await until(app, job.id);
    expect(again).toMatchObject({ state: 'done', items: { done: 1 } });
    expect((await items(app, job.id))[0]).toMatchObject({ outcome: 'created' });
    const stored = (await api().get('/v1/collections/big/documents/long').expect(200)).body;
    expect(stored.chunks).toHaveLength(job.chunks.total);
    expect((await api().get('/v1/collections/big/documents').expect(200)).body.total).toBe(1);
    const c = (await api().get('/v1/collections/big').expect(200)).body;
    expect(c.counts).toMatchObject({ documents: 1, chunks: job.chunks.total });
  });
});
