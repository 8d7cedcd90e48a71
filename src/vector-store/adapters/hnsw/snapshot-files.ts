import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncFileAsync } from '../../../common/fsync';
import { HnswParams, HnswVectorIndex } from './hnsw-vector-index';

/** `<id>.meta.json`, beside `<id>.hnsw`: what the graph file holds and its checksum. */
export interface SnapshotMeta {
  format: 1;
  collectionId: number;
  dim: number;
  /** The collection's vector generation (bumped by each embedding-model switch); absent means 0. */
  generation?: number;
  /** The last chunk_vectors.seq the snapshot contains. */
  watermark: number;
  size: number;
  sha256: string;
}

/** The directory under STORAGE_DIR that holds the snapshots (a backup repeats the layout). */
export const SNAPSHOT_DIR = 'indexes';

export const indexFileName = (collectionId: number) => `${collectionId}.hnsw`;
export const metaFileName = (collectionId: number) => `${collectionId}.meta.json`;

/**
 * The snapshot files of every collection's index: one writer (off the main thread, atomic), one
 * reader (verified against its meta), and removal.
 */
export class SnapshotFiles {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  indexFile(collectionId: number): string {
    return path.join(this.dir, indexFileName(collectionId));
  }

  metaFile(collectionId: number): string {
    return path.join(this.dir, metaFileName(collectionId));
  }

  /**
   * Writes the index and its meta atomically: the graph into a temp file off the main thread, its
   * checksum, fsync; then the meta into a temp file and both renamed into place, index first and
   * meta last, in one synchronous step. `current` is asked right before that step: false (the
   * collection was dropped or switched to another index meanwhile) discards the write. The caller
   * must not change the index while this runs; searching is fine. Throws on a failed write (the
   * previous pair stays intact).
   */
  async write(
    collectionId: number,
    index: HnswVectorIndex,
    books: { generation: number; watermark: number },
    current: () => boolean,
  ): Promise<'written' | 'stale'> {
    const file = this.indexFile(collectionId);
    const tmp = `${file}.tmp`;
    const metaFile = this.metaFile(collectionId);
    const metaTmp = `${metaFile}.tmp`;
    const size = index.size;
    try {
      await index.writeAsync(tmp);
      const sha256 = await sha256FileAsync(tmp);
      await fsyncFileAsync(tmp);
      if (!current()) {
        await fs.promises.rm(tmp, { force: true });
        return 'stale';
      }
      const meta: SnapshotMeta = {
        format: 1,
        collectionId,
        dim: index.dim,
        generation: books.generation,
        watermark: books.watermark,
        size,
        sha256,
      };
      // Both files are written before either is renamed: a full disk fails here, the old pair intact.
      writeSynced(metaTmp, JSON.stringify(meta));
      fs.renameSync(tmp, file);
      fs.renameSync(metaTmp, metaFile);
      return 'written';
    } catch (e) {
      removeQuietly(tmp, metaTmp);
      throw e;
    }
  }

  /** The snapshot as an index, if it is there, of this collection, width and generation, and its checksum holds. */
  read(
    collectionId: number,
    dim: number,
    generation: number,
    params: HnswParams,
  ): { index: HnswVectorIndex; watermark: number } | { reason: string } {
    const file = this.indexFile(collectionId);
    const metaFile = this.metaFile(collectionId);
    if (!fs.existsSync(file) || !fs.existsSync(metaFile)) return { reason: 'no snapshot' };
    try {
      const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as SnapshotMeta;
      if (meta.format !== 1 || meta.collectionId !== collectionId || meta.dim !== dim) {
        return { reason: 'snapshot meta does not match the collection' };
      }
      if ((meta.generation ?? 0) !== generation) {
        return {
          reason: `snapshot holds vector generation ${meta.generation ?? 0}, the collection is at ${generation} (embedding model changed)`,
        };
      }
      if (sha256File(file) !== meta.sha256) return { reason: 'snapshot checksum mismatch' };
      return { index: HnswVectorIndex.read(file, dim, params), watermark: meta.watermark };
    } catch (e) {
      return { reason: `snapshot unreadable: ${(e as Error).message}` };
    }
  }

  remove(collectionId: number): void {
    for (const f of [this.indexFile(collectionId), this.metaFile(collectionId)])
      fs.rmSync(f, { force: true });
  }
}

/** The fields of a meta file's text that an export needs, or undefined when it is not one. */
export function parseSnapshotMeta(
  text: string,
): { watermark: number; size: number; sha256: string } | undefined {
  try {
    const m = JSON.parse(text) as { watermark?: unknown; size?: unknown; sha256?: unknown };
    if (
      typeof m.watermark === 'number' &&
      typeof m.size === 'number' &&
      typeof m.sha256 === 'string'
    ) {
      return { watermark: m.watermark, size: m.size, sha256: m.sha256 };
    }
  } catch {
    // unreadable
  }
  return undefined;
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function sha256FileAsync(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function writeSynced(file: string, data: string): void {
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes leftovers of a failed write; on a read-only file system there is nothing to remove. */
function removeQuietly(...files: string[]): void {
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      // EROFS or EACCES: the file could not have been created either
    }
  }
}
