import { Inject, Injectable } from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Chunk } from './chunker';
import { estimateTokenCounter } from '../engines/token-counter';
import { documentLanguage, lexicalKey } from '../language/document-language';
import { indexTerms } from '../language/tokenizer';
import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DocumentConflictError, DocumentNotFoundError, InvalidInputError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import {
  ChunkRow,
  DocumentRow,
  DocumentsRepository,
  DocumentSummaryRow,
  NewDocument,
} from '../database/documents.repository';
import { VectorIndexService } from '../vector-index/vector-index.service';
import { ChunkingService } from './chunking.service';
import type { DocumentStructure } from './parsers/structured-document';
import { DrainResult, EmbeddingQueueService } from './embedding-queue.service';
import type { IdempotencyContext } from '../idempotency/idempotency.service';

export interface IncomingDocument {
  id?: string;
  title?: string;
  text: string;
  metadata?: Record<string, unknown>;
  source?: string;
  contentType?: string;
  /** Sections and pages found by the file's parser; chunks follow them. None for plain text. */
  structure?: DocumentStructure;
}

export interface IngestResult {
  documents: { id: string; chunks: number; status: 'created' | 'unchanged' }[];
  embedding: {
    /** done: every chunk of the collection has a vector; pending: some wait for the embedding model. */
    state: 'done' | 'pending';
    pendingChunks: number;
    reason?: string;
    /** How chunk sizes were measured: the model's tokenizer, or an estimate when it is unavailable. */
    tokenCounter: string;
  };
}

/** Chunks per transaction when a job's document is stored in slices (larger documents only). */
export const STORE_SLICE = 2000;

export interface StoredForJob {
  outcome: 'created' | 'unchanged';
  pk: number;
  chunks: number;
  chunkMs: number;
  storeMs: number;
}

export interface ReplaceResult {
  id: string;
  status: 'created' | 'replaced' | 'unchanged';
  chunks: number;
  /** Chunks of the new version still waiting for the embedding model (found lexically meanwhile). */
  pendingChunks: number;
}

export interface DocumentView {
  id: string;
  title: string | null;
  source: string | null;
  contentType: string;
  contentHash: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ChunkView {
  id: number;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  tokenCount: number;
  /** What measured tokenCount: the embedding model's tokenizer id, or 'estimate'. */
  tokenCounter: string;
  embedded: boolean;
  /** The headings the chunk is under, "Methods > Training"; null when the document has none. */
  sectionPath: string | null;
  /** Pages the chunk's text is on; null when the document is not paged. */
  pageStart: number | null;
  pageEnd: number | null;
  /** Read by OCR: the mean confidence (0-100) of its pages; null for text. */
  ocrConfidence: number | null;
}

@Injectable()
export class DocumentsService {
  constructor(
    private readonly collections: CollectionsService,
    private readonly collectionRows: CollectionsRepository,
    private readonly database: DatabaseService,
    private readonly repo: DocumentsRepository,
    private readonly chunking: ChunkingService,
    private readonly queue: EmbeddingQueueService,
    private readonly vectors: VectorIndexService,
    private readonly embedder: EmbeddingEngine,
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.batchSize = settings.embedding.batchSize;
  }

  private readonly batchSize: number;

  /** Throws CollectionNotFoundError unless the collection exists (checked before parsing an upload). */
  assertCollection(collectionName: string): void {
    this.collections.row(collectionName);
  }

