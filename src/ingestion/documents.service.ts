import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DocumentConflictError, DocumentNotFoundError, InvalidInputError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository, DocumentSummaryRow } from '../database/documents.repository';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { VectorStore } from '../vector-store/vector-store';
import { Chunk } from './chunker';
import { ChunkingService } from './chunking.service';
import { DocumentOriginals } from './document-originals.service';
import { ChunkView, DocumentView, chunkView, documentView } from './document-views';
import { DrainResult, EmbeddingQueueService } from './embedding-queue.service';
import {
  IncomingDocument,
  analysisOf,
  contentHash,
  newChunks,
  newDocument,
} from './incoming-document';

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

/**
 * Documents in, read and out: added by a request (all at once) or by a background job (in slices
 * when large), listed and read, deleted. Replacement has a service of its own
 * (DocumentReplaceService); vectors come from the embedding queue.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly collections: CollectionsService,
    private readonly collectionRows: CollectionsRepository,
    private readonly database: DatabaseService,
    private readonly repo: DocumentsRepository,
    private readonly chunking: ChunkingService,
    private readonly queue: EmbeddingQueueService,
    private readonly vectors: VectorStore,
    private readonly originals: DocumentOriginals,
  ) {}

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
    const result = await this.originals.around(collection.id, prepared, () =>
      this.database.transaction(() => {
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
          const analysis = analysisOf(collection.language, doc.text);
          this.repo.insert(
            newDocument(collection.id, id, doc, hash, metadata, analysis),
            newChunks(chunks, chunker.counter, analysis),
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
      }),
    );
    const drain = this.queue.drain(collection.id);
    const outcome: DrainResult = wait
      ? await drain
      : { pending: this.collectionRows.counts(collection.id).pending };
    return ingestResult(result, outcome, chunker.counter);
  }

  /**
   * Stores one document of a background job under the id the job gave it. It is chunked first,
   * yielding to the event loop so that searches keep being answered; then one transaction stores it
   * and runs `inTransaction` (the job's own bookkeeping), so the two are committed together or not
   * at all. The same id with the same content is 'unchanged' (a resumed job finds its own document);
   * with other content, DocumentConflictError. Embedding follows in the background.
   */
  storeForJob(
    collectionId: number,
    doc: IncomingDocument & { id: string },
    inTransaction: (stored: StoredForJob) => void,
    onChunking: () => void = () => undefined,
  ): Promise<StoredForJob> {
    const hash = contentHash(doc.text, doc.title ?? null, JSON.stringify(doc.metadata ?? {}));
    return this.originals.around(collectionId, [{ doc, id: doc.id, hash }], () =>
      this.storeJobDocument(collectionId, doc, inTransaction, onChunking),
    );
  }

  private async storeJobDocument(
    collectionId: number,
    doc: IncomingDocument & { id: string },
    inTransaction: (stored: StoredForJob) => void,
    onChunking: () => void,
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
        newDocument(collectionId, doc.id, doc, hash, metadata, analysis),
        newChunks(head, counter, analysis),
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
        const slice = newChunks(chunks.slice(from, from + STORE_SLICE), counter, analysis);
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
    this.vectors.delete(collectionId, labels);
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
        ...documentView(r),
        chunks: r.chunk_count,
        characters: r.char_count,
      })),
    };
  }

  get(collectionName: string, id: string): DocumentView & { text: string; chunks: ChunkView[] } {
    const c = this.collections.row(collectionName);
    const row = this.repo.find(c.id, id);
    if (!row?.complete) throw new DocumentNotFoundError(collectionName, id);
    return {
      ...documentView(row),
      text: row.text,
      chunks: this.repo.chunksOf(row.pk).map(chunkView),
    };
  }

  /** Removes the document, its chunks, FTS rows and vectors (SQLite first, then the vector store). */
  delete(collectionName: string, id: string): void {
    const c = this.collections.row(collectionName);
    const labels = this.database.transaction(() => {
      const row = this.repo.find(c.id, id);
      if (!row) throw new DocumentNotFoundError(collectionName, id);
      return this.repo.delete(row.pk);
    });
    this.vectors.delete(c.id, labels);
    this.originals.removeDocument(c.id, id);
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
