import { Inject, Injectable, Logger } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DocumentTooLargeError } from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionRow } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository } from '../database/documents.repository';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Chunk, chunkText, chunkTextInSteps } from './chunker';
import { estimateTokenCounter } from '../engines/token-counter';
import { documentLanguage } from '../language/document-language';
import { indexTerms } from '../language/tokenizer';
import { DocumentStructure, NO_STRUCTURE } from './parsers/structured-document';

/** Used when the tokenizer cannot be loaded: the common BERT-family input limit. */
const FALLBACK_MAX_TOKENS = 512;
/** Longest stretch of chunking between two turns of the event loop. */
const SLICE_MS = 20;

export interface Chunker {
  /** 'estimate' or the tokenizer's model id. */
  counter: string;
  /** Chunks at once: for texts of a request body. Past MAX_CHUNKS_PER_DOCUMENT: DocumentTooLargeError. */
  chunk(text: string, structure?: DocumentStructure): Chunk[];
  /** The same chunks, yielding to the event loop every few milliseconds: for large files. */
  chunkYielding(text: string, structure?: DocumentStructure): Promise<Chunk[]>;
}

/**
 * Chunks documents with the collection's embedding tokenizer, or with a safe estimate while the
 * tokenizer is unavailable; documents chunked by estimate are chunked again with the real tokenizer
 * before their chunks are embedded, so no chunk ever exceeds the model's input limit.
 */
@Injectable()
export class ChunkingService {
  private readonly logger = new Logger(ChunkingService.name);

  constructor(
    private readonly embedder: EmbeddingEngine,
    private readonly documents: DocumentsRepository,
    private readonly database: DatabaseService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async chunker(collection: CollectionRow): Promise<Chunker> {
    const tokens = await this.embedder.passageTokenCounter(collection.embedding_model);
    const counter = tokens?.counter ?? estimateTokenCounter;
    const options = {
      size: collection.chunk_size,
      overlap: collection.chunk_overlap,
      maxTokens: tokens?.maxTokens ?? FALLBACK_MAX_TOKENS,
    };
    const max = this.settings.limits.maxChunksPerDocument;
    const tooMany = (n: number) =>
      new DocumentTooLargeError(
        `The document makes more than ${max} chunks (MAX_CHUNKS_PER_DOCUMENT); split it or raise the limit`,
        { limit: max, chunksSoFar: n },
      );
    return {
      counter: counter.name,
      chunk: (text, structure = NO_STRUCTURE) => {
        const chunks = chunkText(text, counter, options, structure);
        if (chunks.length > max) throw tooMany(chunks.length);
        return chunks;
      },
      chunkYielding: async (text, structure = NO_STRUCTURE) => {
        const chunks: Chunk[] = [];
        let sliceStart = performance.now();
        for (const step of chunkTextInSteps(text, counter, options, structure)) {
          for (const c of step) chunks.push(c);
          if (chunks.length > max) throw tooMany(chunks.length);
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToEventLoop();
            sliceStart = performance.now();
          }
        }
        return chunks;
      },
    };
  }

  /** Re-chunks, with the real tokenizer, the documents whose chunks were sized by estimate. */
  async rechunkEstimated(collection: CollectionRow): Promise<number> {
    const pks = this.documents.documentsChunkedBy(collection.id, estimateTokenCounter.name);
    if (pks.length === 0) return 0;
    const { counter, chunk } = await this.chunker(collection);
    if (counter === estimateTokenCounter.name) return 0;
    let n = 0;
    for (const pk of pks) {
      const content = this.documents.content(pk);
      if (content === undefined) continue;
      const chunks = chunk(
        content.text,
        content.structure ? (JSON.parse(content.structure) as DocumentStructure) : NO_STRUCTURE,
      );
      const language = content.language ?? documentLanguage(collection.language, content.text);
      const done = this.database.transaction(() =>
        this.documents.replacePendingChunks(
          pk,
          collection.id,
          chunks.map((c) => ({
            ...c,
            tokenCounter: counter,
            terms: indexTerms(c.text, language),
          })),
        ),
      );
      if (done) n++;
    }
    if (n > 0)
      this.logger.log(
        `Re-chunked ${n} documents of collection ${collection.name} with the ${counter} tokenizer`,
      );
    return n;
  }
}
