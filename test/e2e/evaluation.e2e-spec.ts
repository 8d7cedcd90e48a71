import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

// One short sentence each, so every document is one chunk, with or without the tokenizer.
const DOCS = [
  {
    id: 'garden',
    text: 'The garden has green trees and red flowers. An old man waters the plants.',
  },
  {
    id: 'train',
    text: 'The night train leaves the station at eight and crosses the river on a bridge.',
  },
  { id: 'kitchen', text: 'My mother bakes bread and cooks soup on the stove.' },
  { id: 'boats', text: 'A blue boat sails across the quiet lake in the morning wind.' },
];

/**
 * Lexical rankings, by which documents contain the query words:
 *   q1 "bread soup stove"          -> [kitchen]          relevant kitchen (2): found at rank 1
 *   q2 "night train bridge"        -> [train]            relevant garden (1): not found
 *   q3 "green trees flowers lake"  -> [garden, boats]    garden matches three words, boats one;
 *                                                        relevant boats (3) and garden (1)
 *   q4 "quiet lake"                                      no relevant document: not scored
 */
const QUERIES = [
  { query: 'bread soup stove', relevant: { kitchen: 2 } },
  { query: 'night train bridge', relevant: { garden: 1, train: 0 } },
  { query: 'green trees flowers lake', relevant: { boats: 3, garden: 1 } },
  { query: 'quiet lake', relevant: { train: 0 } },
];

// q3: DCG = (2^1 - 1)/log2(2) + (2^3 - 1)/log2(3) = 1 + 4.416508; ideal = 7/log2(2) + 1/log2(3) = 7 + 0.630930
const Q3_NDCG = 5.416508 / 7.63093; // 0.709810
const LEXICAL = {
  mode: 'lexical',
  available: true,
  recall: { '1': (1 + 0 + 0.5) / 3, '5': 2 / 3, '10': 2 / 3 },
  mrrAt10: (1 + 0 + 1) / 3,
  ndcgAt10: (1 + 0 + Q3_NDCG) / 3, // 0.569937
};

function expectLexical(m: Record<string, unknown>, recallAtK: number): void {
  expect(m).toMatchObject({ mode: 'lexical', available: true });
  expect(m.reason).toBeUndefined();
  expect(m.recallAtK).toBeCloseTo(recallAtK, 10);
  const recall = m.recall as Record<string, number>;
  for (const [k, v] of Object.entries(LEXICAL.recall)) expect(recall[k]).toBeCloseTo(v, 10);
  expect(m.mrrAt10).toBeCloseTo(LEXICAL.mrrAt10, 10);
  expect(m.ndcgAt10).toBeCloseTo(LEXICAL.ndcgAt10, 5);
  expect(m.ndcgAt10).toBeCloseTo(0.569937, 5);
}

/**
 * meanLatencyMs (rounded to 0.01) of each mode: above 0, since every query was searched, and the
 * modes' timed searches together (mean x evaluated queries) within the time the client waited.
 */
function expectLatencies(modes: { meanLatencyMs: number }[], evaluated: number, wallMs: number) {
  for (const m of modes) expect(m.meanLatencyMs).toBeGreaterThan(0);
  const timed = modes.reduce((sum, m) => sum + (m.meanLatencyMs - 0.005) * evaluated, 0);
  expect(timed).toBeLessThanOrEqual(wallMs);
}

