import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDirAsync, fsyncFileAsync } from '../common/fsync';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { CollectionsRepository } from '../database/collections.repository';

/** An uploaded or fetched file's bytes: on disk (a job's spooled input) or in memory. */
export type OriginalBytes = { path: string } | { data: Buffer };

/**
 * The bytes of uploaded and fetched files, kept beside the text extracted from them so that a
 * client can show the original (the web app renders a PDF's pages from it):
 * `STORAGE_DIR/originals/<collection id>/<sha256 of the document id>/<content hash>`.
 * A file is written and synced before its document's transaction commits, so an acknowledged
 * document's original is on disk; the one named by the stored document's content hash is served,
 * and the others of that document (a refused or replaced version) are removed once it settles.
 */
@Injectable()
export class OriginalFiles implements OnApplicationBootstrap {
  private readonly logger = new Logger(OriginalFiles.name);
  readonly root: string;
  readonly enabled: boolean;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    private readonly collections: CollectionsRepository,
  ) {
    this.root = path.join(settings.storageDir, 'originals');
    this.enabled = settings.keepOriginals;
  }

  /** Removes the originals of collections that were deleted (also while the server was down). */
  onApplicationBootstrap(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return;
    }
    for (const name of names) {
      const id = Number(name);
      if (!Number.isInteger(id) || !this.collections.findById(id)) this.removeCollection(name);
    }
  }

  /** Stores the bytes of a document's version (named by its content hash), synced. */
  async keep(
    collectionId: number,
    documentId: string,
    contentHash: string,
    bytes: OriginalBytes,
  ): Promise<void> {
    if (!this.enabled) return;
    const dir = this.dirOf(collectionId, documentId);
    await fs.promises.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${randomUUID()}`);
    try {
      if ('data' in bytes) {
        await fs.promises.writeFile(temp, bytes.data, { flag: 'wx' });
        await fsyncFileAsync(temp);
      } else {
        await linkOrCopy(bytes.path, temp);
      }
      await fs.promises.rename(temp, path.join(dir, contentHash));
    } catch (e) {
      await fs.promises.rm(temp, { force: true });
      throw e;
    }
    for (const d of [dir, path.dirname(dir), this.root]) await fsyncDirAsync(d);
  }

  /** After a store (or a refused one): keeps only the file of the version stored, if any. */
  settle(collectionId: number, documentId: string, storedHash: string | undefined): void {
    if (!this.enabled) return;
    const dir = this.dirOf(collectionId, documentId);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    const stale = names.filter((n) => n !== storedHash && !n.startsWith('.'));
    for (const n of stale) fs.rmSync(path.join(dir, n), { force: true });
    if (stale.length === names.length) fs.rmSync(dir, { recursive: true, force: true });
  }

  /** The file of a document's version, if it was kept. */
  find(collectionId: number, documentId: string, contentHash: string): string | undefined {
    const file = path.join(this.dirOf(collectionId, documentId), contentHash);
    return fs.existsSync(file) ? file : undefined;
  }

  removeDocument(collectionId: number, documentId: string): void {
    fs.rm(this.dirOf(collectionId, documentId), { recursive: true, force: true }, (e) => {
      if (e) this.logger.warn(`Could not remove the original of '${documentId}': ${e.message}`);
    });
  }

  removeCollection(collectionId: number | string): void {
    fs.rm(path.join(this.root, String(collectionId)), { recursive: true, force: true }, (e) => {
      if (e)
        this.logger.warn(`Could not remove originals of collection ${collectionId}: ${e.message}`);
    });
  }

  private dirOf(collectionId: number, documentId: string): string {
    const key = createHash('sha256').update(documentId).digest('hex');
    return path.join(this.root, String(collectionId), key);
  }
}

/** A hard link costs no copy (a job's spooled file is already synced); another file system gets a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.promises.link(from, to);
  } catch {
    await fs.promises.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    await fsyncFileAsync(to);
  }
}
