import { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { InMemoryVectorStore } from '../../src/vector-store/adapters/in-memory/in-memory-vector-store';
import { VectorStore } from '../../src/vector-store/vector-store';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const WORDS = ['river', 'garden', 'window', 'engine', 'market', 'island', 'forest', 'castle'];
const DOCS = WORDS.map((w, i) => ({
  id: `doc-${w}`,
  text: `This note is all about the ${w}: the ${w} and only the ${w}, every day of the week.`,
  metadata: { lang: i % 2 === 0 ? 'en' : 'de' },
}));

describe('VECTOR_STORE=memory: the whole app on the in-memory vector store (e2e)', () => {
  const storage = tempDir();
  const env = {
    ...TINY_ENV,
    STORAGE_DIR: storage,
    VECTOR_STORE: 'memory',
    PRELOAD_MODELS: 'false',
  };
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp(env);
    await http().post('/v1/collections').send({ name: 'm' }).expect(201);
    await http().post('/v1/collections/m/documents').send({ documents: DOCS }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is the store in service, and writes no index files', () => {
    expect(app.get(VectorStore)).toBeInstanceOf(InMemoryVectorStore);
    expect(fs.existsSync(path.join(storage, 'indexes'))).toBe(false);
  });

  it('answers dense searches, inside metadata filters, and verifies as consistent', async () => {
    const dense = await http()
      .post('/v1/collections/m/search')
      .send({ query: DOCS[2]!.text, mode: 'dense', topK: 1 })
      .expect(200);
    expect(dense.body.results[0].documentId).toBe('doc-window');
    const de = await http()
      .post('/v1/collections/m/search')
      .send({ query: DOCS[2]!.text, mode: 'dense', topK: 8, filter: { lang: 'de' } })
      .expect(200);
    expect(de.body.results).toHaveLength(4);
    expect(
      de.body.results.every((r: { metadata: { lang: string } }) => r.metadata.lang === 'de'),
    ).toBe(true);
    const index = await http().get('/v1/collections/m/index').expect(200);
    expect(index.body).toMatchObject({ state: 'ready', consistent: true });
    expect(index.body.size).toBe(index.body.storedVectors);
    expect(index.body.size).toBeGreaterThanOrEqual(DOCS.length);
  });

  it('fills itself from SQLite at the next start', async () => {
    const before = (await http().get('/v1/collections/m').expect(200)).body.counts;
    await app.close();
    app = await createTestApp(env);
    const after = (await http().get('/v1/collections/m').expect(200)).body.counts;
    expect(after.indexed).toBe(before.indexed);
    expect(after.indexed).toBe(after.vectors);
    const dense = await http()
      .post('/v1/collections/m/search')
      .send({ query: DOCS[5]!.text, mode: 'dense', topK: 1 })
      .expect(200);
    expect(dense.body.results[0].documentId).toBe('doc-island');
  });
});
