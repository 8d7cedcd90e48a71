import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  DomainError,
  EncryptedDocumentError,
  InvalidInputError,
  NoExtractableTextError,
  UnsupportedMediaTypeError,
} from '../common/errors';
import { ParsePool } from './parse-pool';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import type { ParseOptions } from './parsers/document-parser';
import type { ParseRequest } from './parsers/parse-protocol';
import type { IncomingDocument } from './documents.service';
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
};

/**
 * Parses uploaded files in a pool of worker threads (parse-pool.ts) with a time and a memory limit
 * per file; small files have a worker of their own. Workers start on first use.
 */
@Injectable()
export class ParsingService implements OnApplicationShutdown {
  private readonly pool: ParsePool;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {
    this.pool = new ParsePool({
      ...settings.parsing,
      revive: (name, message, details) => {
        const Known = PARSE_ERRORS[name];
        return Known ? new Known(message, details) : undefined;
      },
    });
  }

  parse(file: UploadedFile, options: ParseOptions = {}): Promise<StructuredDocument> {
    const data = new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    return this.request(data, data.byteLength, file.filename, file.mimeType, options);
  }

  /** Parses a file on disk: the worker reads it, so its bytes never pass through the main thread. */
  async parseStored(
    filePath: string,
    filename: string,
    mimeType: string,
    options: ParseOptions = {},
  ): Promise<StructuredDocument> {
    const { size } = await fs.stat(filePath);
    return this.request({ path: filePath }, size, filename, mimeType, options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private request(
    data: ParseRequest['data'],
    bytes: number,
    filename: string,
    mimeType: string,
    options: ParseOptions,
  ): Promise<StructuredDocument> {
    const withLimits: ParseOptions = {
      maxPages: this.settings.limits.maxPagesPerDocument,
      limits: this.settings.parseLimits,
      ...options,
    };
    return this.pool.parse({ data, filename, mimeType, options: withLimits }, bytes);
  }
}

/** What a client says of a file it sends (an upload's form fields, a URL's JSON). */
export interface FileFields {
  id?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** JSON files: the fields whose strings are the text. */
  textFields?: string[];
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
    },
  };
}
