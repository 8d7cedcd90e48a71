import { Injectable } from '@nestjs/common';
import type { Dtype } from '../config/settings';
import { InvalidInputError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository } from '../database/documents.repository';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { estimateTokenCounter } from '../engines/token-counter';
import { VectorStore } from '../vector-store/vector-store';
import { DocumentOriginals } from './document-originals.service';
import { ChunkingService } from './chunking.service';
import { EmbeddingQueueService } from './embedding-queue.service';
import {
  IncomingDocument,
  analysisOf,
  contentHash,
  newChunks,
  newDocument,
} from './incoming-document';
import { VectorWriter, WrittenVectors } from './vector-writer';

export interface ReplaceResult {
  id: string;
  status: 'created' | 'replaced' | 'unchanged';
  chunks: number;
  /** Chunks of the new version still waiting for the embedding model (found lexically meanwhile). */
  pendingChunks: number;
}

/** PUT of a document: the new version in place of the old, seen by searches all at once. */
@Injectable()
export class DocumentReplaceService {
  constructor(
    private readonly collections: CollectionsService,
    private readonly collectionRows: CollectionsRepository,
    private readonly database: DatabaseService,
    private readonly repo: DocumentsRepository,
    private readonly chunking: ChunkingService,
    private readonly queue: EmbeddingQueueService,
    private readonly embedder: EmbeddingEngine,
    private readonly writer: VectorWriter,
    private readonly vectors: VectorStore,
    private readonly originals: DocumentOriginals,
  ) {}

  /**
   * Replaces a document atomically: the new chunks are embedded first (when the model is
   * available), then one SQLite transaction swaps the old document for the new, and the vector
   * store is updated in the same synchronous step, so a search sees the old version or the new one,
   * never a mix or neither.
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
    if (before?.content_hash === hash) return this.result(id, 'unchanged', before.pk);
    const chunker = await this.chunking.chunker(collection);
    const chunks = chunker.chunk(doc.text, doc.structure);
    const model = collection.embedding_model;
    const dtype = collection.embedding_dtype as Dtype;
    let embedded: { vectors: Float32Array[]; dim: number } | undefined;
    const status = await this.embedder.ensure({ id: model, dtype: dtype });
    if (status.state === 'ready' && chunker.counter !== estimateTokenCounter.name) {
      embedded = await this.writer.embed(
        { id: model, dtype: dtype },
        chunks.map((c) => c.text),
      );
    }
    const analysis = analysisOf(collection.language, doc.text);
    const swap = this.database.transaction(() => {
      const current = this.repo.find(collection.id, id);
      if (current?.content_hash === hash) {
        return { status: 'unchanged' as const, pk: current.pk, removed: [] as number[] };
      }
      const removed = current ? this.repo.delete(current.pk) : [];
      const { pk, chunkIds } = this.repo.insert(
        newDocument(collection.id, id, doc, hash, metadata, analysis),
        newChunks(chunks, chunker.counter, analysis),
      );
      let written: WrittenVectors | undefined;
      if (embedded && this.collectionRows.pinDimension(collection.id, embedded.dim)) {
        const vectors = embedded.vectors;
        written = this.writer.store(
          collection.id,
          model,
          embedded.dim,
          chunkIds.map((chunkId, i) => ({ chunkId, vector: vectors[i]! })),
        );
      }
      return {
        status: current ? ('replaced' as const) : ('created' as const),
        pk,
        removed,
        written,
      };
    });
    // Same synchronous step as the commit: no search runs between the two.
    this.vectors.delete(collection.id, swap.removed);
    if ('written' in swap && swap.written) this.writer.index(swap.written);
    this.originals.settle(collection.id, id, hash); // a version added as text has none
    if (swap.status !== 'unchanged' && !embedded) await this.queue.drain(collection.id);
    return this.result(id, swap.status, swap.pk);
  }

  private result(id: string, status: ReplaceResult['status'], pk: number): ReplaceResult {
    const chunks = this.repo.chunksOf(pk);
    const pending = chunks.filter((c) => c.embedded === 0).length;
    return { id, status, chunks: chunks.length, pendingChunks: pending };
  }
}
