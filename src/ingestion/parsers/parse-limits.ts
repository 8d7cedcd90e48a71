/**
 * Bounds on what a file may unpack to, checked before (or while) the expensive work: a small
 * file must not be able to cost gigabytes or minutes. Set from the settings (PARSE limits area).
 */
export interface ParseLimits {
  /** Zip-based formats: total declared uncompressed size of the entries. */
  archiveMaxUncompressedBytes: number;
  archiveMaxEntries: number;
  /** Uncompressed size over the archive's size, past 1 MiB uncompressed. */
  archiveMaxRatio: number;
  /** HTML: element nesting and element count. */
  markupMaxDepth: number;
  markupMaxNodes: number;
  /** PDF: what its compressed streams (images aside) unpack to. */
  pdfMaxDecompressedBytes: number;
  /** PDF, DOCX: length of the text taken out (UTF-16 code units, close to bytes for most text). */
  maxExtractedTextBytes: number;
}

/** Parser-made metadata is capped like a client's (the DTOs' 64 KB). */
export const MAX_PARSER_METADATA_CHARS = 65536;
