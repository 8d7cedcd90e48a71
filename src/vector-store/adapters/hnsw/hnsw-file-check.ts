import * as fs from 'node:fs';
import { IncompleteWriteError } from '../../../common/storage-faults';

/**
 * hnswlib's header (hnswalg.h, saveIndex): offsetLevel0, maxElements, curElementCount,
 * sizeDataPerElement, labelOffset, offsetData (8 bytes each), maxLevel, enterpointNode (4 each),
 * maxM, maxM0, M, mult, efConstruction (8 each).
 */
const HEADER_BYTES = 96;
const COUNT_OFFSET = 16;
const SIZE_PER_ELEMENT_OFFSET = 24;

/**
 * Throws IncompleteWriteError unless `file` is as long as its own structure says: the header, the
 * level-0 block (count x bytes per element), then per element a 4-byte length and that many bytes of
 * upper-level links. hnswlib writes through a C++ stream whose errors it never checks, so a full
 * disk (or a file-size limit, or a directory it cannot write) leaves a short or missing file that it
 * reports as written.
 */
export function assertCompleteHnswFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new IncompleteWriteError(file, 0, HEADER_BYTES);
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < HEADER_BYTES) throw new IncompleteWriteError(file, size, HEADER_BYTES);
    const header = Buffer.alloc(HEADER_BYTES);
    fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    const count = Number(header.readBigUInt64LE(COUNT_OFFSET));
    const level0End =
      HEADER_BYTES + count * Number(header.readBigUInt64LE(SIZE_PER_ELEMENT_OFFSET));
    // Each element has at least its 4-byte link-list length after the level-0 block.
    if (size < level0End + 4 * count)
      throw new IncompleteWriteError(file, size, level0End + 4 * count);
    const tail = Buffer.alloc(size - level0End);
    fs.readSync(fd, tail, 0, tail.length, level0End);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      if (pos + 4 > tail.length)
        throw new IncompleteWriteError(file, size, level0End + pos + 4 * (count - i));
      pos += 4 + tail.readUInt32LE(pos);
    }
    if (pos > tail.length) throw new IncompleteWriteError(file, size, level0End + pos);
    if (pos < tail.length)
      throw new Error(`${file} is ${tail.length - pos} bytes longer than its structure says`);
  } finally {
    fs.closeSync(fd);
  }
}
