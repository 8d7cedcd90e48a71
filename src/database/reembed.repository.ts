import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export type ReembedState = 'running' | 'done' | 'failed' | 'cancelled';

export interface ReembedRow {
  id: number;
  collection_id: number;
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

/** SQL in, rows out: re-embed jobs and the vectors they stage. */
@Injectable()
export class ReembedRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Call inside a transaction; the partial unique index refuses a second running job. */
  insert(collectionId: number, model: string, dtype: string, fromModel: string, fromDtype: string): ReembedRow {
    return this.db
      .prepare(
        `INSERT INTO reembeds (collection_id, model, dtype, from_model, from_dtype, state, created_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?) RETURNING *`,
      )
      .get(collectionId, model, dtype, fromModel, fromDtype, new Date().toISOString()) as ReembedRow;
  }

  find(id: number): ReembedRow | undefined {
    return this.db.prepare('SELECT * FROM reembeds WHERE id = ?').get(id) as ReembedRow | undefined;
  }

  latest(collectionId: number): ReembedRow | undefined {
    return this.db.prepare('SELECT * FROM reembeds WHERE collection_id = ? ORDER BY id DESC LIMIT 1').get(collectionId) as
      | ReembedRow
      | undefined;
  }

  running(): ReembedRow[] {
    return this.db.prepare("SELECT * FROM reembeds WHERE state = 'running' ORDER BY id").all() as ReembedRow[];
  }

  /** Ends a running job; its staged vectors go. Returns false if it was not running. */
  finish(id: number, state: Exclude<ReembedState, 'running'>, error?: string): boolean {
    this.db.prepare('DELETE FROM reembed_vectors WHERE reembed_id = ?').run(id);
    const r = this.db
      .prepare("UPDATE reembeds SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running'")
      .run(state, error ?? null, new Date().toISOString(), id);
    return r.changes > 0;
  }

  setDim(id: number, dim: number): void {
    this.db.prepare('UPDATE reembeds SET dim = ? WHERE id = ? AND dim IS NULL').run(dim, id);
  }

  /** Ids and token counts of the collection's chunks without a staged vector. */
  unstaged(collectionId: number): { id: number; token_count: number }[] {
    return this.db
      .prepare(
        `SELECT c.id, c.token_count FROM chunks c
         WHERE c.collection_id = ? AND NOT EXISTS (SELECT 1 FROM reembed_vectors r WHERE r.chunk_id = c.id)`,
      )
      .all(collectionId) as { id: number; token_count: number }[];
  }

  /** Texts of chunks that still exist. */
  texts(chunkIds: readonly number[]): { id: number; text: string }[] {
    return this.db
      .prepare('SELECT id, text FROM chunks WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(chunkIds)) as { id: number; text: string }[];
  }

  /** Stages vectors of chunks that still exist. Call inside a transaction. Returns the chunk ids written. */
  stage(reembedId: number, items: readonly { chunkId: number; vector: Float32Array }[]): number[] {
    const insert = this.db.prepare(
      `INSERT INTO reembed_vectors (chunk_id, reembed_id, vector)
       SELECT id, ?, ? FROM chunks WHERE id = ? ON CONFLICT (chunk_id) DO UPDATE SET vector = excluded.vector, reembed_id = excluded.reembed_id
       RETURNING chunk_id`,
    );
    const written: number[] = [];
    for (const it of items) {
      const buf = Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength);
      const row = insert.get(reembedId, buf, it.chunkId) as { chunk_id: number } | undefined;
      if (row) written.push(row.chunk_id);
    }
    return written;
  }

  stagedCount(reembedId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM reembed_vectors WHERE reembed_id = ?').get(reembedId) as { n: number }).n;
  }

  /** Up to `limit` staged vectors after a chunk id, in chunk id order. */
  stagedBatch(reembedId: number, afterChunkId: number, limit: number): { chunk_id: number; vector: Buffer }[] {
    return this.db
      .prepare('SELECT chunk_id, vector FROM reembed_vectors WHERE reembed_id = ? AND chunk_id > ? ORDER BY chunk_id LIMIT ?')
      .all(reembedId, afterChunkId, limit) as { chunk_id: number; vector: Buffer }[];
  }

  /**
   * Replaces the collection's vectors with the staged ones and the collection's model with the
   * job's, in one transaction (call inside one). Returns undefined (and changes nothing) while a
   * chunk still lacks a staged vector; else the new vectors' (chunk id, seq) pairs.
   */
  switchOver(job: ReembedRow, dim: number | null): { chunkId: number; seq: number }[] | undefined {
    const missing = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM chunks c
         WHERE c.collection_id = ? AND NOT EXISTS (SELECT 1 FROM reembed_vectors r WHERE r.chunk_id = c.id AND r.reembed_id = ?)`,
      )
      .get(job.collection_id, job.id) as { n: number };
    if (missing.n > 0) return undefined;
    this.db.prepare('DELETE FROM chunk_vectors WHERE collection_id = ?').run(job.collection_id);
    const rows = this.db
      .prepare(
        `INSERT INTO chunk_vectors (chunk_id, collection_id, model, dim, vector)
         SELECT chunk_id, ?, ?, ?, vector FROM reembed_vectors WHERE reembed_id = ? ORDER BY chunk_id
         RETURNING seq, chunk_id`,
      )
      .all(job.collection_id, job.model, dim, job.id) as { seq: number; chunk_id: number }[];
    this.db.prepare('UPDATE chunks SET embedded = 1 WHERE collection_id = ? AND embedded = 0').run(job.collection_id);
    this.db
      .prepare(
        `UPDATE collections SET embedding_model = ?, embedding_dtype = ?, embedding_dim = ?,
           vector_generation = vector_generation + 1, updated_at = ? WHERE id = ?`,
      )
      .run(job.model, job.dtype, dim, new Date().toISOString(), job.collection_id);
    this.finish(job.id, 'done');
    return rows.map((r) => ({ chunkId: r.chunk_id, seq: r.seq }));
  }
}
