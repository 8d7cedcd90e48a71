import { createHash } from 'node:crypto';
import type { NewChunk, NewDocument } from '../database/documents.repository';
import type { Chunk } from './chunker';
import type { DocumentStructure } from './parsers/structured-document';

/** A document as a request or a job brings it. */
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

/** The same text, title and metadata give the same hash: a document sent again is 'unchanged'. */
export function contentHash(text: string, title: string | null, metadata: string): string {
  return createHash('sha256')
    .update(JSON.stringify([text, title, metadata]))
    .digest('hex');
}

/** The document row to insert (`metadata` already as JSON). */
export function newDocument(
  collectionId: number,
  id: string,
  doc: Omit<IncomingDocument, 'id'>,
  hash: string,
  metadata: string,
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
  };
}

/** Chunk rows to insert, each saying what counted its tokens. */
export function newChunks(chunks: readonly Chunk[], tokenCounter: string): NewChunk[] {
  return chunks.map((c) => ({ ...c, tokenCounter }));
}
