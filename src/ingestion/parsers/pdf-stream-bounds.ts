import * as zlib from 'node:zlib';
import { DocumentTooLargeError } from '../../common/errors';

/** How far back from `stream` its dictionary is looked for. */
const DICTIONARY_WINDOW = 4096;

/**
 * Refuses a PDF compression bomb before pdf.js reads it: every Flate stream that is not an image
 * (content streams, forms, fonts, object streams: what text extraction decodes) is inflated once
 * into nothing, counting bytes, and the file is refused as soon as the total passes `maxBytes`.
 * A 250 KB PDF whose page inflates to 160 MiB of text operators kept pdf.js busy for 21 s and
 * 630 MB; counting costs a few hundred milliseconds and no memory. Streams are found by their
 * keyword, as a reader repairing a broken file would; one that does not inflate (encrypted,
 * damaged) is left to pdf.js.
 */
export async function checkPdfStreams(data: Buffer, maxBytes: number): Promise<void> {
  const text = data.toString('latin1');
  const keyword = /(?<![A-Za-z])stream(?:\r\n|\n|\r)/g;
  let total = 0;
  for (let m = keyword.exec(text); m; m = keyword.exec(text)) {
    const start = m.index + m[0].length;
    const dict = text.slice(Math.max(0, m.index - DICTIONARY_WINDOW), m.index);
    const own = dict.slice(dict.lastIndexOf('obj') + 1);
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(own)?.[1];
    const end = length ? Math.min(data.length, start + Number(length)) : data.length;
    if (length) keyword.lastIndex = end;
    if (!/\/FlateDecode/.test(own) || /\/Subtype\s*\/Image/.test(own)) continue;
    total += await inflatedSize(data.subarray(start, end), maxBytes - total + 1);
    if (total > maxBytes) {
      throw new DocumentTooLargeError(
        `The PDF's compressed streams unpack to more than ${maxBytes} bytes (PDF_MAX_DECOMPRESSED_BYTES; a compression bomb?)`,
        { limit: maxBytes },
      );
    }
  }
}

/** Bytes the zlib stream inflates to, stopping once past `cap`; 0 when it does not inflate. */
function inflatedSize(compressed: Buffer, cap: number): Promise<number> {
  return new Promise((resolve) => {
    let size = 0;
    const inflate = zlib.createInflate({ chunkSize: 1024 * 1024 });
    inflate.on('data', (d: Buffer) => {
      size += d.length;
      if (size > cap) {
        inflate.destroy();
        resolve(size);
      }
    });
    inflate.once('end', () => resolve(size));
    inflate.once('error', () => resolve(size));
    inflate.end(compressed);
  });
}
