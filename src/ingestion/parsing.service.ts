import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  CorruptDocumentError,
  DomainError,
  EncryptedDocumentError,
  InvalidInputError,
  NoExtractableTextError,
  UnsupportedMediaTypeError,
} from '../common/errors';
import { startWorker } from '../common/worker-thread';
import type { ParseOptions } from './parsers/document-parser';
import type { ParseReply, ParseRequest } from './parsers/parse-protocol';
import type { UploadedFile } from './parsers/parser-registry';
import type { StructuredDocument } from './parsers/structured-document';

/** The errors a parser throws, rebuilt on this side of the thread boundary by name. */
const PARSE_ERRORS: Record<string, new (message: string, details?: Record<string, unknown>) => DomainError> = {
  UnsupportedMediaTypeError,
  InvalidInputError,
  NoExtractableTextError,
  EncryptedDocumentError,
  CorruptDocumentError,
};

interface Pending {
  worker: Worker;
  resolve: (doc: StructuredDocument) => void;
  reject: (e: Error) => void;
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

  parse(file: UploadedFile, options: ParseOptions = {}): Promise<StructuredDocument> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.ref();
      const data = new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
      worker.postMessage({ id, data, filename: file.filename, mimeType: file.mimeType, options } satisfies ParseRequest);
    });
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
