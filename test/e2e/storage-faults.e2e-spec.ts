import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServerProcess, killAllServers } from '../support/server-process';
import { assertCompleteHnswFile } from '../../src/vector-index/hnsw-file-check';
import {
  FullStorage,
  ReadOnlyStorage,
  fullStorage,
  readOnlyStorage,
} from '../support/storage-faults';
import { TINY_ENV, TINY_MODELS_DIR, tempDir, tinyModelsPresent } from '../support/test-app';

/*
 * The built server on a storage directory that fills up or cannot be written, as a user would
 * meet it. Which real fault each test uses depends on the machine (test/support/storage-faults.ts):
 * a tmpfs when mounting is allowed, else a file-size limit or directory modes; the test prints
 * which. A read-only remount while the server runs is not possible (the kernel refuses to remount
 * a file system with files open for writing: "mount point is busy"), so the read-only case is the
 * start-up one; the mapping of SQLITE_READONLY and EROFS at run time is unit-tested.
 */

const ROOT = path.resolve(__dirname, '../..');

/** Words of the tiny models' vocabulary: each document is about one of them. */
const TOPICS = ['garden', 'train', 'kitchen', 'river', 'mountain', 'doctor', 'school', 'music'];
const MORE = ['bridge', 'horse', 'flower', 'summer'];
const LATE = ['church', 'island', 'letter', 'window'];

