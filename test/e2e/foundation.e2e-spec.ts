import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const DOCS = [
  {
    id: 'garden',
    title: 'Garden',
    text: 'The garden behind the house has green trees and red flowers. Every morning the old man waters the plants. In summer the flowers open and the birds sing in the trees.',
    metadata: { topic: 'nature' },
  },
  {
    id: 'train',
    title: 'Train',
    text: 'The train leaves the city station at eight. It crosses the river on a long bridge and stops in three small towns. The ticket office sells tickets for the night train.',
    metadata: { topic: 'travel' },
  },
  {
    id: 'kitchen',
    title: 'Kitchen',
    text: 'In the kitchen my mother bakes bread and cooks soup for dinner. The water boils on the stove while the children set the table with plates and cups.',
    metadata: { topic: 'home' },
  },
];

/**
 * The server's timings of one search (ms, rounded to 0.01): each part measured where its work was
 * done, the parts within the total, and the total within the time the client waited for the answer.
 */
function expectSearchTimings(
  timings: { embedMs: number; searchMs: number; rerankMs: number; totalMs: number },
  mode: string,
  wallMs: number,
): void {
  const { embedMs, searchMs, rerankMs, totalMs } = timings;
  if (mode === 'lexical')
    expect(embedMs).toBe(0); // no query vector
  else expect(embedMs).toBeGreaterThan(0); // the query embedded in the worker thread
  expect(searchMs).toBeGreaterThan(0);
  expect(rerankMs).toBe(0); // not reranked (checked by the caller)
  expect(totalMs).toBeGreaterThan(0);
  expect(embedMs + searchMs + rerankMs).toBeLessThanOrEqual(totalMs + 0.03); // 3 roundings
  expect(totalMs).toBeLessThanOrEqual(wallMs);
}