  /**
   * Stores documents and their chunks (and FTS rows) in one transaction: all or nothing. Then, when
   * `wait` is set and the model is available, waits until the chunks have vectors. An Idempotency-Key
   * is recorded in the same transaction, with the result as it stands at the commit.
   */
  async add(
    collectionName: string,
    docs: IncomingDocument[],
    wait = true,
    idempotency?: IdempotencyContext,
  ): Promise<IngestResult> {
    const collection = this.collections.row(collectionName);
    const ids = new Set<string>();
    for (const d of docs) {
      if (!d.text.trim())
        throw new InvalidInputError(`Document ${d.id ? `'${d.id}' ` : ''}has no text`);
      if (d.id !== undefined) {
        if (ids.has(d.id))
          throw new InvalidInputError(`Document id '${d.id}' appears twice in the request`);
        ids.add(d.id);
      }
    }
    const chunker = await this.chunking.chunker(collection);
    const prepared = docs.map((d) => {
      const metadata = JSON.stringify(d.metadata ?? {});
      const hash = contentHash(d.text, d.title ?? null, metadata);
      return { doc: d, id: d.id ?? randomUUID(), metadata, hash };
    });
    const result = this.database.transaction(() => {
      const stored = prepared.map(({ doc, id, metadata, hash }) => {
        const existing = this.repo.find(collection.id, id);
        if (existing) {
          if (existing.content_hash !== hash) throw new DocumentConflictError(id);
          return {
            id,
            chunks: this.repo.chunksOf(existing.pk).length,
            status: 'unchanged' as const,
          };
        }
        const chunks = chunker.chunk(doc.text, doc.structure);
        this.insertVersion(
          collection.id,
          id,
          doc,
          hash,
          metadata,
          chunks,
          chunker.counter,
          analysisOf(collection.language, doc.text),
        );
        return { id, chunks: chunks.length, status: 'created' as const };
      });
      idempotency?.commit(
        ingestResult(
          stored,
          { pending: this.collectionRows.counts(collection.id).pending },
          chunker.counter,
        ),
      );
      return stored;
    });
    const drain = this.queue.drain(collection.id);
    const outcome: DrainResult = wait
      ? await drain
      : { pending: this.collectionRows.counts(collection.id).pending };
    return ingestResult(result, outcome, chunker.counter);
  }

  /**
   * Replaces a document atomically: the new chunks are embedded first (when the model is
   * available), then one SQLite transaction swaps the old document for the new, and the index is
   * updated in the same synchronous step, so a search sees the old version or the new one, never a
   * mix or neither.
   */
  async replace(
    collectionName: string,
    id: string,
    doc: Omit<IncomingDocument, 'id'>,
  ): Promise<ReplaceResult> {
    const collection = this.collections.row(collectionName);
    if (!doc.text.trim()) throw new InvalidInputError(`Document '${id}' has no text`);
    const metadata = JSON.stringify(doc.metadata ?? {});
    const hash = contentHash(doc.text, doc.title ?? null, metadata);
    const before = this.repo.find(collection.id, id);
    if (before?.content_hash === hash)
      return this.replaced(collection.id, id, 'unchanged', before.pk);
    const chunker = await this.chunking.chunker(collection);
    const chunks = chunker.chunk(doc.text, doc.structure);
    const model = collection.embedding_model;
    const dtype = collection.embedding_dtype as Dtype;
    let embedded: { vectors: Float32Array[]; dim: number } | undefined;
    const status = await this.embedder.ensure({ id: model, dtype: dtype });
    if (status.state === 'ready' && chunker.counter !== estimateTokenCounter.name) {
      const vectors: Float32Array[] = [];
      let dim = 0;
      for (let i = 0; i < chunks.length; i += this.batchSize) {
        const out = await this.embedder.embedPassages(
          { id: model, dtype: dtype },
          chunks.slice(i, i + this.batchSize).map((c) => c.text),
          { internal: true },
        );
        vectors.push(...out.vectors);
        dim = out.dim;
      }
      embedded = { vectors, dim };
    }
    const analysis = analysisOf(collection.language, doc.text);
    const swap = this.database.transaction(() => {
      const current = this.repo.find(collection.id, id);
      if (current?.content_hash === hash) {
        return {
          status: 'unchanged' as const,
          pk: current.pk,
          removed: [] as number[],
          chunkIds: [] as number[],
          written: [] as { chunkId: number; seq: number }[],
        };
      }
      const removed = current ? this.repo.delete(current.pk) : [];
      const { pk, chunkIds } = this.insertVersion(
        collection.id,
        id,
        doc,
        hash,
        metadata,
        chunks,
        chunker.counter,
        analysis,
      );
      const written =
        embedded && this.collectionRows.pinDimension(collection.id, embedded.dim)
          ? this.repo.storeVectors(
              model,
              embedded.dim,
              chunkIds.map((chunkId, i) => ({ chunkId, vector: embedded.vectors[i]! })),
            )
          : [];
      return {
        status: current ? ('replaced' as const) : ('created' as const),
        pk,
        removed,
        chunkIds,
        written,
      };
    });
    // Same synchronous step as the commit: no search runs between the two.
    this.vectors.remove(collection.id, swap.removed);
    if (embedded) {
      const vectorOf = new Map(swap.chunkIds.map((chunkId, i) => [chunkId, embedded.vectors[i]!]));
      this.vectors.add(
        collection.id,
        embedded.dim,
        swap.written.map((w) => ({
          label: w.chunkId,
          seq: w.seq,
          vector: vectorOf.get(w.chunkId)!,
        })),
      );
    }
    if (swap.status !== 'unchanged' && !embedded) await this.queue.drain(collection.id);
    return this.replaced(collection.id, id, swap.status, swap.pk);
  }

