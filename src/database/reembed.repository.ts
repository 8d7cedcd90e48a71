import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export type ReembedState = 'running' | 'done' | 'failed' | 'cancelled';

export interface ReembedRow {
  id: number;
  collection_id: number;
  /** The vector generation the job writes: above the collection's and every earlier job's. */
  generation: number;
  model: string;
  dtype: string;
  from_model: string;
  from_dtype: string;
  state: ReembedState;
  error: string | null;
  dim: number | null;
  created_at: string;
  finished_at: string | null;
}

/**
 * SQL in, rows out: re-embed jobs and the vectors they write. A job's vectors are chunk_vectors
 * rows of the next generation, beside the ones in service, so the switch is one number changing.
 */
@Injectable()
export class ReembedRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Call inside a transaction; the partial unique index refuses a second running job. A new job's
   * generation is one no earlier job used, so what an abandoned job left is never taken for its own.
   */
  insert(collectionId: number, model: string, dtype: string): ReembedRow {
    return this.db
      .prepare(
        `INSERT INTO reembeds (collection_id, generation, model, dtype, from_model, from_dtype, state, created_at)
         SELECT k.id, MAX(k.vector_generation, COALESCE((SELECT MAX(generation) FROM reembeds r WHERE r.collection_id = k.id), 0)) + 1,
                ?, ?, k.embedding_model, k.embedding_dtype, 'running', ?
         FROM collections k WHERE k.id = ?
         RETURNING *`,
      )
      .get(model, dtype, new Date().toISOString(), collectionId) as ReembedRow;
  }

  find(id: number): ReembedRow | undefined {
    return this.db.prepare('SELECT * FROM reembeds WHERE id = ?').get(id) as ReembedRow | undefined;
  }

  latest(collectionId: number): ReembedRow | undefined {
    return this.db
      .prepare('SELECT * FROM reembeds WHERE collection_id = ? ORDER BY id DESC LIMIT 1')
      .get(collectionId) as ReembedRow | undefined;
  }

  running(): ReembedRow[] {
    return this.db
      .prepare("SELECT * FROM reembeds WHERE state = 'running' ORDER BY id")
      .all() as ReembedRow[];
  }

  /**
   * Ends a running job that did not switch; the vectors it wrote are left to `purgeStale`. Returns
   * false if it was not running.
   */
  abandon(job: ReembedRow, state: 'failed' | 'cancelled', error: string): boolean {
    return (
      this.db
        .prepare(
          "UPDATE reembeds SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running'",
        )
        .run(state, error, new Date().toISOString(), job.id).changes > 0
    );
  }

  setDim(id: number, dim: number): void {
    this.db.prepare('UPDATE reembeds SET dim = ? WHERE id = ? AND dim IS NULL').run(dim, id);
  }

  /** Ids and token counts of the collection's chunks without a vector of the job's generation. */
  unwritten(job: ReembedRow): { id: number; token_count: number }[] {
    return this.db
      .prepare(
        `SELECT c.id, c.token_count FROM chunks c
         WHERE c.collection_id = ? AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = c.id AND v.generation = ?)`,
      )
      .all(job.collection_id, job.generation) as { id: number; token_count: number }[];
  }

  /** Texts of chunks that still exist. */
  texts(chunkIds: readonly number[]): { id: number; text: string }[] {
    return this.db
      .prepare('SELECT id, text FROM chunks WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(chunkIds)) as { id: number; text: string }[];
  }

  /** Writes the job's vectors for chunks that still exist. Call inside a transaction. Returns the chunk ids written. */
  write(
    job: ReembedRow,
    dim: number,
    items: readonly { chunkId: number; vector: Float32Array }[],
  ): number[] {
    const insert = this.db.prepare(
      `INSERT INTO chunk_vectors (chunk_id, collection_id, generation, model, dim, vector)
       SELECT id, collection_id, ?, ?, ?, ? FROM chunks WHERE id = ?
       ON CONFLICT (chunk_id, generation) DO UPDATE SET vector = excluded.vector, dim = excluded.dim
       RETURNING chunk_id`,
    );
    const written: number[] = [];
    for (const it of items) {
      const buf = Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength);
      const row = insert.get(job.generation, job.model, dim, buf, it.chunkId) as
        { chunk_id: number } | undefined;
      if (row) written.push(row.chunk_id);
    }
    return written;
  }

  writtenCount(job: ReembedRow): number {
    return (
      this.db
        .prepare(
          'SELECT COUNT(*) AS n FROM chunk_vectors WHERE collection_id = ? AND generation = ?',
        )
        .get(job.collection_id, job.generation) as {
        n: number;
      }
    ).n;
  }

  /** Up to `limit` of the job's vectors after a seq, in seq order. */
  writtenBatch(
    job: ReembedRow,
    afterSeq: number,
    limit: number,
  ): { seq: number; chunk_id: number; vector: Buffer }[] {
    return this.db
      .prepare(
        'SELECT seq, chunk_id, vector FROM chunk_vectors WHERE collection_id = ? AND generation = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .all(job.collection_id, job.generation, afterSeq, limit) as {
      seq: number;
      chunk_id: number;
      vector: Buffer;
    }[];
  }

  /**
   * Puts the job's generation of vectors and its model in service (call inside a transaction).
   * Returns undefined (and changes nothing) while a chunk still lacks a vector of that generation;
   * else the vectors now in service as (chunk id, seq) pairs. The previous generation's rows stay
   * until `purgeStale` deletes them.
   */
  switchOver(job: ReembedRow, dim: number | null): { chunkId: number; seq: number }[] | undefined {
    if (this.unwrittenCount(job) > 0) return undefined;
    this.db
      .prepare('UPDATE chunks SET embedded = 1 WHERE collection_id = ? AND embedded = 0')
      .run(job.collection_id);
    this.db
      .prepare(
        `UPDATE collections SET embedding_model = ?, embedding_dtype = ?, embedding_dim = ?, vector_generation = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(job.model, job.dtype, dim, job.generation, new Date().toISOString(), job.collection_id);
    this.db
      .prepare("UPDATE reembeds SET state = 'done', finished_at = ? WHERE id = ?")
      .run(new Date().toISOString(), job.id);
    return (
      this.db
        .prepare(
          'SELECT chunk_id, seq FROM chunk_vectors WHERE collection_id = ? AND generation = ?',
        )
        .all(job.collection_id, job.generation) as { chunk_id: number; seq: number }[]
    ).map((r) => ({ chunkId: r.chunk_id, seq: r.seq }));
  }

  private unwrittenCount(job: ReembedRow): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM chunks c
           WHERE c.collection_id = ? AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = c.id AND v.generation = ?)`,
        )
        .get(job.collection_id, job.generation) as { n: number }
    ).n;
  }

  /** Vectors neither in service nor being written by a running job (replaced, or left by an abandoned job). */
  private static readonly STALE = `v.generation <> (SELECT vector_generation FROM collections k WHERE k.id = v.collection_id)
    AND NOT EXISTS (SELECT 1 FROM reembeds r WHERE r.collection_id = v.collection_id AND r.generation = v.generation AND r.state = 'running')`;

  /** Collections holding stale vectors. */
  collectionsWithStaleVectors(): number[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT v.collection_id AS id FROM chunk_vectors v WHERE ${ReembedRepository.STALE}`,
        )
        .all() as { id: number }[]
    ).map((r) => r.id);
  }

  /** Deletes up to `limit` stale vectors of a collection; returns how many. */
  purgeStale(collectionId: number, limit: number): number {
    return this.db
      .prepare(
        `DELETE FROM chunk_vectors WHERE seq IN (SELECT v.seq FROM chunk_vectors v WHERE v.collection_id = ? AND ${ReembedRepository.STALE} LIMIT ?)`,
      )
      .run(collectionId, limit).changes;
  }
}