describe('foundation: index, search and answer with citations (e2e)', () => {
  let storage: string;
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    storage = tempDir();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage });
    await http().post('/v1/collections').send({ name: 'notes' }).expect(201);
    const res = await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: DOCS })
      .expect(201);
    expect(res.body.embedding).toMatchObject({
      state: 'done',
      pendingChunks: 0,
      tokenCounter: 'tiny/embed',
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('reports counts of documents, chunks, vectors and pending chunks', async () => {
    const res = await http().get('/v1/collections/notes').expect(200);
    expect(res.body.counts.documents).toBe(3);
    expect(res.body.counts.chunks).toBeGreaterThanOrEqual(3);
    expect(res.body.counts.vectors).toBe(res.body.counts.chunks);
    expect(res.body.counts.indexed).toBe(res.body.counts.chunks);
    expect(res.body.counts.pending).toBe(0);
    expect(res.body.embeddingDim).toBeGreaterThan(0);
  });

  it.each(['dense', 'lexical', 'hybrid'])(
    'finds a document by a query taken from its text (%s)',
    async (mode) => {
      for (const doc of DOCS) {
        const query = doc.text.split('. ')[1]!;
        const sent = performance.now();
        const res = await http()
          .post('/v1/collections/notes/search')
          .send({ query, mode, topK: 3 })
          .expect(200);
        const wallMs = performance.now() - sent;
        expect(res.body.mode).toBe(mode);
        expect(res.body.results[0].documentId).toBe(doc.id);
        const hit = res.body.results[0];
        expect(doc.text.slice(hit.start, hit.end)).toBe(hit.text);
        expect(res.body.reranked).toBe(false);
        expectSearchTimings(res.body.timings, mode, wallMs);
      }
    },
  );

  it('uses hybrid search by default and shows each list rank', async () => {
    const res = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'train ticket', explain: true })
      .expect(200);
    expect(res.body.mode).toBe('hybrid');
    expect(res.body.reranked).toBe(false);
    expect(res.body.results[0].documentId).toBe('train');
    expect(res.body.results[0].explain.lexicalRank).toBe(1);
  });

  it('applies a metadata filter', async () => {
    const res = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'train ticket station', filter: { topic: 'home' }, mode: 'hybrid' })
      .expect(200);
    expect(res.body.results.length).toBeGreaterThan(0);
    expect(res.body.results.every((r: { documentId: string }) => r.documentId === 'kitchen')).toBe(
      true,
    );
  });

  it('answers with the generator and maps the citation to the chunk it quotes', async () => {
    const res = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'When does the train leave the station?' })
      .expect(200);
    expect(res.body.mode).toBe('generative');
    expect(res.body.model).toBe('tiny/chat');
    // The tiny generator always writes this; the server's job is the mapping.
    expect(res.body.answer).toBe('Cited [1].');
    expect(res.body.citations).toHaveLength(1);
    const c = res.body.citations[0];
    expect(c.n).toBe(1);
    const search = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'When does the train leave the station?', topK: 5 })
      .expect(200);
    expect(c.chunkId).toBe(search.body.results[0].chunkId);
    expect(c.documentId).toBe('train');
    const doc = await http().get('/v1/collections/notes/documents/train').expect(200);
    expect(doc.body.text.slice(c.start, c.end)).toBe(c.text);
    expect(res.body.usage.promptTokens).toBeGreaterThan(20);
    expect(res.body.usage.completionTokens).toBeGreaterThan(0);
  });

  it('leaves a re-posted identical document unchanged and refuses the same id with other content', async () => {
    const again = await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [DOCS[0]] })
      .expect(201);
    expect(again.body.documents[0]).toMatchObject({ id: 'garden', status: 'unchanged' });
    const conflict = await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [{ ...DOCS[0], text: 'Different text.' }] })
      .expect(409);
    expect(conflict.body.error.code).toBe('document_conflict');
    const list = await http().get('/v1/collections/notes/documents').expect(200);
    expect(list.body.total).toBe(3);
  });

  it('rolls back a whole request when one document in it is refused', async () => {
    await http()
      .post('/v1/collections/notes/documents')
      .send({
        documents: [
          { id: 'new-one', text: 'A brand new note about boats.' },
          { ...DOCS[1], text: 'changed' },
        ],
      })
      .expect(409);
    await http().get('/v1/collections/notes/documents/new-one').expect(404);
  });

  it('ingests uploaded markdown, html and json files', async () => {
    await http().post('/v1/collections').send({ name: 'files' }).expect(201);
    const md = await http()
      .post('/v1/collections/files/documents')
      .attach('file', Buffer.from('# Boats\n\nThe blue boat sails on the lake.'), 'boats.md')
      .expect(201);
    expect(md.body.documents[0].chunks).toBe(1);
    const html = await http()
      .post('/v1/collections/files/documents')
      .field('id', 'page')
      .field('metadata', JSON.stringify({ kind: 'web' }))
      .attach(
        'file',
        Buffer.from(
          '<html><head><title>Page</title><script>evil()</script></head><body><p>The yellow sun is warm.</p></body></html>',
        ),
        'page.html',
      )
      .expect(201);
    expect(html.body.documents[0].id).toBe('page');
    const page = await http().get('/v1/collections/files/documents/page').expect(200);
    expect(page.body).toMatchObject({
      title: 'Page',
      contentType: 'text/html',
      metadata: { kind: 'web', filename: 'page.html' },
    });
    expect(page.body.text).toBe('The yellow sun is warm.');
    await http()
      .post('/v1/collections/files/documents')
      .attach(
        'file',
        Buffer.from(JSON.stringify({ text: 'The green frog jumps.', year: 2020 })),
        'frog.json',
      )
      .expect(201);
    const res = await http()
      .post('/v1/collections/files/search')
      .send({ query: 'frog jumps', mode: 'lexical' })
      .expect(200);
    expect(res.body.results[0].metadata).toMatchObject({ year: 2020, filename: 'frog.json' });
  });

  it('replaces a document with PUT: searches see the old or the new version, never neither', async () => {
    const v1 =
      'The harbour has red boats and a long stone wall. Fishermen mend their nets on the wall.';
    const v2 =
      'The harbour has blue boats and a new wooden pier. Children fish from the pier at dawn.';
    expect(
      (await http().put('/v1/collections/notes/documents/harbour').send({ text: v1 }).expect(200))
        .body,
    ).toMatchObject({ status: 'created', pendingChunks: 0 });
    // Searches run while the new version is embedded and swapped in.
    const searches = Array.from({ length: 30 }, (_, i) =>
      http()
        .post('/v1/collections/notes/search')
        .send({ query: 'harbour boats', mode: i % 2 === 0 ? 'dense' : 'hybrid', topK: 3 })
        .then((r): string[] =>
          (r.body.results as { documentId: string; text: string }[])
            .filter((x) => x.documentId === 'harbour')
            .map((x) => x.text),
        ),
    );
    const put = http()
      .put('/v1/collections/notes/documents/harbour')
      .send({ text: v2, metadata: { topic: 'sea' } });
    const [res, ...seen] = await Promise.all([put, ...searches]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'harbour', status: 'replaced', pendingChunks: 0 });
    for (const texts of seen) {
      expect(texts.length).toBeGreaterThan(0); // never neither
      expect(texts.every((t) => v1.includes(t)) || texts.every((t) => v2.includes(t))).toBe(true); // never a mix
    }
    const doc = await http().get('/v1/collections/notes/documents/harbour').expect(200);
    expect(doc.body).toMatchObject({ text: v2, metadata: { topic: 'sea' } });
    const old = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'fishermen mend nets stone wall', mode: 'lexical' })
      .expect(200);
    expect(old.body.results.map((r: { documentId: string }) => r.documentId)).not.toContain(
      'harbour',
    );
    expect(
      (
        await http()
          .put('/v1/collections/notes/documents/harbour')
          .send({ text: v2, metadata: { topic: 'sea' } })
          .expect(200)
      ).body.status,
    ).toBe('unchanged');
    const c = await http().get('/v1/collections/notes').expect(200);
    expect(c.body.counts.indexed).toBe(c.body.counts.vectors);
    await http().delete('/v1/collections/notes/documents/harbour').expect(204);
    await http().put('/v1/collections/notes/documents/harbour').send({ text: '  ' }).expect(400);
  });

  it('deletes a document from SQLite, the lexical index and the vector index', async () => {
    const before = await http().get('/v1/collections/notes').expect(200);
    await http().delete('/v1/collections/notes/documents/kitchen').expect(204);
    await http().delete('/v1/collections/notes/documents/kitchen').expect(404);
    for (const mode of ['dense', 'lexical', 'hybrid']) {
      const res = await http()
        .post('/v1/collections/notes/search')
        .send({ query: 'mother bakes bread in the kitchen', mode, topK: 10 })
        .expect(200);
      expect(res.body.results.map((r: { documentId: string }) => r.documentId)).not.toContain(
        'kitchen',
      );
    }
    const after = await http().get('/v1/collections/notes').expect(200);
    expect(after.body.counts.documents).toBe(2);
    expect(after.body.counts.vectors).toBeLessThan(before.body.counts.vectors);
    expect(after.body.counts.indexed).toBe(after.body.counts.vectors);
  });

  it('keeps everything across a restart, the index loaded without running the model', async () => {
    const before = await http().get('/v1/collections/notes').expect(200);
    await app.close();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage, PRELOAD_MODELS: 'false' });
    const after = await http().get('/v1/collections/notes').expect(200);
    expect(after.body.counts).toEqual(before.body.counts);
    const res = await http()
      .post('/v1/collections/notes/search')
      .send({ query: 'It crosses the river on a long bridge', mode: 'dense' })
      .expect(200);
    expect(res.body.results[0].documentId).toBe('train');
  });

  it('documents the API at /docs-json', async () => {
    const res = await http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/v1/collections',
        '/v1/collections/{name}',
        '/v1/collections/{name}/documents',
        '/v1/collections/{name}/search',
        '/v1/collections/{name}/ask',
      ]),
    );
    expect(res.body.components.schemas.SearchDto.properties.topK).toMatchObject({
      minimum: 1,
      maximum: 100,
    });
  });

  it('deletes a collection', async () => {
    await http().delete('/v1/collections/files').expect(204);
    await http().get('/v1/collections/files').expect(404);
    await http().delete('/v1/collections/files').expect(404);
  });
});