describe('evaluate retrieval on labelled queries (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir() });
    await http().post('/v1/collections').send({ name: 'small' }).expect(201);
    const res = await http()
      .post('/v1/collections/small/documents')
      .send({ documents: DOCS })
      .expect(201);
    expect(res.body.embedding.state).toBe('done');
    expect(res.body.documents.map((d: { chunks: number }) => d.chunks)).toEqual([1, 1, 1, 1]);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('scores lexical search exactly as computed by hand', async () => {
    const sent = performance.now();
    const res = await http()
      .post('/v1/collections/small/evaluate')
      .send({ queries: QUERIES, modes: ['lexical'], k: 1 })
      .expect(200);
    const wallMs = performance.now() - sent;
    expect(res.body).toMatchObject({
      k: 1,
      queries: 4,
      evaluatedQueries: 3,
      depth: 10,
      searchTopK: 30,
    });
    expect(res.body.modes).toHaveLength(1);
    expectLexical(res.body.modes[0], 0.5);
    expectLatencies(res.body.modes, 3, wallMs);
  });

  it('measures all four modes by default, each in [0, 1]', async () => {
    const sent = performance.now();
    const res = await http()
      .post('/v1/collections/small/evaluate')
      .send({ queries: QUERIES })
      .expect(200);
    const wallMs = performance.now() - sent;
    expect(res.body.k).toBe(10);
    expect(res.body.modes.map((m: { mode: string }) => m.mode)).toEqual([
      'lexical',
      'dense',
      'hybrid',
      'hybrid+rerank',
    ]);
    expectLexical(res.body.modes[0], 2 / 3);
    for (const m of res.body.modes) {
      expect(m.available).toBe(true);
      for (const v of [
        m.recallAtK,
        m.mrrAt10,
        m.ndcgAt10,
        ...Object.values(m.recall as Record<string, number>),
      ]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(Object.keys(m.recall)).toEqual(['1', '5', '10']);
    }
    expectLatencies(res.body.modes, res.body.evaluatedQueries, wallMs);
    // q1's words are in one document only: every mode that sees the lexical list finds it.
    expect(res.body.modes[2].recall['10']).toBeGreaterThanOrEqual(1 / 3);
  });

  it.each([
    ['a query that is not an object', { queries: ['bread'] }, /queries/],
    [
      'queries that are not a list',
      { queries: { query: 'bread', relevant: { kitchen: 1 } } },
      /queries must be an array/,
    ],
    ['no queries', { queries: [] }, /queries must contain at least 1 elements/],
    [
      'a negative grade',
      { queries: [{ query: 'bread', relevant: { kitchen: -1 } }] },
      /grade a number >= 0/,
    ],
    [
      'a grade that is not a number',
      { queries: [{ query: 'bread', relevant: { kitchen: '2' } }] },
      /grade a number >= 0/,
    ],
    [
      'empty judgements',
      { queries: [{ query: 'bread', relevant: {} }] },
      /relevant must be an object of 1-/,
    ],
    [
      'a blank query',
      { queries: [{ query: '   ', relevant: { kitchen: 1 } }] },
      /query must not be blank/,
    ],
    ['an unknown mode', { queries: QUERIES, modes: ['lexical', 'sparse'] }, /modes/],
    ['a repeated mode', { queries: QUERIES, modes: ['lexical', 'lexical'] }, /modes/],
    ['k above 100', { queries: QUERIES, k: 101 }, /k must not be greater than 100/],
    ['an unknown field', { queries: QUERIES, topK: 5 }, /property topK should not exist/],
    [
      'an unknown field in a query',
      { queries: [{ query: 'bread', relevant: { kitchen: 1 }, mode: 'dense' }] },
      /mode should not exist/,
    ],
  ])('refuses %s (400)', async (_what, body, message) => {
    const res = await http().post('/v1/collections/small/evaluate').send(body).expect(400);
    expect(JSON.stringify(res.body.error)).toMatch(message);
  });

  it('refuses queries none of which has a relevant document (400)', async () => {
    const res = await http()
      .post('/v1/collections/small/evaluate')
      .send({ queries: [{ query: 'quiet lake', relevant: { boats: 0 } }] })
      .expect(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('answers 404 for an unknown collection', async () => {
    const res = await http()
      .post('/v1/collections/nope/evaluate')
      .send({ queries: QUERIES })
      .expect(404);
    expect(res.body.error.code).toBe('collection_not_found');
  });

  it('is documented at /docs-json', async () => {
    const res = await http().get('/docs-json').expect(200);
    const operation = res.body.paths['/v1/collections/{name}/evaluate'].post;
    expect(operation.summary).toMatch(/^Measure retrieval quality/);
    expect(Object.keys(operation.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
    ]);
    expect(res.body.components.schemas.EvaluateDto.properties.k).toMatchObject({
      minimum: 1,
      maximum: 100,
      default: 10,
    });
    expect(res.body.components.schemas.EvaluateDto.properties.queries).toMatchObject({
      minItems: 1,
      maxItems: 5000,
    });
  });
});

describe('evaluate without models: modes that cannot run are reported, not failed (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    // Same model names, but MODELS_DIR is empty: nothing can be loaded.
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      MODELS_DIR: tempDir('ragd-empty-models-'),
    });
    await http().post('/v1/collections').send({ name: 'small' }).expect(201);
    const res = await http()
      .post('/v1/collections/small/documents')
      .send({ documents: DOCS })
      .expect(201);
    expect(res.body.embedding.state).toBe('pending');
    expect(res.body.documents.map((d: { chunks: number }) => d.chunks)).toEqual([1, 1, 1, 1]);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('scores lexical search and marks dense, hybrid and hybrid+rerank unavailable with the reason', async () => {
    const res = await http()
      .post('/v1/collections/small/evaluate')
      .send({ queries: QUERIES })
      .expect(200);
    expect(res.body.modes.map((m: { mode: string }) => m.mode)).toEqual([
      'lexical',
      'dense',
      'hybrid',
      'hybrid+rerank',
    ]);
    expectLexical(res.body.modes[0], 2 / 3);
    for (const m of res.body.modes.slice(1)) {
      expect(m).toMatchObject({
        available: false,
        recallAtK: null,
        recall: null,
        mrrAt10: null,
        ndcgAt10: null,
        meanLatencyMs: null,
      });
      expect(m.reason).toMatch(/tiny\/embed.*unavailable/);
    }
  });
});
