import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export interface DocumentRow {
  pk: number;
  collection_id: number;
  id: string;
  title: string | null;
  source: string | null;
  content_type: string;
  content_hash: string;
  metadata: string;
  text: string;
  /** JSON of the parser's DocumentStructure; NULL for documents sent as plain text. */
  structure: string | null;
  created_at: string;
  updated_at: string;
  /** 0 while a large document's chunks are stored slice by slice; invisible until 1. */
  complete: number;
  /** The language its chunks were analysed in for lexical search; NULL before migration 8's job. */
  language: string | null;
  /** The collection setting and analyser version it was analysed under ('auto@1'). */
  lexical: string | null;
}

export type DocumentSummaryRow = Omit<
  DocumentRow,
  'text' | 'structure' | 'complete' | 'language' | 'lexical'
> & {
  chunk_count: number;
  char_count: number;
};

export interface ChunkRow {
  id: number;
  document_pk: number;
  collection_id: number;
  ordinal: number;
  text: string;
  start_offset: number;
  end_offset: number;
  token_count: number;
  token_counter: string;
  embedded: number;
  section_path: string | null;
  page_start: number | null;
  page_end: number | null;
  ocr_confidence: number | null;
}

export interface NewDocument {
  collectionId: number;
  id: string;
  title: string | null;
  source: string | null;
  contentType: string;
  contentHash: string;
  metadata: string;
  text: string;
  /** JSON of the parser's structure; none for plain text. */
  structure?: string | null;
  /**
   * The language its chunks are analysed in, and the setting key (see language/document-language.ts);
   * absent: not analysed (the re-analysis job does it at the next start).
   */
  language?: string;
  lexical?: string;
}

export interface NewChunk {
  ordinal: number;
  text: string;
  start: number;
  end: number;
  tokenCount: number;
  tokenCounter: string;
  /** Absent (NULL) for documents without headings or pages. */
  sectionPath?: string | null;
  pageStart?: number | null;
  pageEnd?: number | null;
  /** Pages read by OCR: their mean confidence, 0-100. */
  ocrConfidence?: number | null;
  /** The chunk's analysed terms for the lexical index (language/tokenizer.ts indexTerms); absent: none yet. */
  terms?: string;
}

/** A chunk joined with what search results need to show about its document. */
export interface ChunkHitRow {
  chunk_id: number;
  document_id: string;
  title: string | null;
  text: string;
  start_offset: number;
  end_offset: number;
  ordinal: number;
  metadata: string;
  section_path: string | null;
  page_start: number | null;
  page_end: number | null;
  ocr_confidence: number | null;
}

export interface PendingChunkRow {
  id: number;
  collection_id: number;
  text: string;
  token_count: number;
}

