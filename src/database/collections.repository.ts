import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export interface CollectionRow {
  id: number;
  name: string;
  embedding_model: string;
  embedding_dtype: string;
  embedding_dim: number | null;
  chunk_size: number;
  chunk_overlap: number;
  metadata: string;
  /** JSON of the collection's search defaults (fusion, reranking). */
  search_settings: string;
  /** Bumped by each switch to a new embedding model's vectors. */
  vector_generation: number;
  /** 'auto' or a language code: how its documents and queries are analysed for lexical search. */
  language: string;
  /** The FTS5 table serving it: 'legacy' until a database from before migration 8 is analysed. */
  lexical_index: 'analyzed' | 'legacy';
  created_at: string;
  updated_at: string;
}

export interface CollectionCounts {
  documents: number;
  chunks: number;
  vectors: number;
  pending: number;
}

export interface NewCollection {
  name: string;
  embeddingModel: string;
  embeddingDtype: string;
  chunkSize: number;
  chunkOverlap: number;
  metadata: string;
  /** JSON; default '{}' (all defaults). */
  searchSettings?: string;
  /** Default 'auto'. */
  language?: string;
}

/** SQL in, rows out: the collections table. */
@Injectable()
export class CollectionsRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  insert(c: NewCollection): CollectionRow {
    const now = new Date().toISOString();
    return this.db
      .prepare(
        `INSERT INTO collections (name, embedding_model, embedding_dtype, chunk_size, chunk_overlap, metadata, search_settings, language, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        c.name,
        c.embeddingModel,
        c.embeddingDtype,
        c.chunkSize,
        c.chunkOverlap,
        c.metadata,
        c.searchSettings ?? '{}',
        c.language ?? 'auto',
        now,
        now,
      ) as CollectionRow;
  }

  findByName(name: string): CollectionRow | undefined {
    return this.db.prepare('SELECT * FROM collections WHERE name = ?').get(name) as
      CollectionRow | undefined;
  }

  findById(id: number): CollectionRow | undefined {
    return this.db.prepare('SELECT * FROM collections WHERE id = ?').get(id) as
      CollectionRow | undefined;
  }

  list(): CollectionRow[] {
    return this.db.prepare('SELECT * FROM collections ORDER BY name').all() as CollectionRow[];
  }

  update(
    id: number,
    fields: { metadata?: string; searchSettings?: string; language?: string },
  ): void {
    this.db
      .prepare(
        `UPDATE collections SET metadata = COALESCE(@metadata, metadata), search_settings = COALESCE(@search, search_settings),
                language = COALESCE(@language, language), updated_at = @now
         WHERE id = @id`,
      )
      .run({
        id,
        metadata: fields.metadata ?? null,
        search: fields.searchSettings ?? null,
        language: fields.language ?? null,
        now: new Date().toISOString(),
      });
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM collections WHERE id = ?').run(id);
  }

  /** Pins the dimension on first use; returns false if a different dimension was pinned. */
  pinDimension(id: number, dim: number): boolean {
    this.db
      .prepare(
        'UPDATE collections SET embedding_dim = ?, updated_at = ? WHERE id = ? AND embedding_dim IS NULL',
      )
      .run(dim, new Date().toISOString(), id);
    const row = this.findById(id);
    return row?.embedding_dim === dim;
  }

  counts(id: number): CollectionCounts {
    const row = this.db
      .prepare(
        `SELECT
           (SELECT COUNT(*) FROM documents WHERE collection_id = @id) AS documents,
           (SELECT COUNT(*) FROM chunks WHERE collection_id = @id) AS chunks,
           (SELECT COUNT(*) FROM chunk_vectors v WHERE v.collection_id = @id AND v.generation = (SELECT vector_generation FROM collections WHERE id = @id)) AS vectors,
           (SELECT COUNT(*) FROM chunks WHERE collection_id = @id AND embedded = 0) AS pending`,
      )
      .get({ id }) as CollectionCounts;
    return row;
  }
}
