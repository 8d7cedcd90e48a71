import type { ParseOptions } from './document-parser';

/** A request from ParsingService to parse.worker.ts (which replies with a StructuredDocument). */
export interface ParseRequest {
  /** The file's bytes, or where to read them (a job's spooled file: the main thread never holds it). */
  data: Uint8Array | { path: string };
  filename: string;
  mimeType: string;
  options: ParseOptions;
}

/** An event of a parse while it runs: pages read by OCR so far, of those to read. */
export interface ParseEvent {
  ocrPagesDone: number;
  ocrPages: number;
}