/** SQL in, rows out: documents and chunks (their vectors: ChunkVectorsRepository). */
@Injectable()
export class DocumentsRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  find(collectionId: number, id: string): DocumentRow | undefined {
    return this.db
      .prepare('SELECT * FROM documents WHERE collection_id = ? AND id = ?')
      .get(collectionId, id) as DocumentRow | undefined;
  }

  list(collectionId: number, limit: number, offset: number): DocumentSummaryRow[] {
    return this.db
      .prepare(
        `SELECT d.pk, d.collection_id, d.id, d.title, d.source, d.content_type, d.content_hash, d.metadata,
                d.created_at, d.updated_at, length(d.text) AS char_count,
                (SELECT COUNT(*) FROM chunks c WHERE c.document_pk = d.pk) AS chunk_count
         FROM documents d WHERE d.collection_id = ? AND d.complete = 1 ORDER BY d.pk LIMIT ? OFFSET ?`,
      )
      .all(collectionId, limit, offset) as DocumentSummaryRow[];
  }

  count(collectionId: number): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM documents WHERE collection_id = ? AND complete = 1')
        .get(collectionId) as { n: number }
    ).n;
  }

  /** Inserts a document and its chunks; FTS rows follow through triggers. Call inside a transaction. */
  insert(
    doc: NewDocument,
    chunks: readonly NewChunk[],
    complete = true,
  ): { pk: number; chunkIds: number[] } {
    const now = new Date().toISOString();
    const { pk } = this.db
      .prepare(
        `INSERT INTO documents (collection_id, id, title, source, content_type, content_hash, metadata, text, structure, created_at, updated_at, complete, language, lexical)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
      )
      .get(
        doc.collectionId,
        doc.id,
        doc.title,
        doc.source,
        doc.contentType,
        doc.contentHash,
        doc.metadata,
        doc.text,
        doc.structure ?? null,
        now,
        now,
        complete ? 1 : 0,
        doc.language ?? null,
        doc.lexical ?? null,
      ) as {
      pk: number;
    };
    return { pk, chunkIds: this.insertChunks(pk, doc.collectionId, chunks) };
  }

  /** The last slice of a document stored in slices is in: it becomes visible. Call inside a transaction. */
  markComplete(pk: number): void {
    this.db.prepare('UPDATE documents SET complete = 1 WHERE pk = ?').run(pk);
  }

  /** Documents whose slices a crash or a failure left unfinished. */
  incomplete(): { pk: number; collection_id: number }[] {
    return this.db.prepare('SELECT pk, collection_id FROM documents WHERE complete = 0').all() as {
      pk: number;
      collection_id: number;
    }[];
  }

  /** Adds a slice of a document's chunks with their lexical terms. Call inside a transaction. */
  insertChunks(pk: number, collectionId: number, chunks: readonly NewChunk[]): number[] {
    const insertTerms = this.db.prepare('INSERT INTO chunks_lex (rowid, terms) VALUES (?, ?)');
    const insertChunk = this.db.prepare(
      `INSERT INTO chunks (document_pk, collection_id, ordinal, text, start_offset, end_offset, token_count, token_counter, section_path, page_start, page_end, ocr_confidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    return chunks.map((c) => {
      const { id } = insertChunk.get(
        pk,
        collectionId,
        c.ordinal,
        c.text,
        c.start,
        c.end,
        c.tokenCount,
        c.tokenCounter,
        c.sectionPath ?? null,
        c.pageStart ?? null,
        c.pageEnd ?? null,
        c.ocrConfidence ?? null,
      ) as { id: number };
      if (c.terms !== undefined) insertTerms.run(id, c.terms);
      return id;
    });
  }

  /** Deletes a document; chunks, vectors and FTS rows go with it. Returns the freed chunk ids. */
  delete(pk: number): number[] {
    const ids = (
      this.db.prepare('SELECT id FROM chunks WHERE document_pk = ?').all(pk) as { id: number }[]
    ).map((r) => r.id);
    this.db.prepare('DELETE FROM documents WHERE pk = ?').run(pk);
    return ids;
  }

  /** Documents of a collection with chunks measured by the given token counter. */
  documentsChunkedBy(collectionId: number, tokenCounter: string): number[] {
    return (
      this.db
        .prepare(
          'SELECT DISTINCT document_pk FROM chunks WHERE collection_id = ? AND token_counter = ?',
        )
        .all(collectionId, tokenCounter) as { document_pk: number }[]
    ).map((r) => r.document_pk);
  }

  /** A document's text, the JSON of its structure (NULL when it has none) and its analysed language. */
  content(
    pk: number,
  ): { text: string; structure: string | null; language: string | null } | undefined {
    return this.db
      .prepare('SELECT text, structure, language FROM documents WHERE pk = ?')
      .get(pk) as { text: string; structure: string | null; language: string | null } | undefined;
  }

  /**
   * Replaces a document's chunks when none of them has a vector yet. Call inside a transaction.
   * Returns false (and changes nothing) if any chunk is already embedded.
   */
  replacePendingChunks(pk: number, collectionId: number, chunks: readonly NewChunk[]): boolean {
    const embedded = this.db
      .prepare('SELECT COUNT(*) AS n FROM chunks WHERE document_pk = ? AND embedded = 1')
      .get(pk) as { n: number };
    if (embedded.n > 0) return false;
    this.db.prepare('DELETE FROM chunks WHERE document_pk = ?').run(pk);
    this.insertChunks(pk, collectionId, chunks);
    return true;
  }

  chunksOf(pk: number): ChunkRow[] {
    return this.db
      .prepare('SELECT * FROM chunks WHERE document_pk = ? ORDER BY ordinal')
      .all(pk) as ChunkRow[];
  }

  hits(chunkIds: readonly number[]): Map<number, ChunkHitRow> {
    const out = new Map<number, ChunkHitRow>();
    if (chunkIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT c.id AS chunk_id, d.id AS document_id, d.title, c.text, c.start_offset, c.end_offset, c.ordinal, d.metadata,
                c.section_path, c.page_start, c.page_end, c.ocr_confidence
         FROM chunks c JOIN documents d ON d.pk = c.document_pk
         WHERE c.id IN (SELECT value FROM json_each(?)) AND d.complete = 1`,
      )
      .all(JSON.stringify(chunkIds)) as ChunkHitRow[];
    for (const r of rows) out.set(r.chunk_id, r);
    return out;
  }

  /** Pending chunks of a collection, shortest first. */
  pending(
    collectionId: number,
    limit: number,
    excludeIds: ReadonlySet<number> = new Set(),
  ): PendingChunkRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, collection_id, text, token_count FROM chunks
         WHERE collection_id = ? AND embedded = 0 ORDER BY token_count, id LIMIT ?`,
      )
      .all(collectionId, limit + excludeIds.size) as PendingChunkRow[];
    return rows.filter((r) => !excludeIds.has(r.id)).slice(0, limit);
  }

  /** Chunks of a collection still waiting for a vector (uses the chunks_pending index). */
  pendingCount(collectionId: number): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM chunks WHERE collection_id = ? AND embedded = 0')
        .get(collectionId) as { n: number }
    ).n;
  }

  chunkCount(collectionId: number): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM chunks WHERE collection_id = ?')
        .get(collectionId) as { n: number }
    ).n;
  }

  collectionsWithPending(): number[] {
    return (
      this.db.prepare('SELECT DISTINCT collection_id FROM chunks WHERE embedded = 0').all() as {
        collection_id: number;
      }[]
    ).map((r) => r.collection_id);
  }

  /** Chunk ids of a collection whose document matches a compiled metadata filter (alias d). */
  chunkIdsWhere(collectionId: number, where: SqlFilter): number[] {
    return (
      this.db
        .prepare(
          `SELECT c.id FROM chunks c JOIN documents d ON d.pk = c.document_pk WHERE c.collection_id = @collection AND ${where.sql}`,
        )
        .all({ collection: collectionId, ...where.params }) as { id: number }[]
    ).map((r) => r.id);
  }

  /** The character span (and pages) of a chunk widened by n neighbouring chunks each side, with its document text. */
  span(
    chunkId: number,
    n: number,
  ):
    | {
        start: number;
        end: number;
        pageStart: number | null;
        pageEnd: number | null;
        documentText: string;
      }
    | undefined {
    return this.db
      .prepare(
        `SELECT MIN(c.start_offset) AS start, MAX(c.end_offset) AS end, MIN(c.page_start) AS pageStart, MAX(c.page_end) AS pageEnd,
                d.text AS documentText
         FROM chunks h JOIN chunks c ON c.document_pk = h.document_pk AND c.ordinal BETWEEN h.ordinal - @n AND h.ordinal + @n
         JOIN documents d ON d.pk = h.document_pk
         WHERE h.id = @id GROUP BY h.id`,
      )
      .get({ id: chunkId, n }) as
      | {
          start: number;
          end: number;
          pageStart: number | null;
          pageEnd: number | null;
          documentText: string;
        }
      | undefined;
  }

  /** The metadata JSON of each given chunk's document. */
  metadataOf(chunkIds: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    if (chunkIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT c.id, d.metadata FROM chunks c JOIN documents d ON d.pk = c.document_pk
         WHERE c.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(chunkIds)) as { id: number; metadata: string }[];
    for (const r of rows) out.set(r.id, r.metadata);
    return out;
  }
}

/** A WHERE fragment with its named parameters. */
export interface SqlFilter {
  sql: string;
  params: Record<string, string | number>;
}
