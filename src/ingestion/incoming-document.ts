import { createHash } from 'node:crypto';
import type { NewChunk, NewDocument } from '../database/documents.repository';
import type { OriginalBytes } from '../originals/original-files';
import { documentLanguage, lexicalKey } from '../language/document-language';
import { indexTerms } from '../language/tokenizer';
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
  /** The file the text was read from, kept to be served as it was (OriginalFiles). */
  original?: OriginalBytes;
}

/** The language a document is analysed in for lexical search, and the setting key recorded with it. */
export interface Analysis {
  language: string;
  lexical: string;
}

/** How a document is analysed under its collection's language setting (detected when 'auto'). */
export function analysisOf(setting: string, text: string): Analysis {
  return { language: documentLanguage(setting, text), lexical: lexicalKey(setting) };
}

/** The same text, title and metadata give the same hash: a document sent again is 'unchanged'. */
export function contentHash(text: string, title: string | null, metadata: string): string {
  return createHash('sha256')
    .update(JSON.stringify([text, title, metadata]))
    .digest('hex');
}

/** The document row to insert (`metadata` already as JSON), with the language it is analysed in. */
export function newDocument(
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

/**
 * Chunk rows to insert, each saying what counted its tokens, with its lexical terms in the
 * document's language.
 */
export function newChunks(
  chunks: readonly Chunk[],
  tokenCounter: string,
  analysis: Analysis,
): NewChunk[] {
  return chunks.map((c) => ({
    ...c,
    tokenCounter,
    terms: indexTerms(c.text, analysis.language),
  }));
}
