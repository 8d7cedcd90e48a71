/**
 * What every parser returns: the document text plus its structure, as character offsets into that
 * text. The chunker follows the structure; the offsets are the ones stored with each chunk.
 */

/** A span of text under one heading path, from its heading (if any) to the next heading. */
export interface Section {
  start: number;
  end: number;
  /** Where the body starts: the end of the heading line, or `start` when the section has no heading in the text. */
  bodyStart: number;
  /** Headings from the outermost down, e.g. ['Methods', 'Training']; empty before the first heading. */
  path: string[];
}

/** The text of one page (1-based) of a paged format (PDF). */
export interface PageSpan {
  page: number;
  start: number;
  end: number;
  /** A page read by OCR: the recogniser's mean word confidence, 0 to 100. Absent for a text layer. */
  ocrConfidence?: number;
}

/**
 * A table whose rows are paragraphs of the text (cells joined by " | "): [start, end) holds the
 * whole table, [start, headerEnd) its header row, which a chunk holding later rows repeats.
 */
export interface TableSpan {
  start: number;
  end: number;
  headerEnd: number;
}

/** The structure the chunker follows; stored with the document so it can be chunked again. */
export interface DocumentStructure {
  /** In text order, not overlapping. Empty when the format has no headings. */
  sections: Section[];
  /** In text order. Empty when the format is not paged. */
  pages: PageSpan[];
  /**
   * The paragraphs are independent records (CSV rows, JSON array items): a chunk holds whole
   * records and repeats none of the previous chunk.
   */
  records?: boolean;
  /** Tables kept as rows, in text order; absent when the document has none. */
  tables?: TableSpan[];
}

export interface StructuredDocument extends DocumentStructure {
  text: string;
  title?: string;
  /** The format the parser read, as a media type: 'application/pdf', 'text/markdown', ... */
  contentType: string;
  /** What the file says about itself (JSON fields, CSV columns, page count), stored as document metadata. */
  metadata: Record<string, unknown>;
}

export const NO_STRUCTURE: DocumentStructure = { sections: [], pages: [] };

/** The section path as shown to users: "Methods > Training", or null outside any section. */
export function formatSectionPath(path: readonly string[]): string | null {
  return path.length > 0 ? path.join(' > ') : null;
}
