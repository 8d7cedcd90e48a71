/**
 * Parses uploaded files off the main thread: a large PDF keeps a thread busy for seconds, and the
 * HTTP server must keep answering meanwhile. (pdf.js is also an ES module, which this plain Node
 * thread loads natively.) OCR runs from here too: tesseract's own thread is this worker's child,
 * ended with it, and its progress is reported a page at a time (ParseEvent).
 */
import { readFile } from 'node:fs/promises';
import { serveRequests } from '../../common/worker-protocol';
import { parseFile } from './parser-registry';
import type { ParseEvent, ParseRequest } from './parse-protocol';

serveRequests<ParseRequest>(async (req, emit) => {
  const source = req.data;
  const data =
    'path' in source
      ? await readFile(source.path)
      : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const document = await parseFile(
    { data, filename: req.filename, mimeType: req.mimeType },
    req.options,
    {
      ocrPage: (done, total) => emit({ ocrPagesDone: done, ocrPages: total } satisfies ParseEvent),
    },
  );
  return { result: document };
});
