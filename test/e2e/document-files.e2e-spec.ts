import { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { makePdf } from '../support/document-files';
import { startLocalSite, type LocalSite } from '../support/local-site';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const PDF = makePdf([
  { texts: [{ x: 72, y: 700, text: 'The ferry leaves the harbour at noon.' }] },
]);
const ENDED = ['done', 'failed', 'cancelled'];

/** The files of STORAGE_DIR/originals (not the folders). */
function originals(storage: string): string[] {
  const root = path.join(storage, 'originals');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('original files, the streaming chat route and URLs in a multipart job (e2e)', () => {
  const apps: INestApplication<App>[] = [];
  let app: INestApplication<App>;
  let storage: string;
  let site: LocalSite;
  const api = (a = app) => request(a.getHttpServer());

  async function start(env: Record<string, string> = {}): Promise<INestApplication<App>> {
    storage = tempDir();
    const a = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: storage,
      URL_FETCH_ALLOW: '127.0.0.1',
      ...env,
    });
    apps.push(a);
    return a;
  }

  async function finished(id: string): Promise<{ state: string; items: { done: number } }> {
    for (const end = Date.now() + 60_000; ;) {
      const job = (await api().get(`/v1/jobs/${id}`).expect(200)).body as {
        state: string;
        items: { done: number };
      };
      if (ENDED.includes(job.state)) return job;
      if (Date.now() > end) throw new Error(`job ${id} still ${job.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    tinyModelsPresent();
    site = await startLocalSite((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(PDF);
    });
    app = await start();
    await api().post('/v1/collections').send({ name: 'docs' }).expect(201);
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await site.close();
  });

  it('serves an uploaded PDF as it was, inline and sandboxed, until the document is deleted', async () => {
    await api()
      .post('/v1/collections/docs/documents')
      .attach('file', PDF, { filename: 'ferry.pdf', contentType: 'application/pdf' })
      .field('id', 'ferry')
      .field('wait', 'false')
      .expect(201);
    const res = await api()
      .get('/v1/collections/docs/documents/ferry/file')
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      })
      .expect(200);
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="ferry.pdf"');
    expect(res.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(originals(storage)).toHaveLength(1);

    await api().delete('/v1/collections/docs/documents/ferry').expect(204);
    const gone = await api().get('/v1/collections/docs/documents/ferry/file').expect(404);
    expect(gone.body.error.code).toBe('document_not_found');
    await new Promise((r) => setTimeout(r, 100)); // removed in the background
    expect(originals(storage)).toEqual([]);
  });

  it('keeps the originals of a job (files and a URL in one multipart request), as attachments unless PDF', async () => {
    const accepted = await api()
      .post('/v1/collections/docs/jobs')
      .attach('files', Buffer.from('# Notes\n\nThe bus stops at the square.'), 'notes.md')
      .field('idFromFilename', 'true')
      .field('urls', JSON.stringify([`${site.base}/timetable.pdf`]))
      .expect(202);
    expect(accepted.body.items.total).toBe(2);
    expect(await finished(accepted.body.id as string)).toMatchObject({
      state: 'done',
      items: { done: 2 },
    });
    const md = await api().get('/v1/collections/docs/documents/notes.md/file').expect(200);
    expect(md.text).toBe('# Notes\n\nThe bus stops at the square.');
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.headers['content-disposition']).toBe('attachment; filename="notes.md"');

    const items = (await api().get(`/v1/jobs/${accepted.body.id}/items`).expect(200)).body
      .items as { kind: string; documentId: string }[];
    const url = items.find((i) => i.kind === 'url')!;
    const fetched = await api()
      .get(`/v1/collections/docs/documents/${url.documentId}/file`)
      .expect(200);
    expect(fetched.headers['content-type']).toBe('application/pdf');
    expect(Number(fetched.headers['content-length'])).toBe(PDF.length);
  });

  it('has no original for a text document, nor once a document is replaced with text', async () => {
    await api()
      .post('/v1/collections/docs/documents')
      .send({ documents: [{ id: 'plain', text: 'Only text was given.' }] })
      .expect(201);
    const none = await api().get('/v1/collections/docs/documents/plain/file').expect(404);
    expect(none.body.error.code).toBe('original_not_kept');

    await api()
      .put('/v1/collections/docs/documents/notes.md')
      .send({ text: 'The bus now stops at the station.' })
      .expect(200);
    const replaced = await api().get('/v1/collections/docs/documents/notes.md/file').expect(404);
    expect(replaced.body.error.code).toBe('original_not_kept');
  });

  it('refuses a multipart job with bad urls, and a document with another content keeps its original', async () => {
    const bad = await api()
      .post('/v1/collections/docs/jobs')
      .field('urls', '["ok", 3]')
      .expect(400);
    expect(bad.body.error.message).toMatch(/urls must be/);

    await api()
      .post('/v1/collections/docs/documents')
      .attach('file', PDF, 'same.pdf')
      .field('id', 'same')
      .expect(201);
    await api()
      .post('/v1/collections/docs/documents')
      .attach('file', Buffer.from('Something else entirely.'), 'same.txt')
      .field('id', 'same')
      .expect(409);
    const kept = await api().get('/v1/collections/docs/documents/same/file').expect(200);
    expect(kept.headers['content-type']).toBe('application/pdf');
  });

  it('removes the originals of a deleted collection', async () => {
    await api().post('/v1/collections').send({ name: 'brief' }).expect(201);
    await api()
      .post('/v1/collections/brief/documents')
      .attach('file', PDF, 'brief.pdf')
      .expect(201);
    const before = originals(storage).length;
    await api().delete('/v1/collections/brief').expect(204);
    await new Promise((r) => setTimeout(r, 100)); // removed in the background
    expect(originals(storage)).toHaveLength(before - 1);
  });

  it('streams a chat turn: sources, tokens, then the whole turn with its session', async () => {
    const res = await api()
      .post('/v1/collections/docs/chat')
      .set('accept', 'text/event-stream')
      .send({ message: 'When does the bus stop?', stream: true })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = res.text
      .split('\n\n')
      .filter((b) => b.trim())
      .map((b) => ({
        event: /^event: (.*)$/m.exec(b)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? 'null') as Record<string, unknown>,
      }));
    expect(events[0]!.event).toBe('sources');
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text as string);
    expect(tokens.length).toBeGreaterThan(1);
    const done = events[events.length - 1]!;
    expect(done.event).toBe('done');
    expect(done.data.answer).toBe(tokens.join(''));
    const session = done.data.sessionId as string;
    const stored = await api().get(`/v1/collections/docs/chat/${session}`).expect(200);
    expect(stored.body.turns.map((t: { role: string }) => t.role)).toEqual(['user', 'assistant']);
  });

  it('keeps no originals with KEEP_ORIGINALS=false', async () => {
    const other = await start({ KEEP_ORIGINALS: 'false' });
    await api(other).post('/v1/collections').send({ name: 'bare' }).expect(201);
    await api(other)
      .post('/v1/collections/bare/documents')
      .attach('file', PDF, 'ferry.pdf')
      .field('id', 'ferry')
      .field('wait', 'false')
      .expect(201);
    const res = await api(other).get('/v1/collections/bare/documents/ferry/file').expect(404);
    expect(res.body.error.code).toBe('original_not_kept');
    expect(originals(storage)).toEqual([]);
  });
});
