import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSettings } from '../config/settings';
import { ChunkVectorsRepository } from '../database/chunk-vectors.repository';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository } from '../database/documents.repository';
import { ReembedRepository } from '../database/reembed.repository';
import type { EmbedOptions, Embeddings } from '../engines/embedding-engine';
import { InMemoryEmbeddingEngine } from '../engines/adapters/in-memory/in-memory-embedding-engine';
import type { ModelRef } from '../engines/model-status';
import { InMemoryVectorStore } from '../vector-store/adapters/in-memory/in-memory-vector-store';
import { VectorWriter } from './vector-writer';

/** The in-memory engine, recording how it was called. */
class RecordingEmbeddingEngine extends InMemoryEmbeddingEngine {
  readonly calls: { texts: number; options?: EmbedOptions }[] = [];

  override embedPassages(
    model: ModelRef,
    texts: string[],
    options?: EmbedOptions,
  ): Promise<Embeddings> {
    this.calls.push({ texts: texts.length, options });
    return super.embedPassages(model, texts);
  }
}

/** VectorWriter on real SQLite, the in-memory embedding engine and the in-memory vector store. */
describe('VectorWriter', () => {
  const settings = loadSettings({
    STORAGE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ragd-writer-')),
    EMBED_BATCH_SIZE: '2',
  });
  const embedder = new RecordingEmbeddingEngine(['m'], 8);
  const db = new DatabaseService(settings);
  const collections = new CollectionsRepository(db);
  const documents = new DocumentsRepository(db);
  const chunkVectors = new ChunkVectorsRepository(db);
  const reembeds = new ReembedRepository(db);
  const store = new InMemoryVectorStore();
  const sut = new VectorWriter(settings, db, embedder, documents, chunkVectors, reembeds, store);
  const collection = collections.insert({
    name: 'w',
    embeddingModel: 'm',
    embeddingDtype: 'fp32',
    chunkSize: 64,
    chunkOverlap: 0,
    metadata: '{}',
  }).id;
  const chunks = db.transaction(
    () =>
      documents.insert(
        {
          collectionId: collection,
          id: 'doc',
          title: null,
          source: null,
          contentType: 'text/plain',
          contentHash: 'h',
          metadata: JSON.stringify({ lang: 'de' }),
          text: 'x',
        },
        [0, 1, 2].map((i) => ({
          ordinal: i,
          text: `c${i}`,
          start: 0,
          end: 1,
          tokenCount: 1,
          tokenCounter: 'test',
        })),
      ).chunkIds,
  );
  const v = (x: number, y: number) => Float32Array.from([x, y]);

  afterAll(() => db.onApplicationShutdown());

  it('embeds passages in batches of EMBED_BATCH_SIZE as internal work (never refused by the client queue limit)', async () => {
    const out = await sut.embed({ id: 'm', dtype: 'fp32' }, ['a b', 'b c', 'c d', 'd e', 'e f']);
    expect(out.dim).toBe(8);
    expect(out.vectors).toHaveLength(5);
    expect(embedder.calls).toEqual([
      { texts: 2, options: { internal: true } },
      { texts: 2, options: { internal: true } },
      { texts: 1, options: { internal: true } },
    ]);
    expect(await sut.embed({ id: 'm', dtype: 'fp32' }, [])).toEqual({ vectors: [], dim: 0 });
  });

  it('stores vectors in SQLite, then adds them to the store with their seq and metadata', async () => {
    const written = sut.write(collection, 'm', 2, [
      { chunkId: chunks[0]!, vector: v(1, 0) },
      { chunkId: chunks[1]!, vector: v(0, 1) },
      { chunkId: 999_999, vector: v(1, 1) }, // no such chunk: skipped
    ]);
    expect(written).toBe(2);
    expect(chunkVectors.vectorIds(collection).sort()).toEqual([chunks[0], chunks[1]].sort());
    const found = await store.search(collection, v(1, 0.1), 5, { metadata: { lang: 'de' } });
    expect(found.map((f) => f.id)).toEqual([chunks[0], chunks[1]]);
    expect(await store.verify(collection, () => chunkVectors.vectorIds(collection))).toMatchObject({
      consistent: true,
      size: 2,
    });
  });

  it('adds nothing to the store until the caller indexes what it stored after the commit', async () => {
    const pending = db.transaction(() =>
      sut.store(collection, 'm', 2, [{ chunkId: chunks[2]!, vector: v(-1, 0) }]),
    );
    expect(store.size(collection)).toBe(2);
    sut.index(pending);
    expect(store.size(collection)).toBe(3);
    expect((await store.search(collection, v(-1, 0), 1))[0]!.id).toBe(chunks[2]);
  });

  it("stages a re-embedding job's vectors in the staged generation, not in service", () => {
    const job = db.transaction(() => reembeds.insert(collection, 'm2', 'fp32'));
    const staged = db.transaction(() =>
      sut.stage(
        job,
        3,
        chunks.map((chunkId) => ({ chunkId, vector: Float32Array.from([1, 2, 3]) })),
      ),
    );
    sut.index(staged);
    expect(store.stagedSize(collection)).toBe(3);
    expect(store.size(collection)).toBe(3);
    expect(chunkVectors.vectorIds(collection)).toHaveLength(3); // the generation in service
  });
});
