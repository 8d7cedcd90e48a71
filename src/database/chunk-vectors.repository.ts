import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

/** The collection's vectors in service: those of its current generation (a re-embed writes the next beside them). */
const CURRENT =
  '(SELECT vector_generation FROM collections WHERE id = chunk_vectors.collection_id)';

/** A stored vector as the vector store's recovery reads it. */
export interface StoredVectorRow {
  seq: number;
  chunk_id: number;
  vector: Buffer;
}

/**
 * SQL in, rows out: the chunk vectors of the generation in service (a re-embedding's staged
 * generation is ReembedRepository's). The source of truth the vector store is derived from.
 */
@Injectable()
export class ChunkVectorsRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Stores vectors (of the collection's current generation) for chunks that still exist and marks
   * them embedded. Call inside a transaction. Returns the (chunkId, seq) pairs actually written (a
   * chunk deleted meanwhile is skipped).
   */
  storeVectors(
    model: string,
    dim: number,
    items: readonly { chunkId: number; vector: Float32Array }[],
  ) {
    const insert = this.db.prepare(
      `INSERT INTO chunk_vectors (chunk_id, collection_id, generation, model, dim, vector)
       SELECT c.id, c.collection_id, k.vector_generation, ?, ?, ? FROM chunks c JOIN collections k ON k.id = c.collection_id
       WHERE c.id = ? AND c.embedded = 0 RETURNING seq, chunk_id`,
    );
    const mark = this.db.prepare('UPDATE chunks SET embedded = 1 WHERE id = ?');
    const written: { chunkId: number; seq: number }[] = [];
    for (const it of items) {
      const buf = Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength);
      const row = insert.get(model, dim, buf, it.chunkId) as
        { seq: number; chunk_id: number } | undefined;
      if (row) {
        mark.run(it.chunkId);
        written.push({ chunkId: row.chunk_id, seq: row.seq });
      }
    }
    return written;
  }

  /** Every stored vector of a collection after a sequence number, in write order. */
  *vectorsAfter(collectionId: number, afterSeq: number): IterableIterator<StoredVectorRow> {
    const stmt = this.db.prepare(
      `SELECT seq, chunk_id, vector FROM chunk_vectors WHERE collection_id = ? AND generation = ${CURRENT} AND seq > ? ORDER BY seq`,
    );
    for (const row of stmt.iterate(collectionId, afterSeq)) {
      yield row as StoredVectorRow;
    }
  }

  /** Up to `limit` stored vectors of a collection after a sequence number, in write order. */
  vectorBatch(collectionId: number, afterSeq: number, limit: number): StoredVectorRow[] {
    return this.db
      .prepare(
        `SELECT seq, chunk_id, vector FROM chunk_vectors WHERE collection_id = ? AND generation = ${CURRENT} AND seq > ? ORDER BY seq LIMIT ?`,
      )
      .all(collectionId, afterSeq, limit) as StoredVectorRow[];
  }

  vectorIds(collectionId: number): number[] {
    return (
      this.db
        .prepare(
          `SELECT chunk_id FROM chunk_vectors WHERE collection_id = ? AND generation = ${CURRENT}`,
        )
        .all(collectionId) as { chunk_id: number }[]
    ).map((r) => r.chunk_id);
  }

  vectorStats(collectionId: number): { count: number; maxSeq: number } {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS count, COALESCE(MAX(seq), 0) AS maxSeq FROM chunk_vectors WHERE collection_id = ? AND generation = ${CURRENT}`,
      )
      .get(collectionId) as { count: number; maxSeq: number };
  }

  /** Stored vectors of the given chunks. */
  vectorsOf(chunkIds: readonly number[]): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    if (chunkIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT chunk_id, vector FROM chunk_vectors WHERE chunk_id IN (SELECT value FROM json_each(?)) AND generation = ${CURRENT}`,
      )
      .all(JSON.stringify(chunkIds)) as { chunk_id: number; vector: Buffer }[];
    for (const r of rows)
      out.set(
        r.chunk_id,
        new Float32Array(
          r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength),
        ),
      );
    return out;
  }
}
