import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const WORDS = [
  'river',
  'garden',
  'window',
  'engine',
  'market',
  'island',
  'forest',
  'castle',
  'bridge',
  'school',
];

/** 500 one-chunk documents; metadata bucket = i % 100, so one bucket is 1% of the chunks. */
const DOCS = Array.from({ length: 500 }, (_, i) => ({
  id: `doc-${i}`,
  text: `Note ${i} is about the ${WORDS[i % 10]} and the ${WORDS[(i * 7) % 10]} near the old ${WORDS[(i * 3) % 10]}.`,
  metadata: {
    bucket: i % 100,
    year: 2000 + (i % 25),
    lang: i % 2 === 0 ? 'en' : 'de',
    published: `20${String(10 + (i % 15)).padStart(2, '0')}-06-01`,
  },
}));

describe('retrieval: filters, fusion, explain, diversity, neighbours (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const search = (body: Record<string, unknown>) =>
    http().post('/v1/collections/r/search').send(body);

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' });
    await http().post('/v1/collections').send({ name: 'r' }).expect(201);
    for (let i = 0; i < DOCS.length; i += 100) {
      await http()
        .post('/v1/collections/r/documents')
        .send({ documents: DOCS.slice(i, i + 100) })
        .expect(201);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(['dense', 'lexical', 'hybrid'])(
    'returns topK results when a filter matches 1%% of chunks (%s)',
    async (mode) => {
      const res = await search({
        query: 'river garden window engine',
        mode,
        topK: 5,
        filter: { bucket: 7 },
      }).expect(200);
      expect(res.body.results).toHaveLength(5);
      for (const r of res.body.results) expect(r.metadata.bucket).toBe(7);
    },
  );

  it('applies $in, ranges, dates and $or inside every mode', async () => {
    const filter = {
      $or: [
        { bucket: { $in: [1, 2] } },
        { year: { $gte: 2024 }, published: { $lt: '2015-01-01' } },
      ],
    };
    const expected = DOCS.filter(
      (d) =>
        [1, 2].includes(d.metadata.bucket) ||
        (d.metadata.year >= 2024 && d.metadata.published < '2015-01-01'),
    ).map((d) => d.id);
    expect(expected.length).toBeGreaterThan(5);
    for (const mode of ['dense', 'lexical', 'hybrid']) {
      const res = await search({ query: 'note about the river', mode, topK: 100, filter }).expect(
        200,
      );
      const got = res.body.results.map((r: { documentId: string }) => r.documentId);
      expect(new Set(got)).toEqual(new Set(expected));
    }
  });

  it('refuses a malformed filter with a 400 naming the problem', async () => {
    const res = await search({ query: 'x', filter: { year: { $between: [1, 2] } } }).expect(400);
    expect(res.body.error.message).toMatch(/\$between.*not a known operator/);
  });

  it('explains ranks and scores, and list weights change the fused order', async () => {
    const res = await search({ query: 'castle bridge', explain: true, topK: 10 }).expect(200);
    expect(res.body.mode).toBe('hybrid');
    const first = res.body.results[0].explain;
    expect(first.fusedScore).toBeCloseTo(res.body.results[0].score, 10);
    expect(first.denseRank ?? first.lexicalRank).toBeGreaterThanOrEqual(1);
    const lexicalOnly = await search({
      query: 'castle bridge',
      explain: true,
      topK: 10,
      fusion: { denseWeight: 0, lexicalWeight: 1 },
    }).expect(200);
    const lexical = await search({ query: 'castle bridge', mode: 'lexical', topK: 10 }).expect(200);
    // With the dense list weighted 0, hybrid ranks exactly as lexical for the lexical hits.
    const ids = (r: { body: { results: { chunkId: number }[] } }) =>
      r.body.results.map((x) => x.chunkId);
    expect(ids(lexicalOnly).slice(0, 5)).toEqual(ids(lexical).slice(0, 5));
  });

  it('keeps per-collection fusion defaults, changeable with PATCH', async () => {
    const patched = await http()
      .patch('/v1/collections/r')
      .send({ search: { rrfK: 10, denseWeight: 0 } })
      .expect(200);
    expect(patched.body.search).toMatchObject({
      rrfK: 10,
      denseWeight: 0,
      lexicalWeight: 1,
      rerank: false,
    });
    const res = await search({ query: 'castle bridge', explain: true, topK: 3 }).expect(200);
    const e = res.body.results[0].explain;
    expect(e.fusedScore).toBeCloseTo(1 / (10 + e.lexicalRank), 10);
    await http()
      .patch('/v1/collections/r')
      .send({ search: { rrfK: 60, denseWeight: 1 } })
      .expect(200);
    await http()
      .patch('/v1/collections/r')
      .send({ search: { rrfK: 0 } })
      .expect(400);
  });

  it.each(['dense', 'lexical'])(
    'diversifies with maximal marginal relevance (%s)',
    async (mode) => {
      const dups = Array.from({ length: 6 }, (_, i) => ({
        id: `dup-${i}`,
        text: 'The mill stands by the river and the mill wheel turns.',
      }));
      const others = [
        'The castle on the hill overlooks the river valley.',
        'Children play in a garden beside the river.',
        'Tall trees of the forest shade its river bank.',
        'Traders sell fish at markets by the river.',
        'Our school bus crosses that river every morning.',
        'Boats sail from an island across the river.',
      ].map((text, i) => ({ id: `other-${i}`, text }));
      await http().post('/v1/collections').send({ name: 'mmr' }).expect(201);
      await http()
        .post('/v1/collections/mmr/documents')
        .send({ documents: [...dups, ...others] })
        .expect(201);
      const ask = (body: Record<string, unknown>) =>
        http()
          .post('/v1/collections/mmr/search')
          .send({ query: 'mill river', mode, topK: 4, ...body })
          .expect(200);
      const count = (r: { body: { results: { documentId: string }[] } }) =>
        r.body.results.filter((x) => x.documentId.startsWith('dup-')).length;
      const plain = await ask({});
      const diverse = await ask({ mmrLambda: 0.3 });
      expect(count(plain)).toBe(4); // the near-duplicates fill the plain top 4
      expect(count(diverse)).toBe(1); // one of them is kept, the rest give way to other passages
      expect(diverse.body.results[0].documentId).toMatch(/^dup-/);
      await http().delete('/v1/collections/mmr').expect(204);
    },
  );
});

describe('ask with neighbouring chunks (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const text = Array.from(
    { length: 30 },
    (_, i) => `Paragraph ${i} describes the ${WORDS[i % 10]} in some detail.`,
  ).join('\n\n');

  beforeAll(async () => {
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' });
    await http()
      .post('/v1/collections')
      .send({ name: 'n', chunkSize: 24, chunkOverlap: 0 })
      .expect(201);
    await http()
      .post('/v1/collections/n/documents')
      .send({ documents: [{ id: 'long', text }] })
      .expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('widens each cited chunk to its neighbours, with offsets into the document', async () => {
    const narrow = await http()
      .post('/v1/collections/n/ask')
      .send({ question: 'Paragraph 15 castle', topK: 1 })
      .expect(200);
    const wide = await http()
      .post('/v1/collections/n/ask')
      .send({ question: 'Paragraph 15 castle', topK: 1, neighbors: 1 })
      .expect(200);
    const a = narrow.body.citations[0];
    const b = wide.body.citations[0];
    expect(b.chunkId).toBe(a.chunkId);
    expect(b.start).toBeLessThan(a.start);
    expect(b.end).toBeGreaterThan(a.end);
    expect(text.slice(b.start, b.end)).toBe(b.text);
    expect(b.text).toContain(a.text);
  });
});
