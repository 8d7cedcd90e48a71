import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  DomainError,
  EncryptedDocumentError,
  InvalidInputError,
  NoExtractableTextError,
  OcrNeedsJobError,
  UnsupportedMediaTypeError,
} from '../common/errors';
import { ParsePool } from './parse-pool';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import type { OcrOptions, ParseOptions } from './parsers/document-parser';
import {
  assertOcrLanguages,
  missingLanguagesMessage,
  missingOcrLanguages,
} from './parsers/ocr/ocr-languages';
import type { ParseEvent, ParseRequest } from './parsers/parse-protocol';
import type { IncomingDocument } from './incoming-document';
import type { UploadedFile } from './parsers/parser-registry';
import type { StructuredDocument } from './parsers/structured-document';

/** The errors a parser throws, rebuilt on this side of the thread boundary by name. */
const PARSE_ERRORS: Record<
  string,
  new (message: string, details?: Record<string, unknown>) => DomainError
> = {
  UnsupportedMediaTypeError,
  InvalidInputError,
  NoExtractableTextError,
  EncryptedDocumentError,
  CorruptDocumentError,
  DocumentTooLargeError,
  OcrNeedsJobError,
};

/** OCR progress of one file: pages read so far, of those to read. */
export type OcrProgress = ParseEvent;

/** What a caller asks of one file's parsing. */
export interface ParseRequestOptions {
  /** JSON files: the fields whose strings are the text. */
  textFields?: string[];
  /** OCR languages for this file (an upload's ocrLangs); default OCR_LANGS. */
  ocrLanguages?: string[];
  /** Answered at once (not a job): more than OCR_SYNC_MAX_PAGES pages to OCR is refused (413). */
  synchronous?: boolean;
  /** Called as pages are read by OCR. */
  onProgress?: (progress: OcrProgress) => void;
}

/**
 * Parses uploaded files in a pool of worker threads (parse-pool.ts) with a time and a memory limit
 * per file (and a time limit per page read by OCR); small files have a worker of their own.
 * Workers start on first use. OCR_LANGS must name installed languages, or the server does not start.
 */
@Injectable()
export class ParsingService implements OnApplicationShutdown {
  private readonly pool: ParsePool;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {
    const missing = settings.ocr.enabled ? missingOcrLanguages(settings.ocr.languages) : [];
    if (missing.length > 0)
      throw new Error(
        `OCR_LANGS=${settings.ocr.languages.join('+')}: ${missingLanguagesMessage(missing)}`,
      );
    this.pool = new ParsePool({
      ...settings.parsing,
      ocrPageTimeoutMs: settings.ocr.pageTimeoutMs,
      revive: (name, message, details) => {
        const Known = PARSE_ERRORS[name];
        return Known ? new Known(message, details) : undefined;
      },
    });
  }

  parse(file: UploadedFile, options: ParseRequestOptions = {}): Promise<StructuredDocument> {
    const data = new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    return this.request(data, data.byteLength, file.filename, file.mimeType, options);
  }

  /** Parses a file on disk: the worker reads it, so its bytes never pass through the main thread. */
  async parseStored(
    filePath: string,
    filename: string,
    mimeType: string,
    options: ParseRequestOptions = {},
  ): Promise<StructuredDocument> {
    const { size } = await fs.stat(filePath);
    return this.request({ path: filePath }, size, filename, mimeType, options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** Async: a language not installed is a rejection, as any parse failure. */
  private async request(
    data: ParseRequest['data'],
    bytes: number,
    filename: string,
    mimeType: string,
    { onProgress, ...options }: ParseRequestOptions,
  ): Promise<StructuredDocument> {
    const withLimits: ParseOptions = {
      maxPages: this.settings.limits.maxPagesPerDocument,
      limits: this.settings.parseLimits,
      ...(options.textFields ? { textFields: options.textFields } : {}),
      ...(this.settings.ocr.enabled ? { ocr: this.ocrOptions(options) } : {}),
    };
    return this.pool.parse({ data, filename, mimeType, options: withLimits }, bytes, onProgress);
  }

  private ocrOptions(options: ParseRequestOptions): OcrOptions {
    const languages = options.ocrLanguages?.length
      ? options.ocrLanguages
      : this.settings.ocr.languages;
    assertOcrLanguages(languages);
    return {
      languages,
      dpi: this.settings.ocr.dpi,
      maxPixels: this.settings.ocr.maxPixels,
      pageLimit: this.settings.ocr.maxPages,
      dataDir: path.join(this.settings.storageDir, 'ocr-languages'),
      ...(options.synchronous ? { maxPages: this.settings.ocr.syncMaxPages } : {}),
    };
  }
}

/** What a client says of a file it sends (an upload's form fields, a URL's JSON). */
export interface FileFields {
  id?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** JSON files: the fields whose strings are the text. */
  textFields?: string[];
  /** Images and scanned pages: the OCR languages (default OCR_LANGS). */
  ocrLangs?: string[];
}

/** A parsed file as a document to store: the client's title and metadata over the parser's. */
export function documentFromParsed(
  parsed: StructuredDocument,
  filename: string,
  source: string,
  fields: FileFields,
): IncomingDocument {
  return {
    id: fields.id,
    title: fields.title ?? parsed.title ?? filename,
    text: parsed.text,
    metadata: { ...parsed.metadata, ...fields.metadata, filename },
    source,
    contentType: parsed.contentType,
    structure: {
      sections: parsed.sections,
      pages: parsed.pages,
      ...(parsed.records ? { records: true } : {}),
      ...(parsed.tables ? { tables: parsed.tables } : {}),
    },
  };
}
