import * as yauzl from 'yauzl';
import { CorruptDocumentError, DocumentTooLargeError } from '../../common/errors';
import type { ParseLimits } from './parse-limits';

const MiB = 1024 * 1024;

type ArchiveLimits = Pick<
  ParseLimits,
  'archiveMaxUncompressedBytes' | 'archiveMaxEntries' | 'archiveMaxRatio'
>;

/**
 * Refuses a zip bomb before it is unpacked. The entry count (end of central directory) and each
 * entry's declared uncompressed size (central directory) are checked first, which costs
 * microseconds; then every entry is inflated once into nothing, so an entry that unpacks to more
 * than it declares (a lying directory) fails as soon as it passes its declared size (yauzl's
 * validateEntrySizes) instead of reaching the parser.
 */
export async function checkArchiveBounds(data: Buffer, limits: ArchiveLimits): Promise<void> {
  const zip = await open(data);
  try {
    if (zip.entryCount > limits.archiveMaxEntries) {
      throw new DocumentTooLargeError(
        `The archive holds ${zip.entryCount} entries; at most ${limits.archiveMaxEntries} are read (ARCHIVE_MAX_ENTRIES)`,
        { entries: zip.entryCount, limit: limits.archiveMaxEntries },
      );
    }
    const entries = await readEntries(zip);
    const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (total > limits.archiveMaxUncompressedBytes) {
      throw new DocumentTooLargeError(
        `The archive unpacks to ${total} bytes; at most ${limits.archiveMaxUncompressedBytes} are read (ARCHIVE_MAX_UNCOMPRESSED_BYTES)`,
        { uncompressedBytes: total, limit: limits.archiveMaxUncompressedBytes },
      );
    }
    const ratio = total / Math.max(1, data.byteLength);
    if (total > MiB && ratio > limits.archiveMaxRatio) {
      throw new DocumentTooLargeError(
        `The archive unpacks to ${Math.round(ratio)} times its size (a zip bomb?); at most ${limits.archiveMaxRatio} is read (ARCHIVE_MAX_RATIO)`,
        { ratio: Math.round(ratio), limit: limits.archiveMaxRatio },
      );
    }
    for (const entry of entries) await drain(zip, entry);
  } finally {
    zip.close();
  }
}

function open(data: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(
      data,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err || !zip ? reject(corrupt(err)) : resolve(zip)),
    ),
  );
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (e: Error) => reject(corrupt(e)));
    zip.readEntry();
  });
}

function drain(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  if (entry.fileName.endsWith('/')) return Promise.resolve();
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(corrupt(err));
      stream.on('data', () => undefined);
      stream.once('end', () => resolve());
      stream.once('error', (e: Error) =>
        reject(
          /too many bytes/.test(e.message)
            ? new DocumentTooLargeError(
                `The archive entry '${entry.fileName}' unpacks to more than the ${entry.uncompressedSize} bytes it declares (a zip bomb?)`,
                { entry: entry.fileName, declaredBytes: entry.uncompressedSize },
              )
            : corrupt(e),
        ),
      );
    });
  });
}

const corrupt = (e: Error | null | undefined) =>
  new CorruptDocumentError(`The archive could not be read: ${e?.message ?? 'unknown error'}`);
