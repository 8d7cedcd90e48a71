import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
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
import { startWorker } from '../common/worker-thread';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import type { OcrOptions, ParseOptions } from './parsers/document-parser';
import {
  assertOcrLanguages,
  missingLanguagesMessage,
  missingOcrLanguages,
} from './parsers/ocr/ocr-languages';
import type { ParseReply, ParseRequest } from './parsers/parse-protocol';
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
  OcrNeedsJobError,
};

/** OCR progress of one file: pages read so far, of those to read. */
export interface OcrProgress {
  ocrPagesDone: number;
  ocrPages: number;
}

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

interface Pending {
  worker: Worker;
  resolve: (doc: StructuredDocument) => void;
  reject: (e: Error) => void;
  onProgress?: (progress: OcrProgress) => void;
}

/**
 * Parses uploaded files in one worker thread (parsers/parse.worker.ts), started on first use. A
 * worker that dies fails the files it was parsing, and the next file starts a new one.
 */
@Injectable()
export class ParsingService implements OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {
    const missing = settings.ocr.enabled ? missingOcrLanguages(settings.ocr.languages) : [];
    if (missing.length > 0)
      throw new Error(
        `OCR_LANGS=${settings.ocr.languages.join('+')}: ${missingLanguagesMessage(missing)}`,
      );
  }

  parse(file: UploadedFile, options: ParseRequestOptions = {}): Promise<StructuredDocument> {
    const data = new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    return this.request(data, file.filename, file.mimeType, options);
  }

  /** Parses a file on disk: the worker reads it, so its bytes never pass through the main thread. */
  parseStored(
    filePath: string,
    filename: string,
    mimeType: string,
    options: ParseRequestOptions = {},
  ): Promise<StructuredDocument> {
    return this.request({ path: filePath }, filename, mimeType, options);
  }

  private request(
    data: ParseRequest['data'],
    filename: string,
    mimeType: string,
    { onProgress, ...options }: ParseRequestOptions,
  ): Promise<StructuredDocument> {
    return new Promise((resolve, reject) => {
      // Thrown here (a language not installed): a rejection, as any parse failure.
      const withLimits: ParseOptions = {
        maxPages: this.settings.limits.maxPagesPerDocument,
        ...(options.textFields ? { textFields: options.textFields } : {}),
        ...(this.settings.ocr.enabled ? { ocr: this.ocrOptions(options) } : {}),
      };
      const worker = this.worker ?? this.start();
      const id = this.nextId++;
      this.pending.set(id, { worker, resolve, reject, onProgress });
      worker.ref();
      worker.postMessage({
        id,
        data,
        filename,
        mimeType,
        options: withLimits,
      } satisfies ParseRequest);
    });
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
      dataDir: path.join(this.settings.storageDir, 'ocr-languages'),
      ...(options.synchronous ? { maxPages: this.settings.ocr.syncMaxPages } : {}),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorker(path.join(__dirname, 'parsers'), 'parse.worker');
    worker.on('message', (msg: ParseReply) => this.settle(worker, msg));
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(e);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the parser worker exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(worker: Worker, msg: ParseReply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.kind === 'progress') {
      p.onProgress?.({ ocrPagesDone: msg.ocrPagesDone, ocrPages: msg.ocrPages });
      return;
    }
    this.pending.delete(msg.id);
    if (![...this.pending.values()].some((o) => o.worker === worker)) worker.unref();
    if (msg.kind === 'ok') {
      p.resolve(msg.document);
      return;
    }
    const Known = PARSE_ERRORS[msg.name];
    p.reject(Known ? new Known(msg.message, msg.details) : new Error(msg.message));
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
