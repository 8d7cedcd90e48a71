import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { SqlFilter } from './documents.repository';

/** Which FTS5 table serves a collection (see migration 8). */
export type LexicalIndexKind = 'analyzed' | 'legacy';

export interface DocumentToAnalyze {
  pk: number;
  text: string;
}

/**
 * SQL in, rows out: the lexical index. chunks_lex holds the analysed terms of every chunk (written
 * by ragd); chunks_fts, the Porter index of databases made before migration 8, serves their
 * collections until each is analysed, and is dropped when none needs it.
 */
@Injectable()
export class LexicalRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Writes (or rewrites) the terms of chunks. Call inside a transaction. */
  writeTerms(items: readonly { chunkId: number; terms: string }[]): void {
    const del = this.db.prepare('DELETE FROM chunks_lex WHERE rowid = ?');
    const ins = this.db.prepare('INSERT INTO chunks_lex (rowid, terms) VALUES (?, ?)');
    for (const it of items) {
      del.run(it.chunkId);
      ins.run(it.chunkId, it.terms);
    }
  }

  /**
   * BM25 over a collection's chunks in the given index, optionally only those whose document
   * matches `where` (alias d). `match` must already be a safe FTS5 expression.
   */
  search(
    kind: LexicalIndexKind,
    collectionId: number,
    match: string,
    limit: number,
    where?: SqlFilter,
  ): { chunk_id: number; score: number }[] {
    const table = kind === 'legacy' ? 'chunks_fts' : 'chunks_lex';
    const join = where ? 'JOIN documents d ON d.pk = c.document_pk' : '';
    return this.db
      .prepare(
        `SELECT c.id AS chunk_id, -bm25(${table}) AS score
         FROM ${table} JOIN chunks c ON c.id = ${table}.rowid ${join}
         WHERE ${table} MATCH @match AND c.collection_id = @collection ${where ? `AND ${where.sql}` : ''}
         ORDER BY bm25(${table}) LIMIT @limit`,
      )
      .all({ match, collection: collectionId, limit, ...where?.params }) as {
      chunk_id: number;
      score: number;
    }[];
  }

  /** The distinct languages a collection's documents were analysed in (one index seek each). */
  languages(collectionId: number): string[] {
    return (
      this.db
        .prepare(
          `WITH RECURSIVE l(language) AS (
             SELECT MIN(language) FROM documents WHERE collection_id = @c AND language IS NOT NULL
             UNION ALL
             SELECT (SELECT MIN(language) FROM documents WHERE collection_id = @c AND language > l.language)
             FROM l WHERE l.language IS NOT NULL)
           SELECT language FROM l WHERE language IS NOT NULL`,
        )
        .all({ c: collectionId }) as { language: string }[]
    ).map((r) => r.language);
  }

  /** Documents of a collection not analysed under `key`, in pk order after `afterPk`. */
  toAnalyze(
    collectionId: number,
    key: string,
    afterPk: number,
    limit: number,
  ): DocumentToAnalyze[] {
    return this.db
      .prepare(
        `SELECT pk, text FROM documents
         WHERE collection_id = ? AND pk > ? AND (lexical IS NULL OR lexical != ?) ORDER BY pk LIMIT ?`,
      )
      .all(collectionId, afterPk, key, limit) as DocumentToAnalyze[];
  }

  /** How many documents of a collection are not analysed under `key`. */
  remaining(collectionId: number, key: string): number {
    return (
      this.db
        .prepare(
          'SELECT COUNT(*) AS n FROM documents WHERE collection_id = ? AND (lexical IS NULL OR lexical != ?)',
        )
        .get(collectionId, key) as { n: number }
    ).n;
  }

  chunksOf(pk: number): { id: number; text: string }[] {
    return this.db
      .prepare('SELECT id, text FROM chunks WHERE document_pk = ? ORDER BY ordinal')
      .all(pk) as { id: number; text: string }[];
  }

  /** Records the language and setting a document was analysed in. Call inside a transaction. */
  markAnalyzed(pk: number, language: string, key: string): void {
    this.db
      .prepare('UPDATE documents SET language = ?, lexical = ? WHERE pk = ?')
      .run(language, key, pk);
  }

  /** The language a document was analysed in (NULL: not yet). */
  languageOf(pk: number): string | null {
    return (
      (
        this.db.prepare('SELECT language FROM documents WHERE pk = ?').get(pk) as
          { language: string | null } | undefined
      )?.language ?? null
    );
  }

  setIndex(collectionId: number, kind: LexicalIndexKind): void {
    this.db
      .prepare('UPDATE collections SET lexical_index = ? WHERE id = ?')
      .run(kind, collectionId);
  }

  legacyCount(): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM collections WHERE lexical_index = 'legacy'")
        .get() as { n: number }
    ).n;
  }

  /** Drops the pre-migration-8 Porter index and its triggers. Call inside a transaction. */
  dropLegacyIndex(): boolean {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunks_fts'")
      .get();
    if (!exists) return false;
    this.db.exec(`
      DROP TRIGGER IF EXISTS chunks_ai;
      DROP TRIGGER IF EXISTS chunks_ad;
      DROP TRIGGER IF EXISTS chunks_au;
      DROP TABLE chunks_fts;
    `);
    return true;
  }
}
