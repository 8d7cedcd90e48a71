import { Injectable, Logger } from '@nestjs/common';
import { CollectionRow } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { DocumentsRepository } from '../database/documents.repository';
import { ModelsService } from '../models/models.service';
import { Chunk, chunkText, estimateTokenCounter } from './chunker';
import { DocumentStructure, NO_STRUCTURE } from './parsers/structured-document';

/** Used when the tokenizer cannot be loaded: the common BERT-family input limit. */
const FALLBACK_MAX_TOKENS = 512;

/**
 * Chunks documents with the collection's embedding tokenizer, or with a safe estimate while the
 * tokenizer is unavailable; documents chunked by estimate are chunked again with the real tokenizer
 * before their chunks are embedded, so no chunk ever exceeds the model's input limit.
 */
@Injectable()
export class ChunkingService {
  private readonly logger = new Logger(ChunkingService.name);

  constructor(
    private readonly models: ModelsService,
    private readonly documents: DocumentsRepository,
    private readonly database: DatabaseService,
  ) {}

  async chunker(collection: CollectionRow): Promise<{ counter: string; chunk: (text: string, structure?: DocumentStructure) => Chunk[] }> {
    const tokens = await this.models.passageTokenCounter(collection.embedding_model);
    const counter = tokens?.counter ?? estimateTokenCounter;
    const maxTokens = tokens?.maxTokens ?? FALLBACK_MAX_TOKENS;
    return {
      counter: counter.name,
      chunk: (text: string, structure: DocumentStructure = NO_STRUCTURE) =>
        chunkText(text, counter, { size: collection.chunk_size, overlap: collection.chunk_overlap, maxTokens }, structure),
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
      const chunks = chunk(content.text, content.structure ? (JSON.parse(content.structure) as DocumentStructure) : NO_STRUCTURE);
      const done = this.database.transaction(() => this.documents.replacePendingChunks(pk, collection.id, chunks.map((c) => ({ ...c, tokenCounter: counter }))));
      if (done) n++;
    }
    if (n > 0) this.logger.log(`Re-chunked ${n} documents of collection ${collection.name} with the ${counter} tokenizer`);
    return n;
  }
}
