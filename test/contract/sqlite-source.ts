import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Settings, loadSettings } from '../../src/config/settings';
import { ChunkVectorsRepository } from '../../src/database/chunk-vectors.repository';
import { CollectionsRepository } from '../../src/database/collections.repository';
import { DatabaseService } from '../../src/database/database.service';
import { DocumentsRepository } from '../../src/database/documents.repository';
import { ReembedRepository } from '../../src/database/reembed.repository';
import type { VectorItem } from '../../src/vector-store/vector-store';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ragd-contract-'));
}

/**
 * The source of truth a store is checked against: a real SQLite database in a temp directory,
 * written through the server's own repositories, as ingestion and re-embedding write it.
 */
export class SqliteSource {
  readonly settings: Settings;
  readonly db: DatabaseService;
  readonly collections: CollectionsRepository;
  readonly documents: DocumentsRepository;
  readonly vectors: ChunkVectorsRepository;
  private readonly reembeds: ReembedRepository;
  private n = 0;

  constructor() {
    this.settings = loadSettings({ STORAGE_DIR: tempDir(), HNSW_INITIAL_CAPACITY: '16' });
    this.db = new DatabaseService(this.settings);
    this.collections = new CollectionsRepository(this.db);
    this.documents = new DocumentsRepository(this.db);
    this.vectors = new ChunkVectorsRepository(this.db);
    this.reembeds = new ReembedRepository(this.db);
  }

  /** A new collection whose vectors are `dim` wide. */
  collection(dim: number): number {
    const id = this.collections.insert({
      name: `c${++this.n}`,
      embeddingModel: 'm',
      embeddingDtype: 'fp32',
      chunkSize: 64,
      chunkOverlap: 0,
      metadata: '{}',
    }).id;
    this.collections.pinDimension(id, dim);
    return id;
  }

  /** Stores each vector as the one chunk of a document with the given metadata; the items to add. */
  store(
    collection: number,
    vectors: readonly { vector: Float32Array; metadata?: Record<string, unknown> }[],
  ): VectorItem[] {
    return this.db.transaction(() =>
      vectors.map((v) => {
        const name = `d${++this.n}`;
        const metadata = v.metadata ?? {};
        const { chunkIds } = this.documents.insert(
          {
            collectionId: collection,
            id: name,
            title: null,
            source: null,
            contentType: 'text/plain',
            contentHash: name,
            metadata: JSON.stringify(metadata),
            text: name,
          },
          [{ ordinal: 0, text: name, start: 0, end: 1, tokenCount: 1, tokenCounter: 'test' }],
        );
        const [w] = this.vectors.storeVectors('m', v.vector.length, [
          { chunkId: chunkIds[0]!, vector: v.vector },
        ]);
        return { id: w!.chunkId, seq: w!.seq, vector: v.vector, metadata };
      }),
    );
  }

  /** Deletes the documents of these chunks (their vectors go with them). */
  unstore(collection: number, ids: readonly number[]): void {
    const pks = this.db.db
      .prepare(
        'SELECT DISTINCT document_pk AS pk FROM chunks WHERE id IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(ids)) as { pk: number }[];
    this.db.transaction(() => {
      for (const { pk } of pks) this.documents.delete(pk);
    });
    void collection;
  }

  /**
   * A re-embedding of the whole collection with vectors `next(id)` of width `dim`, switched over:
   * what the store's promote is given.
   */
  reembed(
    collection: number,
    dim: number,
    next: (id: number) => Float32Array,
  ): { generation: number; written: { id: number; seq: number }[] } {
    const job = this.db.transaction(() => this.reembeds.insert(collection, 'm2', 'fp32'));
    const ids = this.vectors.vectorIds(collection);
    this.db.transaction(() =>
      this.reembeds.write(
        job,
        dim,
        ids.map((id) => ({ chunkId: id, vector: next(id) })),
      ),
    );
    const written = this.db.transaction(() => this.reembeds.switchOver(job, dim))!;
    return {
      generation: this.collections.findById(collection)!.vector_generation,
      written: written.map((w) => ({ id: w.chunkId, seq: w.seq })),
    };
  }

  close(): void {
    this.db.onApplicationShutdown();
  }
}
