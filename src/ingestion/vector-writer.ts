import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { ChunkVectorsRepository } from '../database/chunk-vectors.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository } from '../database/documents.repository';
import { EmbeddingEngine } from '../engines/embedding-engine';
import type { ModelRef } from '../engines/model-status';
import { ReembedRepository, ReembedRow } from '../database/reembed.repository';
import { VectorItem, VectorStore } from '../vector-store/vector-store';

/** Vectors just written to SQLite in a transaction, to add to the vector store once it commits. */
export interface WrittenVectors {
  collectionId: number;
  /** Into the staged generation of a re-embedding, else into the one in service. */
  staged: boolean;
  dim: number;
  items: VectorItem[];
}

export interface NewVector {
  chunkId: number;
  vector: Float32Array;
}

/**
 * "Embed, store the vectors, add them to the store", for every caller (the embedding queue, document
 * replacement, re-embedding): passages are embedded here, vectors are stored in SQLite first (inside
 * the caller's transaction) and added to the vector store right after the commit, on the same turn
 * of the event loop, with their documents' metadata.
 */
@Injectable()
export class VectorWriter {
  private readonly batchSize: number;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    private readonly database: DatabaseService,
    private readonly embedder: EmbeddingEngine,
    private readonly documents: DocumentsRepository,
    private readonly stored: ChunkVectorsRepository,
    private readonly reembeds: ReembedRepository,
    private readonly vectors: VectorStore,
  ) {
    this.batchSize = settings.embedding.batchSize;
  }

  /**
   * Passage vectors of `texts`, in batches of EMBED_BATCH_SIZE; dim 0 when there are none. Internal
   * work: never refused by the client queue limit (EMBED_QUEUE_LIMIT).
   */
  async embed(
    model: ModelRef,
    texts: readonly string[],
  ): Promise<{ vectors: Float32Array[]; dim: number }> {
    const vectors: Float32Array[] = [];
    let dim = 0;
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const out = await this.embedder.embedPassages(model, texts.slice(i, i + this.batchSize), {
        internal: true,
      });
      vectors.push(...out.vectors);
      dim = out.dim;
    }
    return { vectors, dim };
  }

  /**
   * Stores vectors of the collection's generation in service for chunks that still exist (a chunk
   * deleted meanwhile is skipped) and marks them embedded. Call inside a transaction; then `index`.
   */
  store(
    collectionId: number,
    model: string,
    dim: number,
    items: readonly NewVector[],
  ): WrittenVectors {
    const written = this.stored.storeVectors(model, dim, items);
    return this.written(collectionId, false, dim, items, written);
  }

  /** Stores a re-embedding job's vectors in its staged generation. Call inside a transaction; then `index`. */
  stage(job: ReembedRow, dim: number, items: readonly NewVector[]): WrittenVectors {
    const written = this.reembeds.write(job, dim, items).map((chunkId) => ({ chunkId, seq: 0 }));
    return this.written(job.collection_id, true, dim, items, written);
  }

  /** Adds what `store` or `stage` wrote to the vector store: call right after the commit. */
  index(w: WrittenVectors): void {
    if (!w.staged) {
      this.vectors.add(w.collectionId, w.items);
      return;
    }
    if (w.items.length === 0) return;
    this.vectors.beginStaged(w.collectionId, w.dim);
    this.vectors.addStaged(w.collectionId, w.items);
  }

  /** `store` in a transaction of its own, then `index`. Returns how many vectors were written. */
  write(collectionId: number, model: string, dim: number, items: readonly NewVector[]): number {
    const written = this.database.transaction(() => this.store(collectionId, model, dim, items));
    this.index(written);
    return written.items.length;
  }

  /** Staged vectors stored before a restart, back into the staged generation of the vector store. */
  restage(
    collectionId: number,
    dim: number,
    rows: readonly { chunk_id: number; vector: Buffer }[],
  ) {
    const items = rows.map((r) => ({
      chunkId: r.chunk_id,
      vector: new Float32Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength / 4),
    }));
    const written = items.map((it) => ({ chunkId: it.chunkId, seq: 0 }));
    this.index(this.written(collectionId, true, dim, items, written));
  }

  private written(
    collectionId: number,
    staged: boolean,
    dim: number,
    items: readonly NewVector[],
    written: readonly { chunkId: number; seq: number }[],
  ): WrittenVectors {
    const vectorOf = new Map(items.map((it) => [it.chunkId, it.vector]));
    const metadata = this.documents.metadataOf(written.map((w) => w.chunkId));
    const parsed = new Map<string, Readonly<Record<string, unknown>>>();
    const metadataOf = (json: string | undefined) => {
      if (json === undefined) return {};
      let m = parsed.get(json);
      if (!m) parsed.set(json, (m = JSON.parse(json) as Record<string, unknown>));
      return m;
    };
    return {
      collectionId,
      staged,
      dim,
      items: written.map((w) => ({
        id: w.chunkId,
        seq: w.seq,
        vector: vectorOf.get(w.chunkId)!,
        metadata: metadataOf(metadata.get(w.chunkId)),
      })),
    };
  }
}
