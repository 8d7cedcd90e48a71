import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageMonitor } from '../../src/storage/storage-monitor.service';
import { loadSettings, Settings } from '../../src/config/settings';
import { CollectionsRepository } from '../../src/database/collections.repository';
import { DatabaseService } from '../../src/database/database.service';
import { DocumentsRepository } from '../../src/database/documents.repository';
import { ReembedRepository } from '../../src/database/reembed.repository';
import { VectorIndexService } from '../../src/vector-index/vector-index.service';
import { tempDir } from '../support/test-app';

/** Deterministic unit vectors (mulberry32). */
function vectors(n: number, dim: number, seed = 7): Float32Array[] {
  let s = seed;
  const rnd = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, rnd);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

describe('VectorIndexService: a cache of SQLite that heals itself (integration)', () => {
  const DIM = 16;
  let settings: Settings;
  let db: DatabaseService;
  let collections: CollectionsRepository;
  let documents: DocumentsRepository;
  let collectionId: number;
  let labels: number[];
  const vecs = vectors(300, DIM);

  /** Opens the indexes as at start-up and waits for any background rebuild. */
  const open = async () => {
    const sut = new VectorIndexService(
      settings,
      collections,
      documents,
      new StorageMonitor(settings),
    );
    sut.onApplicationBootstrap();
    await sut.whenReady(collectionId);
    return sut;
  };

  beforeAll(async () => {
    settings = loadSettings({ STORAGE_DIR: tempDir(), HNSW_INITIAL_CAPACITY: '16' });
    db = new DatabaseService(settings);
    collections = new CollectionsRepository(db);
    documents = new DocumentsRepository(db);
    collectionId = collections.insert({
      name: 'v',
      embeddingModel: 'm',
      embeddingDtype: 'fp32',
      chunkSize: 64,
      chunkOverlap: 0,
      metadata: '{}',
    }).id;
    collections.pinDimension(collectionId, DIM);
    const sut = await open();
    labels = [];
    for (let d = 0; d < 30; d++) {
      const chunks = Array.from({ length: 10 }, (_, i) => ({
        ordinal: i,
        text: `doc ${d} chunk ${i}`,
        start: 0,
        end: 1,
        tokenCount: 3,
        tokenCounter: 'test',
      }));
      const { chunkIds } = db.transaction(() =>
        documents.insert(
          {
            collectionId,
            id: `d${d}`,
            title: null,
            source: null,
            contentType: 'text/plain',
            contentHash: `h${d}`,
            metadata: '{}',
            text: 'x',
          },
          chunks,
        ),
      );
      const items = chunkIds.map((id, i) => ({ chunkId: id, vector: vecs[d * 10 + i]! }));
      const written = db.transaction(() => documents.storeVectors('m', DIM, items));
      sut.add(
        collectionId,
        DIM,
        written.map((w, i) => ({ label: w.chunkId, seq: w.seq, vector: items[i]!.vector })),
      );
      labels.push(...chunkIds);
    }
    expect(sut.size(collectionId)).toBe(300);
    await sut.onApplicationShutdown(); // writes the snapshot
  });

  afterAll(() => db.onApplicationShutdown());

  const indexFile = () => path.join(settings.storageDir, 'indexes', `${collectionId}.hnsw`);

  /** Stores a one-chunk document and its vector in SQLite (not in any index). */
  const storeOneChunk = (id: string, seed: number) => {
    const { chunkIds } = db.transaction(() =>
      documents.insert(
        {
          collectionId,
          id,
          title: null,
          source: null,
          contentType: 'text/plain',
          contentHash: id,
          metadata: '{}',
          text: 'x',
        },
        [{ ordinal: 0, text: id, start: 0, end: 1, tokenCount: 1, tokenCounter: 'test' }],
      ),
    );
    const vector = vectors(1, DIM, seed)[0]!;
    const [written] = db.transaction(() =>
      documents.storeVectors('m', DIM, [{ chunkId: chunkIds[0]!, vector }]),
    );
    return { label: written!.chunkId, seq: written!.seq, vector };
  };

  it('grows capacity geometrically and finds every stored vector as its own nearest neighbour', async () => {
    const sut = await open();
    expect(sut.size(collectionId)).toBe(300);
    for (let i = 0; i < 300; i += 37) {
      expect(sut.search(collectionId, vecs[i]!, 1)[0]!.label).toBe(labels[i]);
    }
  });

  it('returns k results through the HNSW filter when it lets 1% of the vectors through', async () => {
    const sut = await open();
    const allowed = new Set(labels.filter((_, i) => i % 100 === 42)); // 3 of 300
    const found = sut.search(collectionId, vecs[0]!, 3, (l) => allowed.has(l));
    expect(new Set(found.map((n) => n.label))).toEqual(allowed);
  });

  it('replays vectors written after the snapshot and re-applies deletions made after it', async () => {
    const first = await open();
    await first.onApplicationShutdown();
    // After the snapshot: delete a document and add one, without writing a new snapshot.
    const gone = db.transaction(() => documents.delete(documents.find(collectionId, 'd0')!.pk));
    const { label: lateLabel, vector: late } = storeOneChunk('late', 99);

    const sut = await open(); // snapshot + replay, no snapshot written in between
    expect(sut.size(collectionId)).toBe(300 - 10 + 1);
    expect(sut.search(collectionId, late, 1)[0]!.label).toBe(lateLabel);
    const found = sut.search(collectionId, vecs[0]!, 5).map((n) => n.label);
    for (const g of gone) expect(found).not.toContain(g);
  });

  it('writes snapshots off the main thread, holding changes until the write ends', async () => {
    const sut = await open();
    const before = sut.size(collectionId);
    const during = storeOneChunk('during', 1234);
    sut.remove(collectionId, [labels[100]!]); // dirty the index
    const writing = sut.snapshotAllInBackground();
    sut.add(collectionId, DIM, [during]); // deferred
    expect(sut.size(collectionId)).toBe(before - 1);
    await writing;
    expect(sut.size(collectionId)).toBe(before);
    expect(sut.search(collectionId, during.vector, 1)[0]!.label).toBe(during.label);
    // The snapshot holds the state before the deferred add; the add is replayed from SQLite on open.
    db.transaction(() => documents.delete(documents.find(collectionId, 'd10')!.pk)); // d10 holds labels[100..109]
    const reopened = await open();
    expect(reopened.search(collectionId, during.vector, 1)[0]!.label).toBe(during.label);
    expect(reopened.size(collectionId)).toBe(documents.vectorStats(collectionId).count);
  });

  it('detects a truncated or altered snapshot and rebuilds from the stored vectors', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    for (const damage of [
      (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)),
      (f: string) => {
        const b = fs.readFileSync(f);
        b[b.length - 100] = b[b.length - 100]! ^ 0xff;
        fs.writeFileSync(f, b);
      },
    ]) {
      await (await open()).onApplicationShutdown();
      damage(indexFile());
      const sut = await open();
      expect(
        warn.mock.calls.some((c) =>
          /rebuilding from \d+ stored vectors in the background \(snapshot checksum mismatch\)/.test(
            String(c[0]),
          ),
        ),
      ).toBe(true);
      const stored = documents.vectorStats(collectionId).count;
      expect(sut.size(collectionId)).toBe(stored);
      expect(sut.search(collectionId, vecs[55]!, 1)[0]!.label).toBe(labels[55]);
      warn.mockClear();
    }
    warn.mockRestore();
  });

  it('rebuilds in the background, a batch per turn of the event loop, reporting progress', async () => {
    await (await open()).onApplicationShutdown();
    fs.rmSync(indexFile());
    const sut = new VectorIndexService(
      settings,
      collections,
      documents,
      new StorageMonitor(settings),
    );
    sut.onApplicationBootstrap();
    const total = documents.vectorStats(collectionId).count;
    expect(sut.state(collectionId)).toMatchObject({ state: 'building', total });
    await sut.whenReady(collectionId);
    expect(sut.state(collectionId)).toEqual({ state: 'ready', size: total });
  });

  it('verifies as consistent after a snapshot, replayed adds and re-applied deletions, with the freed slots counted', async () => {
    const first = await open();
    await first.onApplicationShutdown();
    const gone = db.transaction(() => documents.delete(documents.find(collectionId, 'd20')!.pk));
    const sut = await open();
    const stored = documents.vectorStats(collectionId).count;
    const report = await sut.verify(collectionId);
    expect(report).toMatchObject({
      state: 'ready',
      size: stored,
      storedVectors: stored,
      deletedSlots: gone.length,
      consistent: true,
    });
    expect(report.elements).toBe(stored + gone.length);
    expect(report.capacity).toBeGreaterThanOrEqual(report.elements);
    expect(report.missing).toEqual({ count: 0, first: [] });
    expect(report.extra).toEqual({ count: 0, first: [] });
  });

  it('reports a stored vector the index lost and a label it holds without a stored vector', async () => {
    const sut = await open();
    const lost = documents.vectorIds(collectionId)[7]!;
    sut.remove(collectionId, [lost]);
    sut.add(collectionId, DIM, [{ label: 999_999, seq: 0, vector: vecs[0]! }]);
    const report = await sut.verify(collectionId);
    expect(report.missing).toEqual({ count: 1, first: [lost] });
    expect(report.extra).toEqual({ count: 1, first: [999_999] });
    expect(report.consistent).toBe(false);
  });

  it('waits for a snapshot being written before it verifies, so held-back changes do not show as missing', async () => {
    const sut = await open();
    const held = storeOneChunk('verify-during', 4321);
    sut.remove(
      collectionId,
      db.transaction(() => documents.delete(documents.find(collectionId, 'd21')!.pk)),
    ); // dirty: a snapshot is due
    const writing = sut.snapshotAllInBackground();
    sut.add(collectionId, DIM, [held]); // held back by the write
    const report = await sut.verify(collectionId);
    await writing;
    expect(report).toMatchObject({ missing: { count: 0 }, extra: { count: 0 }, consistent: true });
    expect(report.size).toBe(documents.vectorStats(collectionId).count);
  });

  it('reports building with progress, and missing vectors, until a rebuild ends', async () => {
    await (await open()).onApplicationShutdown();
    fs.rmSync(indexFile());
    const sut = new VectorIndexService(
      settings,
      collections,
      documents,
      new StorageMonitor(settings),
    );
    sut.onApplicationBootstrap();
    const stored = documents.vectorStats(collectionId).count;
    const during = await sut.verify(collectionId);
    expect(during).toMatchObject({ state: 'building', total: stored, consistent: false });
    expect(during.missing.count).toBe(stored - during.size);
    await sut.whenReady(collectionId);
    expect(await sut.verify(collectionId)).toMatchObject({
      state: 'ready',
      size: stored,
      missing: { count: 0 },
      consistent: true,
    });
  });

  it('rebuilds when the snapshot is missing', async () => {
    await (await open()).onApplicationShutdown();
    fs.rmSync(indexFile());
    const sut = await open();
    expect(sut.size(collectionId)).toBe(documents.vectorStats(collectionId).count);
  });
});

