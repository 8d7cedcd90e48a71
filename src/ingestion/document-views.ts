import type { ChunkRow, DocumentRow, DocumentSummaryRow } from '../database/documents.repository';

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

export function documentView(r: DocumentRow | DocumentSummaryRow): DocumentView {
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

export function chunkView(c: ChunkRow): ChunkView {
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