const doc = (topic: string, sentences = 3) => ({
  id: topic,
  text: Array.from(
    { length: sentences },
    (_, i) => `Note ${i + 1} about the ${topic}: the ${topic} is what this note is about.`,
  ).join(' '),
});

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Ingest {
  documents: { id: string; status: string }[];
  embedding: { state: string; pendingChunks: number };
}
interface Counts {
  documents: number;
  chunks: number;
  vectors: number;
  pending: number;
}
interface StorageHealth {
  status: string;
  storage: {
    status: string;
    freeBytes: number | null;
    fileSizeLimitBytes?: number;
    faults: { source: string; code: string; details: Record<string, unknown> }[];
    lastError?: { code: string };
  };
}
interface Meta {
  collectionId: number;
  size: number;
  watermark: number;
  sha256: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  ms: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

function readMeta(indexes: string, collectionId: number): Meta | undefined {
  const file = path.join(indexes, `${collectionId}.meta.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Meta) : undefined;
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('storage faults: the built server on full or read-only storage (e2e, process)', () => {
  const work = tempDir('ragd-storage-faults-');
  let full: FullStorage | undefined;
  let readOnly: ReadOnlyStorage | undefined;

  beforeAll(() => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
  });

  afterAll(() => {
    killAllServers();
    full?.dispose();
    readOnly?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** The tiny models, plus tiny/late: an embedding model whose weights arrive only when `lateWeights` is called. */
  function modelsDir(): { dir: string; lateWeights: () => void } {
    const dir = path.join(work, 'models');
    fs.mkdirSync(path.join(dir, 'tiny'), { recursive: true });
    for (const m of ['embed', 'chat', 'rerank'])
      fs.symlinkSync(path.join(TINY_MODELS_DIR, 'tiny', m), path.join(dir, 'tiny', m));
    const late = path.join(dir, 'tiny', 'late');
    fs.cpSync(path.join(TINY_MODELS_DIR, 'tiny', 'embed'), late, {
      recursive: true,
      filter: (src) => !src.endsWith('.onnx'),
    });
    return {
      dir,
      lateWeights: () =>
        fs.copyFileSync(
          path.join(TINY_MODELS_DIR, 'tiny', 'embed', 'onnx', 'model.onnx'),
          path.join(late, 'onnx', 'model.onnx'),
        ),
    };
  }

  it('full storage: 507 naming the cause, reads go on, nothing acknowledged is lost, writes resume when space returns', async () => {
    full = fullStorage(path.join(work, 'full'));
    console.log(`Full storage by ${full.mechanism}`);
    const models = modelsDir();
    const env = {
      ...TINY_ENV,
      MODEL_ALLOW: 'tiny/late', // pinned before its weights are placed
      MODELS_DIR: models.dir,
      LOG_LEVEL: 'log',
      STORAGE_DIR: full.dir,
      STORAGE_MIN_FREE_MB: '0', // let SQLite itself hit the wall
      MODEL_RETRY_MS: '1000',
      INDEX_SNAPSHOT_INTERVAL_MS: '1000',
    };
    const indexes = path.join(full.dir, 'indexes');
    const acknowledged = new Map<string, string>(); // "collection/id" -> text
    let sut = await ServerProcess.start(ROOT, env, path.join(work, 'full-1.log'));
    await sut.waitForEmbeddingReady(60_000);
    const counts = async (name: string) =>
      (await sut.get<{ counts: Counts }>(`/v1/collections/${name}`)).body.counts;
    const add = async (name: string, docs: { id: string; text: string }[], wait = true) => {
      const res = await sut.post<Ingest & ErrorBody>(`/v1/collections/${name}/documents`, {
        documents: docs,
        wait,
      });
      if (res.status === 201) for (const d of docs) acknowledged.set(`${name}/${d.id}`, d.text);
      return res;
    };

    expect((await sut.post('/v1/collections', { name: 'notes' })).status).toBe(201);
    expect(
      (
        await add(
          'notes',
          TOPICS.map((t) => doc(t)),
        )
      ).body.embedding?.state,
    ).toBe('done');
    // A collection on a model whose weights are not there yet: its chunks wait, found lexically.
    expect(
      (
        await sut.post('/v1/collections', {
          name: 'late',
          embeddingModel: 'tiny/late',
          embeddingDtype: 'fp32',
        })
      ).status,
    ).toBe(201);
    const late = await add(
      'late',
      LATE.map((t) => doc(t)),
      false,
    );
    expect(late.status).toBe(201);
    const lateChunks = (await counts('late')).chunks;
    expect((await counts('late')).pending).toBe(lateChunks);
    const notesVectors = (await counts('notes')).vectors;
    await until('the first index snapshot', 10_000, () =>
      readMeta(indexes, 1)?.size === notesVectors ? true : undefined,
    );

    // Change the index, then take the room away before the next snapshot (if a snapshot slips in
    // between, give the room back and try again with another document).
    const snapshotFailure = 'Could not write index snapshot of collection 1';
    let before: Meta | undefined;
    for (const topic of MORE) {
      before = readMeta(indexes, 1)!;
      expect((await add('notes', [doc(topic)])).status).toBe(201);
      full.fill(sut.pid);
      const outcome = await until('a snapshot attempt', 10_000, () =>
        readMeta(indexes, 1)!.size !== before!.size
          ? 'written'
          : sut.log.includes(snapshotFailure)
            ? 'failed'
            : undefined,
      );
      if (outcome === 'failed') break;
      assertCompleteHnswFile(path.join(indexes, '1.hnsw')); // a snapshot written in between must be whole
      full.release(sut.pid);
      before = undefined;
    }
    if (!before)
      throw new Error(
        `each of ${MORE.length} times a snapshot was written before the storage was full`,
      );

    // The snapshot is retried every interval, logged once; the previous snapshot stays whole.
    await sleep(2500);
    expect(occurrences(sut.log, snapshotFailure)).toBe(1);
    expect(readMeta(indexes, 1)).toEqual(before);
    expect(sha256(path.join(indexes, '1.hnsw'))).toBe(before.sha256);
    expect(fs.readdirSync(indexes).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // A write is refused with 507 naming the file and the cause, and nothing of it is kept.
    const big = { id: 'refused', text: doc('paper', 200).text };
    const refused = await add('notes', [big]);
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('insufficient_storage');
    expect(refused.body.error.message).toContain('STORAGE_DIR/ragd.sqlite');
    expect(refused.body.error.message).not.toContain(full.dir);
    expect(refused.body.error.details).toMatchObject({
      path: 'STORAGE_DIR/ragd.sqlite',
      cause: expect.stringMatching(/^SQLITE_(FULL|IOERR)/),
    });
    // While the fault lasts, the next write is refused before it reaches SQLite.
    const again = await add('notes', [{ ...big, id: 'refused-again' }]);
    expect(again.status).toBe(507);
    expect(again.body.error.code).toBe('insufficient_storage');

    // Reads and searches go on.
    const search = await sut.post<{ results: { documentId: string }[] }>(
      '/v1/collections/notes/search',
      { query: 'the kitchen', topK: 3 },
    );
    expect(search.status).toBe(200);
    expect(search.body.results.map((r) => r.documentId)).toContain('kitchen');
    expect(
      (await sut.get<{ text: string }>('/v1/collections/notes/documents/river')).body.text,
    ).toBe(acknowledged.get('notes/river'));

    // /health shows both faults.
    const health = await sut.get<StorageHealth>('/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.storage.status).toBe('failing');
    expect(health.body.storage.faults.map((f) => `${f.source}: ${f.code}`).sort()).toEqual([
      'database: insufficient_storage',
      'index snapshots: insufficient_storage',
    ]);
    expect(health.body.storage.lastError?.code).toBe('insufficient_storage');
    if (full.mechanism.includes('tmpfs'))
      expect(health.body.storage.freeBytes).toBeLessThanOrEqual(8192);
    else expect(health.body.storage.fileSizeLimitBytes).toBe(4096);

    // The late model's weights arrive: its vectors cannot be stored, so its chunks stay pending
    // (not failed) and the queue tries again every MODEL_RETRY_MS, without a log line per batch.
    models.lateWeights();
    await until('the queue to meet the full storage', 20_000, async () => {
      const faults = (await sut.get<StorageHealth>('/health')).body.storage.faults;
      return faults.some((f) => f.details.operation === 'store vectors of collection 2')
        ? true
        : undefined;
    });
    await sleep(1500);
    expect((await counts('late')).pending).toBe(lateChunks);
    expect(sut.log).not.toContain('Embedding a batch of collection 2 failed');
    expect(occurrences(sut.log, 'Storage fault (database)')).toBe(1);

    // Space returns: the faults clear, writes succeed, the waiting vectors are stored, snapshots resume.
    full.release(sut.pid);
    await until('storage ok in /health', 10_000, async () =>
      (await sut.get<StorageHealth>('/health')).body.storage.status === 'ok' ? true : undefined,
    );
    expect((await add('notes', [doc('valley')])).status).toBe(201);
    await until('the late chunks to be embedded', 20_000, async () =>
      (await counts('late')).pending === 0 ? true : undefined,
    );
    expect((await counts('late')).vectors).toBe(lateChunks);
    const vectorsNow = (await counts('notes')).vectors;
    await until('a new snapshot', 10_000, () =>
      readMeta(indexes, 1)?.size === vectorsNow ? true : undefined,
    );
    expect(sut.log).toContain('Index snapshot of collection 1 written again');

    // Every acknowledged document is intact; the refused ones were never stored.
    const intact = async () => {
      for (const [key, text] of acknowledged) {
        const [name, id] = key.split('/') as [string, string];
        const res = await sut.get<{ text: string }>(`/v1/collections/${name}/documents/${id}`);
        expect(`${key}: ${res.status} ${res.body.text}`).toBe(`${key}: 200 ${text}`);
      }
      expect((await sut.get<ErrorBody>('/v1/collections/notes/documents/refused')).status).toBe(
        404,
      );
      expect((await counts('notes')).documents + (await counts('late')).documents).toBe(
        acknowledged.size,
      );
    };
    await intact();

    // Stopped, the SQLite file passes its integrity check; restarted, everything is still there.
    expect((await sut.stop()).code).toBe(0);
    const db = new Database(path.join(full.dir, 'ragd.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(
        acknowledged.size,
      );
    } finally {
      db.close();
    }
    sut = await ServerProcess.start(ROOT, env, path.join(work, 'full-2.log'));
    await sut.waitForEmbeddingReady(60_000);
    await intact();
    expect(sut.log).toMatch(/Index of collection 1: \d+ vectors, snapshot/); // loaded, not rebuilt
    const lateNow = (
      await sut.get<{ counts: Counts & { indexed: number } }>('/v1/collections/late')
    ).body.counts;
    expect([lateNow.vectors, lateNow.indexed]).toEqual([lateChunks, lateChunks]);
    const dense = await sut.post<{ mode: string; results: { documentId: string }[] }>(
      '/v1/collections/late/search',
      { query: 'the island', mode: 'dense' },
    );
    expect(new Set(dense.body.results.map((r) => r.documentId))).toEqual(new Set(LATE));
    expect((await sut.stop()).code).toBe(0);
  });

  it('read-only storage: the server will not start, says which directory and why, and starts once it is writable', async () => {
    readOnly = readOnlyStorage(path.join(work, 'read-only'));
    console.log(`Read-only storage by ${readOnly.mechanism}`);
    const env = {
      ...TINY_ENV,
      LOG_LEVEL: 'log',
      STORAGE_DIR: readOnly.dir,
      STORAGE_MIN_FREE_MB: '0',
      PRELOAD_MODELS: 'false',
    };
    let sut = await ServerProcess.start(ROOT, env, path.join(work, 'ro-1.log'), readOnly.runAs);
    await sut.waitForHealth(30_000);
    expect((await sut.post('/v1/collections', { name: 'kept' })).status).toBe(201);
    const kept = doc('garden');
    expect(
      (await sut.post('/v1/collections/kept/documents', { documents: [kept], wait: false })).status,
    ).toBe(201);
    expect((await sut.stop()).code).toBe(0);

    readOnly.makeReadOnly();
    sut = await ServerProcess.start(ROOT, env, path.join(work, 'ro-2.log'), readOnly.runAs);
    await expect(sut.waitForHealth(30_000)).rejects.toThrow(/server exited \(code 3,/);
    expect(sut.log).toContain(
      `Cannot start: the storage directory ${readOnly.dir} is not writable`,
    );
    expect(sut.log).toMatch(/read-only file system|EACCES: permission denied/);
    expect(sut.log).not.toMatch(/^\s+at /m); // a message, not a stack trace

    readOnly.makeWritable();
    sut = await ServerProcess.start(ROOT, env, path.join(work, 'ro-3.log'), readOnly.runAs);
    await sut.waitForHealth(30_000);
    expect(
      (await sut.get<{ text: string }>('/v1/collections/kept/documents/garden')).body.text,
    ).toBe(kept.text);
    expect((await sut.get<StorageHealth>('/health')).body.storage.status).toBe('ok');
    expect((await sut.stop()).code).toBe(0);
  });
});
