import type { ParseOptions } from './document-parser';
import type { StructuredDocument } from './structured-document';

/** Messages between ParsingService and parse.worker.ts. */
export interface ParseRequest {
  id: number;
  /** The file's bytes, or where to read them (a job's spooled file: the main thread never holds it). */
  data: Uint8Array | { path: string };
  filename: string;
  mimeType: string;
  options: ParseOptions;
}

export type ParseReply =
  | { id: number; kind: 'ok'; document: StructuredDocument }
  /** Pages read by OCR so far, of those to read. */
  | { id: number; kind: 'progress'; ocrPagesDone: number; ocrPages: number }
  | { id: number; kind: 'error'; name: string; message: string; details?: Record<string, unknown> };
