import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import * as path from 'node:path';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  DomainError,
  EncryptedDocumentError,
  InvalidInputError,
  NoExtractableTextError,
  UnsupportedMediaTypeError,
} from '../common/errors';
import { WorkerClient } from '../common/worker-client';
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
 * Parses uploaded files in one worker thread (parsers/parse.worker.ts), started on first use. A
 * worker that dies fails the files it was parsing, and the next file starts a new one.
 */
@Injectable()
export class ParsingService implements OnApplicationShutdown {
  private worker: WorkerClient<ParseRequest> | undefined;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  parse(file: UploadedFile, options: ParseOptions = {}): Promise<StructuredDocument> {
    const data = new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    return this.request(data, file.filename, file.mimeType, options);
  }

  /** Parses a file on disk: the worker reads it, so its bytes never pass through the main thread. */
  parseStored(
    filePath: string,
    filename: string,
    mimeType: string,
    options: ParseOptions = {},
  ): Promise<StructuredDocument> {
    return this.request({ path: filePath }, filename, mimeType, options);
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private request(
    data: ParseRequest['data'],
    filename: string,
    mimeType: string,
    options: ParseOptions,
  ): Promise<StructuredDocument> {
    if (!this.worker || this.worker.failed) {
      this.worker = new WorkerClient<ParseRequest>(
        path.join(__dirname, 'parsers'),
        'parse.worker',
        {
          revive: (name, message, details) => {
            const Known = PARSE_ERRORS[name];
            return Known ? new Known(message, details) : undefined;
          },
        },
      );
    }
    const withLimits: ParseOptions = {
      maxPages: this.settings.limits.maxPagesPerDocument,
      ...options,
    };
    return this.worker.request({ data, filename, mimeType, options: withLimits });
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
