/**
 * Parses uploaded files off the main thread: a large PDF keeps a thread busy for seconds, and the
 * HTTP server must keep answering meanwhile. (pdf.js is also an ES module, which this plain Node
 * thread loads natively.) OCR runs from here too: tesseract's own thread is this worker's child,
 * ended with it, and its progress is reported a page at a time.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../../common/errors';
import { parseFile } from './parser-registry';
import type { ParseReply, ParseRequest } from './parse-protocol';

const port = parentPort;
if (!port) throw new Error('parse.worker must run in a worker thread');

port.on('message', (msg: ParseRequest) => {
  const source = msg.data;
  const bytes =
    'path' in source
      ? readFile(source.path)
      : Promise.resolve(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
  bytes
    .then((data) =>
      parseFile({ data, filename: msg.filename, mimeType: msg.mimeType }, msg.options, {
        ocrPage: (done, total) =>
          port.postMessage({
            id: msg.id,
            kind: 'progress',
            ocrPagesDone: done,
            ocrPages: total,
          } satisfies ParseReply),
      }),
    )
    .then(
      (document) => port.postMessage({ id: msg.id, kind: 'ok', document } satisfies ParseReply),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        const details = error instanceof DomainError ? error.details : undefined;
        port.postMessage({
          id: msg.id,
          kind: 'error',
          name: error.name,
          message: error.message,
          ...(details ? { details } : {}),
        } satisfies ParseReply);
      },
    );
});