  /**
   * Stores one document of a background job under the id the job gave it. It is chunked first,
   * yielding to the event loop so that searches keep being answered; then one transaction stores it
   * and runs `inTransaction` (the job's own bookkeeping), so the two are committed together or not
   * at all. The same id with the same content is 'unchanged' (a resumed job finds its own document);
   * with other content, DocumentConflictError. Embedding follows in the background.
   */
  async storeForJob(
    collectionId: number,
    doc: IncomingDocument & { id: string },
    inTransaction: (stored: StoredForJob) => void,
    onChunking: () => void = () => undefined,
  ): Promise<StoredForJob> {
    const collection = this.collectionRows.findById(collectionId);
    if (!collection) throw new InvalidInputError('The collection was deleted');
    if (!doc.text.trim()) throw new InvalidInputError(`Document '${doc.id}' has no text`);
    const metadata = JSON.stringify(doc.metadata ?? {});
    const hash = contentHash(doc.text, doc.title ?? null, metadata);
    const existing = this.repo.find(collectionId, doc.id);
    let chunks: Chunk[] = [];
    let counter = '';
    const chunkStart = performance.now();
    if (!existing) {
      onChunking();
      const chunker = await this.chunking.chunker(collection);
      chunks = await chunker.chunkYielding(doc.text, doc.structure);
      counter = chunker.counter;
    }
    const chunkMs = performance.now() - chunkStart;
    const storeStart = performance.now();
    const analysis = analysisOf(collection.language, doc.text);
    const withTerms = (c: Chunk) => ({
      ...c,
      tokenCounter: counter,
      terms: indexTerms(c.text, analysis.language),
    });
    // A large document goes in a slice per transaction, invisible until the last: no one
    // transaction holds up searches for seconds.
    const sliced = chunks.length > STORE_SLICE;
    const first = this.database.transaction((): StoredForJob | { pk: number } => {
      const current = this.repo.find(collectionId, doc.id);
      if (current) {
        if (current.content_hash !== hash || !current.complete)
          throw new DocumentConflictError(doc.id);
        const result = {
          outcome: 'unchanged' as const,
          pk: current.pk,
          chunks: this.repo.chunksOf(current.pk).length,
          chunkMs,
          storeMs: 0,
        };
        inTransaction(result);
        return result;
      }
      if (chunks.length === 0 && !counter)
        throw new Error(`Document '${doc.id}' disappeared while it was being stored`);
      const head = sliced ? chunks.slice(0, STORE_SLICE) : chunks;
      const { pk } = this.repo.insert(
        this.newDocument(collectionId, doc.id, doc, hash, metadata, analysis),
        head.map(withTerms),
        !sliced,
      );
      if (sliced) return { pk };
      const result = {
        outcome: 'created' as const,
        pk,
        chunks: chunks.length,
        chunkMs,
        storeMs: performance.now() - storeStart,
      };
      inTransaction(result);
      return result;
    });
    if ('outcome' in first) {
      if (first.outcome === 'created') void this.queue.drain(collectionId);
      return first;
    }
    const pk = first.pk;
    try {
      for (let from = STORE_SLICE; from < chunks.length; from += STORE_SLICE) {
        await yieldToEventLoop();
        const slice = chunks.slice(from, from + STORE_SLICE).map(withTerms);
        this.database.transaction(() => this.repo.insertChunks(pk, collectionId, slice));
        void this.queue.drain(collectionId); // the model starts on the first slices while the rest are stored
      }
      await yieldToEventLoop();
      return this.database.transaction(() => {
        this.repo.markComplete(pk);
        const result = {
          outcome: 'created' as const,
          pk,
          chunks: chunks.length,
          chunkMs,
          storeMs: performance.now() - storeStart,
        };
        inTransaction(result);
        return result;
      });
    } catch (e) {
      this.removeIncomplete(collectionId, pk);
      throw e;
    }
  }

  /** Documents a crash left half-stored (in slices). */
  incomplete(): { pk: number; collection_id: number }[] {
    return this.repo.incomplete();
  }

  /** Removes a document left incomplete (its slices were being stored when it failed or the server stopped). */
  removeIncomplete(collectionId: number, pk: number): void {
    const labels = this.database.transaction(() => this.repo.delete(pk));
    this.vectors.remove(collectionId, labels);
  }