describe('VectorIndexService after a switch to another embedding model (integration)', () => {
  const DIM = 16;

  it("never serves a snapshot of the previous model's vectors, even of the same width", async () => {
    const settings = loadSettings({ STORAGE_DIR: tempDir(), HNSW_INITIAL_CAPACITY: '16' });
    const db = new DatabaseService(settings);
    const collections = new CollectionsRepository(db);
    const documents = new DocumentsRepository(db);
    const reembeds = new ReembedRepository(db);
    const collectionId = collections.insert({
      name: 'g',
      embeddingModel: 'old',
      embeddingDtype: 'fp32',
      chunkSize: 64,
      chunkOverlap: 0,
      metadata: '{}',
    }).id;
    collections.pinDimension(collectionId, DIM);
    const chunks = Array.from({ length: 40 }, (_, i) => ({
      ordinal: i,
      text: `chunk ${i}`,
      start: 0,
      end: 1,
      tokenCount: 2,
      tokenCounter: 'test',
    }));
    const { chunkIds } = db.transaction(() =>
      documents.insert(
        {
          collectionId,
          id: 'd',
          title: null,
          source: null,
          contentType: 'text/plain',
          contentHash: 'h',
          metadata: '{}',
          text: 'x',
        },
        chunks,
      ),
    );
    const oldVecs = vectors(40, DIM, 1);
    const newVecs = vectors(40, DIM, 2);
    db.transaction(() =>
      documents.storeVectors(
        'old',
        DIM,
        chunkIds.map((id, i) => ({ chunkId: id, vector: oldVecs[i]! })),
      ),
    );
    const first = new VectorIndexService(
      settings,
      collections,
      documents,
      new StorageMonitor(settings),
    );
    first.onApplicationBootstrap();
    await first.onApplicationShutdown(); // a snapshot of the old vectors

    // The switch commits; the process dies before the new index's snapshot is written.
    const job = db.transaction(() => reembeds.insert(collectionId, 'new', 'fp32'));
    db.transaction(() =>
      reembeds.write(
        job,
        DIM,
        chunkIds.map((id, i) => ({ chunkId: id, vector: newVecs[i]! })),
      ),
    );
    expect(db.transaction(() => reembeds.switchOver(job, DIM))).toHaveLength(40);
    expect(collections.findById(collectionId)).toMatchObject({
      embedding_model: 'new',
      vector_generation: 1,
    });

    const sut = new VectorIndexService(
      settings,
      collections,
      documents,
      new StorageMonitor(settings),
    );
    sut.onApplicationBootstrap();
    expect(sut.state(collectionId).state).toBe('building');
    await sut.whenReady(collectionId);
    for (let i = 0; i < 40; i += 7) {
      const [hit] = sut.search(collectionId, newVecs[i]!, 1);
      expect(hit!.label).toBe(chunkIds[i]);
      expect(hit!.similarity).toBeGreaterThan(0.999);
    }
    await sut.onApplicationShutdown();
    const meta = JSON.parse(
      fs.readFileSync(
        path.join(settings.storageDir, 'indexes', `${collectionId}.meta.json`),
        'utf8',
      ),
    );
    expect(meta.generation).toBe(1);
    db.onApplicationShutdown();
  });
});
