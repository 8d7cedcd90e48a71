import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CollectionExport, ExportSink, VectorStoreExport } from '../../vector-store';
import {
  SNAPSHOT_DIR,
  SnapshotFiles,
  indexFileName,
  metaFileName,
  parseSnapshotMeta,
} from './snapshot-files';

/** A snapshot replaced while it was copied is copied again, this many times in all. */
const COPY_ATTEMPTS = 3;

/**
 * Snapshots out of and into the store's directory: an export copies each snapshot pair whose
 * checksum verifies (`indexes/<id>.hnsw` and `indexes/<id>.meta.json`, as under STORAGE_DIR); an
 * import puts an export's pairs in place of the store's own.
 */
export class SnapshotExport {
  private readonly logger = new Logger('HnswVectorStore');

  constructor(private readonly files: SnapshotFiles) {}

  /** Copies every snapshot; a missing, damaged or ever-changing one is left out (rebuilt on import). */
  async export(
    sink: ExportSink,
    onProgress: (done: number, total: number) => void = () => undefined,
  ): Promise<VectorStoreExport> {
    const ids = (await fs.promises.readdir(this.files.dir))
      .map((name) => /^(\d+)\.meta\.json$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    await sink.directory(SNAPSHOT_DIR);
    const total = 2 * ids.length;
    let done = 0;
    const collections: CollectionExport[] = [];
    for (const id of ids) {
      onProgress(done, total);
      const copied = await this.copy(id, sink);
      if (copied) {
        collections.push(copied);
        done += 2;
      }
    }
    onProgress(done, total);
    return { collections };
  }

  /**
   * Copies `<id>.hnsw` and then its meta. The store may replace the pair meanwhile (index file
   * first, meta second): the copy counts only when its sha256 is the one the meta read before it
   * names, else it is tried again.
   */
  private async copy(id: number, sink: ExportSink): Promise<CollectionExport | undefined> {
    const indexName = `${SNAPSHOT_DIR}/${indexFileName(id)}`;
    const metaName = `${SNAPSHOT_DIR}/${metaFileName(id)}`;
    for (let attempt = 1; attempt <= COPY_ATTEMPTS; attempt++) {
      const text = await readText(this.files.metaFile(id));
      const meta = text === undefined ? undefined : parseSnapshotMeta(text);
      if (text === undefined || !meta) return undefined; // dropped meanwhile, or unreadable
      await sink.remove(indexName);
      let index;
      try {
        index = await sink.copyFile(this.files.indexFile(id), indexName);
      } catch (e) {
        if (isMissing(e) && !fs.existsSync(this.files.indexFile(id))) {
          await sink.remove(indexName);
          return undefined; // the collection was dropped meanwhile
        }
        throw e;
      }
      if (index.sha256 === meta.sha256) {
        const metaCopy = await sink.writeFile(metaName, text);
        return {
          collection: id,
          watermark: meta.watermark,
          size: meta.size,
          files: [index, metaCopy],
        };
      }
      await sleep(50 * attempt);
    }
    await sink.remove(indexName);
    this.logger.warn(
      `Export: the index snapshot of collection ${id} kept changing while it was copied; left out (rebuilt from the stored vectors on import)`,
    );
    return undefined;
  }

  /**
   * Puts the export's snapshot of the collection in place of the store's (the meta last), or removes
   * the store's when the export has none. Returns whether the export had one.
   */
  async place(dir: string, collectionId: number): Promise<boolean> {
    const from = path.join(dir, SNAPSHOT_DIR);
    const index = path.join(from, indexFileName(collectionId));
    const meta = path.join(from, metaFileName(collectionId));
    this.files.remove(collectionId);
    if (!fs.existsSync(index) || !fs.existsSync(meta)) return false;
    for (const [src, dest] of [
      [index, this.files.indexFile(collectionId)],
      [meta, this.files.metaFile(collectionId)],
    ] as const) {
      await fs.promises.copyFile(src, `${dest}.tmp`);
      await fs.promises.rename(`${dest}.tmp`, dest);
    }
    return true;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