  /** Inserts a document and its chunks (FTS rows follow by trigger). Call inside a transaction. */
  private insertVersion(
    collectionId: number,
    id: string,
    doc: Omit<IncomingDocument, 'id'>,
    hash: string,
    metadata: string,
    chunks: readonly Chunk[],
    tokenCounter: string,
    analysis: Analysis,
  ): { pk: number; chunkIds: number[] } {
    return this.repo.insert(
      this.newDocument(collectionId, id, doc, hash, metadata, analysis),
      chunks.map((c) => ({ ...c, tokenCounter, terms: indexTerms(c.text, analysis.language) })),
    );
  }

  private newDocument(
    collectionId: number,
    id: string,
    doc: Omit<IncomingDocument, 'id'>,
    hash: string,
    metadata: string,
    analysis: Analysis,
  ): NewDocument {
    return {
      collectionId,
      id,
      title: doc.title ?? null,
      source: doc.source ?? null,
      contentType: doc.contentType ?? 'text/plain',
      contentHash: hash,
      metadata,
      text: doc.text,
      structure: doc.structure ? JSON.stringify(doc.structure) : null,
      ...analysis,
    };
  }

  private replaced(
    collectionId: number,
    id: string,
    status: ReplaceResult['status'],
    pk: number,
  ): ReplaceResult {
    const chunks = this.repo.chunksOf(pk);
    const pending = chunks.filter((c) => c.embedded === 0).length;
    return { id, status, chunks: chunks.length, pendingChunks: pending };
  }

  list(
    collectionName: string,
    limit: number,
    offset: number,
  ): { total: number; items: (DocumentView & { chunks: number; characters: number })[] } {
    const c = this.collections.row(collectionName);
    return {
      total: this.repo.count(c.id),
      items: this.repo.list(c.id, limit, offset).map((r: DocumentSummaryRow) => ({
        ...view(r),
        chunks: r.chunk_count,
        characters: r.char_count,
      })),
    };
  }

  get(collectionName: string, id: string): DocumentView & { text: string; chunks: ChunkView[] } {
    const c = this.collections.row(collectionName);
    const row = this.repo.find(c.id, id);
    if (!row?.complete) throw new DocumentNotFoundError(collectionName, id);
    return { ...view(row), text: row.text, chunks: this.repo.chunksOf(row.pk).map(chunkView) };
  }

  /** Removes the document, its chunks, FTS rows and vectors (SQLite first, then the index). */
  delete(collectionName: string, id: string): void {
    const c = this.collections.row(collectionName);
    const labels = this.database.transaction(() => {
      const row = this.repo.find(c.id, id);
      if (!row) throw new DocumentNotFoundError(collectionName, id);
      return this.repo.delete(row.pk);
    });
    this.vectors.remove(c.id, labels);
  }
}

function ingestResult(
  documents: IngestResult['documents'],
  outcome: DrainResult,
  tokenCounter: string,
): IngestResult {
  return {
    documents,
    embedding: {
      state: outcome.pending === 0 ? 'done' : 'pending',
      pendingChunks: outcome.pending,
      ...(outcome.pending > 0 ? { reason: outcome.reason ?? 'embedding in progress' } : {}),
      tokenCounter,
    },
  };
}

function contentHash(text: string, title: string | null, metadata: string): string {
  return createHash('sha256')
    .update(JSON.stringify([text, title, metadata]))
    .digest('hex');
}

function view(r: DocumentRow | DocumentSummaryRow): DocumentView {
  return {
    id: r.id,
    title: r.title,
    source: r.source,
    contentType: r.content_type,
    contentHash: r.content_hash,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function chunkView(c: ChunkRow): ChunkView {
  return {
    id: c.id,
    ordinal: c.ordinal,
    text: c.text,
    start: c.start_offset,
    end: c.end_offset,
    tokenCount: c.token_count,
    tokenCounter: c.token_counter,
    embedded: c.embedded === 1,
    sectionPath: c.section_path,
    pageStart: c.page_start,
    pageEnd: c.page_end,
    ocrConfidence: c.ocr_confidence,
  };
}

/** The language a document is analysed in for lexical search, and the setting key recorded with it. */
interface Analysis {
  language: string;
  lexical: string;
}

function analysisOf(setting: string, text: string): Analysis {
  return { language: documentLanguage(setting, text), lexical: lexicalKey(setting) };
}
