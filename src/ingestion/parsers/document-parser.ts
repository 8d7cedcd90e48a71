import { UnsupportedMediaTypeError } from '../../common/errors';
import type { FormatNames } from './formats';
import type { ParseLimits } from './parse-limits';
import type { StructuredDocument } from './structured-document';

/** How pages without a text layer and images are read (OCR_* settings and the upload's languages). */
export interface OcrOptions {
  /** Tesseract language codes, read together: ['eng'], ['eng', 'fra']. */
  languages: string[];
  /** Resolution PDF pages are rendered at. */
  dpi: number;
  /** Largest image read (a rendered page is scaled down to it; a larger upload is refused). */
  maxPixels: number;
  /** More pages to read than this is refused (OcrNeedsJobError): a synchronous upload's limit. */
  maxPages?: number;
  /** More pages to read than this is refused (DocumentTooLargeError): OCR_MAX_PAGES, jobs too. */
  pageLimit: number;
  /** Where links to the models of several languages are made (under STORAGE_DIR). */
  dataDir?: string;
}

/** Per-upload choices a parser may take. */
export interface ParseOptions {
  /** JSON: the fields (dot paths) whose strings are the text; the rest becomes metadata. */
  textFields?: string[];
  /** Paged formats: more pages than this is refused (DocumentTooLargeError). */
  maxPages?: number;
  /** Bounds against bombs (zip, deep markup, compressed PDF streams); unchecked when absent. */
  limits?: ParseLimits;
  /** OCR of scanned pages and images; absent: OCR is off (OCR=off), and they have no text. */
  ocr?: OcrOptions;
}

/** What a parser tells while it works: OCR progress, a page at a time. */
export interface ParseProgress {
  ocrPage(done: number, total: number): void;
}

/**
 * What a file's bytes say about one format: `match` when they carry its signature (magic bytes),
 * `likely` when they look like it (an HTML doctype, a JSON object), `possible` when nothing rules
 * it out (any UTF-8 text could be Markdown), `impossible` otherwise.
 */
export type Sniff = 'match' | 'likely' | 'possible' | 'impossible';

/** One parser per format, chosen by the file's signature and content type (see parser-registry.ts). */
export interface DocumentParser extends FormatNames {
  sniff(data: Buffer): Sniff;
  /** Synchronous for the text formats; PDF and DOCX libraries are asynchronous. */
  parse(
    data: Buffer,
    options: ParseOptions,
    progress?: ParseProgress,
  ): StructuredDocument | Promise<StructuredDocument>;
}

/** A parser of a text format: it parses synchronously. */
export interface TextFormatParser extends DocumentParser {
  parse(data: Buffer, options: ParseOptions): StructuredDocument;
}

/** The start of a file, enough to sniff text formats. */
export const head = (data: Buffer): Buffer => data.subarray(0, 1024);

/** Text formats: a NUL byte in the first kilobyte means binary. */
export const sniffText = (data: Buffer, looksLike?: (start: string) => boolean): Sniff => {
  if (head(data).includes(0)) return 'impossible';
  return looksLike?.(
    head(data)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart(),
  )
    ? 'likely'
    : 'possible';
};

/** Strict UTF-8 (a byte-order mark dropped); anything else is refused rather than garbled. */
export function decodeUtf8(data: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new UnsupportedMediaTypeError('The file is not valid UTF-8 text');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
