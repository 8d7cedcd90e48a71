import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** A backup holds every document: only the server's user may read it. */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

export interface CopiedFile {
  bytes: number;
  sha256: string;
}

/**
 * The file system as the backup uses it: asynchronous throughout (libuv's thread pool), so copying
 * and hashing gigabytes never holds the event loop; every file written is fsynced before it counts.
 */
@Injectable()
export class BackupFiles {
  /** 'missing', 'empty-directory', 'directory' (with entries) or 'other' (a file, a socket...). */
  async kind(p: string): Promise<'missing' | 'empty-directory' | 'directory' | 'other'> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(p);
    } catch (e) {
      // ENOTDIR: a parent is a file; creating the directory will fail and say so.
      if (isMissing(e)) return 'missing';
      throw e;
    }
    if (!stat.isDirectory()) return 'other';
    return (await fs.promises.readdir(p)).length === 0 ? 'empty-directory' : 'directory';
  }

  /** The real path of `p` with symbolic links resolved, for the part of it that exists. */
  async realPath(p: string): Promise<string> {
    const missing: string[] = [];
    let existing = p;
    for (;;) {
      try {
        return path.join(await fs.promises.realpath(existing), ...missing.reverse());
      } catch (e) {
        const parent = path.dirname(existing);
        if (!isMissing(e) || parent === existing) return p;
        missing.push(path.basename(existing));
        existing = parent;
      }
    }
  }

  /** Creates `dir` and its missing parents; returns the first directory created (undefined: none). */
  async makeDirectories(dir: string): Promise<string | undefined> {
    return fs.promises.mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  }

  /** Creates `dir`; fails if it exists. */
  async makeDirectory(dir: string): Promise<void> {
    await fs.promises.mkdir(dir, { mode: PRIVATE_DIR });
  }

  /** Only the server's user may read it: 0600 for files, 0700 for directories, all the way down. */
  async makePrivate(p: string): Promise<void> {
    const stat = await fs.promises.stat(p);
    if (!stat.isDirectory()) return fs.promises.chmod(p, PRIVATE_FILE);
    await fs.promises.chmod(p, PRIVATE_DIR);
    for (const name of await fs.promises.readdir(p)) await this.makePrivate(path.join(p, name));
  }

  /** Bytes of the files under `dir`, all the way down (0 if it does not exist). */
  async treeBytes(dir: string, skip: ReadonlySet<string> = new Set()): Promise<number> {
    let total = 0;
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (skip.has(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) total += await this.treeBytes(p);
      else if (e.isFile()) total += (await fs.promises.stat(p).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }

  /** Free bytes for this user on the file system that `p` is (or would be created) on. */
  async freeBytes(p: string): Promise<number> {
    let at = p;
    for (;;) {
      try {
        const s = await fs.promises.statfs(at);
        return s.bavail * s.bsize;
      } catch (e) {
        const parent = path.dirname(at);
        if (!isMissing(e) || parent === at) throw e;
        at = parent;
      }
    }
  }

  /** Names in `dir` (undefined if it does not exist). */
  async list(dir: string): Promise<string[] | undefined> {
    try {
      return await fs.promises.readdir(dir);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /** The subdirectories of `dir` (none if it does not exist). */
  async subdirectories(dir: string): Promise<string[]> {
    try {
      const entries = await fs.promises.readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
  }

  /** The file's text, or undefined if it does not exist. */
  async readText(file: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /** Copies `from` to `to` (a new file), hashing what was written, then fsyncs `to`. */
  async copy(from: string, to: string): Promise<CopiedFile> {
    const hash = createHash('sha256');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(
      fs.createReadStream(from),
      tap,
      fs.createWriteStream(to, { flags: 'wx', mode: PRIVATE_FILE }),
    );
    await this.sync(to);
    return { bytes, sha256: hash.digest('hex') };
  }

  /** Size and sha256 of a file, read in chunks. */
  async digest(file: string): Promise<CopiedFile> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  /** Writes `data` to `file` durably: a temp file, fsync, rename, fsync of the directory. */
  async writeDurably(file: string, data: string): Promise<void> {
    const tmp = `${file}.tmp`;
    try {
      await fs.promises.writeFile(tmp, data, { flag: 'wx', mode: PRIVATE_FILE });
      await this.sync(tmp);
      await fs.promises.rename(tmp, file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    await this.sync(path.dirname(file));
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.promises.rename(from, to);
  }

  /** fsync of a file or a directory (a directory's fsync makes renames inside it durable). */
  async sync(p: string): Promise<void> {
    const handle = await fs.promises.open(p, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Removes a file or a directory tree; nothing to remove is fine. */
  async remove(p: string): Promise<void> {
    try {
      await fs.promises.rm(p, { recursive: true, force: true });
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }
}

export function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
