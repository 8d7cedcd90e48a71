import { INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

/** Words of the tiny models' vocabulary: each document is about one of them. */
const TOPICS = [
  'garden',
  'train',
  'kitchen',
  'river',
  'mountain',
  'doctor',
  'school',
  'music',
  'winter',
  'ocean',
  'forest',
  'market',
];
const LATE_TOPICS = ['church', 'island', 'letter', 'window'];

const doc = (topic: string) => ({
  id: topic,
  text: `A short note about the ${topic}. The ${topic} is what this note is about, and the ${topic} again.`,
});

const WIDE = { embeddingModel: 'tiny/embed-wide', embeddingDtype: 'fp32' };
/** Seconds per batch: slow enough to act while it runs. */
const HEAVY = { embeddingModel: 'tiny/embed-heavy', embeddingDtype: 'fp32' };

interface ReembedBody {
  state: string;
  embeddingModel: string;
  fromModel: string;
  done: number;
  total: number;
  error?: string;
}

describe('re-embedding a collection with another model, without downtime (e2e)', () => {
  let storage: string;
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  // tiny/broken-*: allowed (MODEL_ALLOW) though not in MODELS_DIR, to see a load fail in the job.
  const env = () => ({
    ...TINY_ENV,
    STORAGE_DIR: storage,
    EMBED_BATCH_SIZE: '2',
    MODEL_ALLOW: 'tiny/broken-*',
  });

  async function until(name: string, states: string[], ms = 120_000): Promise<ReembedBody> {
    const end = Date.now() + ms;
    for (;;) {
      const res = await http().get(`/v1/collections/${name}/reembed`).expect(200);
      const body = res.body as ReembedBody;
      if (states.includes(body.state)) return body;
      if (Date.now() > end)
        throw new Error(`re-embedding of ${name} still ${body.state} after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function create(name: string, topics = TOPICS): Promise<void> {
    await http().post('/v1/collections').send({ name }).expect(201);
    const res = await http()
      .post(`/v1/collections/${name}/documents`)
      .send({ documents: topics.map(doc) })
      .expect(201);
    expect(res.body.embedding.state).toBe('done');
  }

  async function topHit(name: string, query: string): Promise<string | undefined> {
    const res = await http()
      .post(`/v1/collections/${name}/search`)
      .send({ query, mode: 'dense', topK: 1 })
      .expect(200);
    return (res.body.results as { documentId: string }[])[0]?.documentId;
  }

  async function expectConsistent(
    name: string,
    model: string,
    dim: number,
    topics: string[],
  ): Promise<void> {
    const c = (await http().get(`/v1/collections/${name}`).expect(200)).body;
    expect(c.embeddingModel).toBe(model);
    expect(c.embeddingDim).toBe(dim);
    expect(c.counts.documents).toBe(topics.length);
    expect(c.counts.vectors).toBe(c.counts.chunks);
    expect(c.counts.indexed).toBe(c.counts.chunks);
    expect(c.counts.pending).toBe(0);
    for (const t of topics) expect(await topHit(name, `about the ${t}`)).toBe(t);
  }

  beforeAll(async () => {
    tinyModelsPresent();
    storage = tempDir();
    app = await createTestApp(env());
  });

  afterAll(async () => {
    await app?.close();
  });

  it('switches to a model of another width; dense search works before, during and after', async () => {
    await create('wide');
    const started = await http().post('/v1/collections/wide/reembed').send(WIDE).expect(202);
    expect(started.body).toMatchObject({
      state: 'running',
      embeddingModel: 'tiny/embed-wide',
      fromModel: 'tiny/embed',
    });
    // Searches meanwhile use the old model and index, and find what they found before.
    expect(await topHit('wide', 'about the river')).toBe('river');
    const done = await until('wide', ['done', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    expect(done.done).toBe(done.total);
    await expectConsistent('wide', 'tiny/embed-wide', 192, TOPICS);
    const c = (await http().get('/v1/collections/wide').expect(200)).body;
    expect(c.reembed).toMatchObject({
      state: 'done',
      embeddingModel: 'tiny/embed-wide',
      fromModel: 'tiny/embed',
    });
    // The old model's vectors are deleted after the switch.
    expect(await eventually(() => storedVectorRows(storage, 'wide'), c.counts.chunks)).toBe(
      c.counts.chunks,
    );
  });

  it('takes in documents added and deleted while it runs', async () => {
    await create('busy');
    await http().post('/v1/collections/busy/reembed').send(HEAVY).expect(202);
    await http()
      .post('/v1/collections/busy/documents')
      .send({ documents: LATE_TOPICS.map(doc) })
      .expect(201);
    await http().delete('/v1/collections/busy/documents/garden').expect(204);
    await http().delete('/v1/collections/busy/documents/church').expect(204);
    const running = (await http().get('/v1/collections/busy/reembed').expect(200))
      .body as ReembedBody;
    expect(running.state).toBe('running');
    expect(await topHit('busy', 'about the island')).toBe('island');
    const done = await until('busy', ['done', 'failed']);
    expect(done.state).toBe('done');
    const kept = [...TOPICS, ...LATE_TOPICS].filter((t) => t !== 'garden' && t !== 'church');
    await expectConsistent('busy', 'tiny/embed-heavy', 128, kept);
    const gone = await http()
      .post('/v1/collections/busy/search')
      .send({ query: 'garden', mode: 'lexical' })
      .expect(200);
    expect(gone.body.results).toHaveLength(0);
  });

  it('refuses a model id that is neither known nor allowed by MODEL_ALLOW (403), starting nothing', async () => {
    await create('unknown', TOPICS.slice(0, 2));
    const res = await http()
      .post('/v1/collections/unknown/reembed')
      .send({ embeddingModel: 'someone/any-model', embeddingDtype: 'fp32' })
      .expect(403);
    expect(res.body.error).toMatchObject({
      code: 'model_not_allowed',
      details: { model: 'someone/any-model' },
    });
    await http().get('/v1/collections/unknown/reembed').expect(404);
  });

  it('leaves the old model in service when the new one cannot be loaded', async () => {
    await create('broken', TOPICS.slice(0, 3));
    await http()
      .post('/v1/collections/broken/reembed')
      .send({ embeddingModel: 'tiny/broken-model', embeddingDtype: 'fp32' })
      .expect(202);
    const failed = await until('broken', ['done', 'failed', 'cancelled']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('tiny/broken-model');
    await expectConsistent('broken', 'tiny/embed', 128, TOPICS.slice(0, 3));
  });

  it('can be cancelled; the old model stays and a new job can start', async () => {
    await create('cancel', TOPICS.slice(0, 6));
    await http().post('/v1/collections/cancel/reembed').send(HEAVY).expect(202);
    await http().post('/v1/collections/cancel/reembed').send(WIDE).expect(409);
    const cancelled = await http().delete('/v1/collections/cancel/reembed').expect(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', done: 0 });
    await expectConsistent('cancel', 'tiny/embed', 128, TOPICS.slice(0, 6));
    const chunks = (await http().get('/v1/collections/cancel').expect(200)).body.counts
      .chunks as number;
    expect(await eventually(() => storedVectorRows(storage, 'cancel'), chunks)).toBe(chunks); // what it wrote is gone
    await http().delete('/v1/collections/cancel/reembed').expect(404);
    await http().post('/v1/collections/cancel/reembed').send(WIDE).expect(202);
    expect((await until('cancel', ['done', 'failed'])).state).toBe('done');
  });

  it('answers bad requests with 4xx JSON errors', async () => {
    await http().post('/v1/collections').send({ name: 'plain' }).expect(201);
    const same = await http()
      .post('/v1/collections/plain/reembed')
      .send({ embeddingModel: 'tiny/embed', embeddingDtype: 'fp32' })
      .expect(400);
    expect(same.body.error.code).toBe('invalid_input');
    const missing = await http().post('/v1/collections/nope/reembed').send(WIDE).expect(404);
    expect(missing.body.error.code).toBe('collection_not_found');
    for (const [body, violation] of [
      [{}, /^embeddingModel must be a string$/],
      [{ embeddingModel: '../etc' }, /^embeddingModel must look like "org\/name"/],
      [
        { embeddingModel: 'tiny/embed-wide', embeddingDtype: 'fp64' },
        /^embeddingDtype must be one of/,
      ],
      [{ ...WIDE, extra: 1 }, /^property extra should not exist$/],
    ] as const) {
      const res = await http().post('/v1/collections/plain/reembed').send(body).expect(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details.violations).toContainEqual(expect.stringMatching(violation));
    }
    const never = await http().get('/v1/collections/plain/reembed').expect(404);
    expect(never.body.error.code).toBe('reembed_not_found');
  });

  it('resumes after a restart, and the new index survives the next one', async () => {
    await create('resume', TOPICS.slice(0, 8));
    await http().post('/v1/collections/resume/reembed').send(HEAVY).expect(202);
    const end = Date.now() + 60_000;
    while (
      ((await http().get('/v1/collections/resume/reembed')).body as ReembedBody).done < 2 &&
      Date.now() < end
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await app.close();
    app = await createTestApp(env());
    const resumed = (await http().get('/v1/collections/resume/reembed').expect(200))
      .body as ReembedBody;
    expect(resumed.state).toBe('running');
    expect(resumed.done).toBeGreaterThanOrEqual(2);
    expect((await until('resume', ['done', 'failed'])).state).toBe('done');
    await expectConsistent('resume', 'tiny/embed-heavy', 128, TOPICS.slice(0, 8));
    await app.close();
    app = await createTestApp(env());
    const c = (await http().get('/v1/collections/resume').expect(200)).body;
    expect(c.index.state).toBe('ready'); // loaded from the new snapshot, not rebuilt
    await expectConsistent('resume', 'tiny/embed-heavy', 128, TOPICS.slice(0, 8));
  });

  it('recovers when the process died after the switch and before the new snapshot', async () => {
    await create('stale', TOPICS.slice(0, 5));
    await app.close(); // writes the snapshot of the tiny/embed vectors
    const saved = snapshotFiles(storage, 'stale').map((f) => [f, fs.readFileSync(f)] as const);
    expect(JSON.parse(saved[1]![1].toString('utf8')).generation).toBe(0);
    app = await createTestApp(env());
    await http().post('/v1/collections/stale/reembed').send(WIDE).expect(202);
    expect((await until('stale', ['done', 'failed'])).state).toBe('done');
    await app.close();
    for (const [f, bytes] of saved) fs.writeFileSync(f, bytes); // the old snapshot is back
    app = await createTestApp(env());
    const deadline = Date.now() + 60_000;
    let c = (await http().get('/v1/collections/stale').expect(200)).body;
    while (c.index.state !== 'ready' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      c = (await http().get('/v1/collections/stale').expect(200)).body;
    }
    await expectConsistent('stale', 'tiny/embed-wide', 192, TOPICS.slice(0, 5));
    await app.close();
    app = await createTestApp(env());
    expect(
      JSON.parse(fs.readFileSync(snapshotFiles(storage, 'stale')[1]!, 'utf8')).generation,
    ).toBe(1);
  });
});

/** Polls `read` until it returns `want` (or 10 s pass); returns the last value. */
async function eventually<T>(read: () => T, want: T): Promise<T> {
  const end = Date.now() + 10_000;
  let v = read();
  while (v !== want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    v = read();
  }
  return v;
}

/** Rows in chunk_vectors of a collection, of every generation; read from the database file. */
function storedVectorRows(storage: string, name: string): number {
  const db = new Database(path.join(storage, 'ragd.sqlite'), { readonly: true });
  try {
    return (
      db
        .prepare(
          'SELECT COUNT(*) AS n FROM chunk_vectors v JOIN collections k ON k.id = v.collection_id WHERE k.name = ?',
        )
        .get(name) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

/** The collection's row id, which names its index files; read from the database file. */
function collectionIdOf(storage: string, name: string): number {
  const db = new Database(path.join(storage, 'ragd.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM collections WHERE name = ?').get(name) as { id: number }).id;
  } finally {
    db.close();
  }
}

function snapshotFiles(storage: string, name: string): string[] {
  const id = collectionIdOf(storage, name);
  return [`${id}.hnsw`, `${id}.meta.json`].map((f) => path.join(storage, 'indexes', f));
}
