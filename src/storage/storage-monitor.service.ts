import { Inject, Injectable, Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { DATABASE_FILE } from '../database/database.service';
import { InsufficientStorageError, StorageFaultDetails, StorageFaultError } from '../common/errors';
import {
  StorageFacts,
  classifyStorageFault,
  describeBytes,
  spaceExhausted,
} from '../common/storage-faults';

/**
 * Where a storage fault was seen. The database has no background writer to tell when it works
 * again, so its fault clears when a test write succeeds; index snapshots are retried every
 * INDEX_SNAPSHOT_INTERVAL_MS, and their fault clears when one is written.
 */
export type StorageSource = 'database' | 'index snapshots';

export interface StorageFaultView {
  source: StorageSource;
  code: string;
  message: string;
  details: StorageFaultDetails;
  /** When the fault began (ISO 8601). */
  since: string;
}

export interface StorageStatus {
  /** ok; low_space: less free than STORAGE_MIN_FREE_MB (new data refused); failing: writes fail. */
  status: 'ok' | 'low_space' | 'failing';
  reason?: string;
  dir: string;
  writable: boolean;
  freeBytes: number | null;
  totalBytes: number | null;
  minFreeBytes: number;
  fileSizeLimitBytes?: number;
  /** Faults in effect: set when a write failed, cleared when that kind of write works again. */
  faults: StorageFaultView[];
  /** The most recent storage fault, also after it cleared. */
  lastError?: { source: StorageSource; code: string; message: string; at: string };
}

/**
 * Knows the state of the storage directory: classifies write failures from anywhere (HTTP requests,
 * the embedding queue, index snapshots) into storage faults, keeps those in effect and the last
 * one, logs once per change of state, and tells when the storage takes writes again.
 */
@Injectable()
export class StorageMonitor {
  private readonly logger = new Logger('Storage');
  private readonly dir: string;
  private readonly databaseFile: string;
  private readonly minFreeBytes: number;
  private readonly faults = new Map<StorageSource, { error: StorageFaultError; since: Date }>();
  private last: { source: StorageSource; error: StorageFaultError; at: Date } | undefined;
  private low = false;

  constructor(@Inject(SETTINGS) settings: Settings) {
    this.dir = settings.storageDir;
    this.databaseFile = path.join(settings.storageDir, DATABASE_FILE);
    this.minFreeBytes = settings.storageMinFreeBytes;
  }

  /**
   * The storage fault `e` stands for (recorded as in effect for `source`), or undefined when `e` is
   * not about storage. `operation` says what was being done, e.g. "store vectors".
   */
  fault(
    e: unknown,
    operation?: string,
    source: StorageSource = 'database',
  ): StorageFaultError | undefined {
    const fault = classifyStorageFault(e, operation, () => this.facts());
    if (!fault) return undefined;
    const now = new Date();
    this.last = { source, error: fault, at: now };
    const current = this.faults.get(source);
    if (current?.error.code === fault.code) {
      current.error = fault;
    } else {
      this.faults.set(source, { error: fault, since: now });
      this.logger.error(`Storage fault (${source}): ${fault.message}`);
    }
    return fault;
  }

  /** A write of `source` succeeded: its fault, if any, is over. */
  succeeded(source: StorageSource): void {
    if (this.faults.delete(source))
      this.logger.log(`Storage recovered (${source}): ${this.dir} takes writes again`);
  }

  /**
   * Throws before a request adds data when the database's fault is still in effect or free space is
   * below STORAGE_MIN_FREE_MB, so the request fails fast and the room left stays for deletes, WAL
   * checkpoints and index snapshots.
   */
  assertRoomForNewData(): void {
    this.recheckDatabase();
    const fault = this.faults.get('database');
    if (fault) throw fault.error;
    const free = this.space().freeBytes;
    this.observeSpace(free);
    if (free !== undefined && free < this.minFreeBytes) {
      throw new InsufficientStorageError(
        `Insufficient storage: new data is refused while the file system of ${this.dir} has ${describeBytes(free)} free, less than STORAGE_MIN_FREE_MB (${describeBytes(this.minFreeBytes)}); deletes still work. Free some space or lower STORAGE_MIN_FREE_MB.`,
        {
          path: this.dir,
          operation: 'accept new data',
          cause: 'STORAGE_MIN_FREE_MB',
          freeBytes: free,
        },
      );
    }
  }

  status(): StorageStatus {
    this.recheckDatabase();
    const facts = this.facts();
    const { freeBytes, totalBytes } = this.space();
    this.observeSpace(freeBytes);
    const low = freeBytes !== undefined && freeBytes < this.minFreeBytes;
    const faults = [...this.faults].map(([source, f]) => ({
      source,
      code: f.error.code,
      message: f.error.message,
      details: f.error.details,
      since: f.since.toISOString(),
    }));
    const status = faults.length > 0 || !facts.writable ? 'failing' : low ? 'low_space' : 'ok';
    const reason =
      faults.length > 0
        ? faults.map((f) => f.message).join(' ')
        : !facts.writable
          ? `${this.dir} is not writable`
          : low
            ? `${describeBytes(freeBytes)} free, less than STORAGE_MIN_FREE_MB (${describeBytes(this.minFreeBytes)}): new data is refused`
            : undefined;
    return {
      status,
      ...(reason ? { reason } : {}),
      dir: this.dir,
      writable: facts.writable,
      freeBytes: freeBytes ?? null,
      totalBytes: totalBytes ?? null,
      minFreeBytes: this.minFreeBytes,
      ...(facts.fileSizeLimitBytes !== undefined
        ? { fileSizeLimitBytes: facts.fileSizeLimitBytes }
        : {}),
      faults,
      ...(this.last
        ? {
            lastError: {
              source: this.last.source,
              code: this.last.error.code,
              message: this.last.error.message,
              at: this.last.at.toISOString(),
            },
          }
        : {}),
    };
  }

  /**
   * Clears the database's fault when a test write succeeds and, for a lack of space, at least 1 MiB
   * is free again (or the file-size limit was raised). Whether the next write fits, only that write
   * can tell; if it does not, it records the fault again.
   */
  private recheckDatabase(): void {
    const fault = this.faults.get('database');
    if (!fault) return;
    const facts = this.facts();
    if (fault.error instanceof InsufficientStorageError && spaceExhausted(facts)) return;
    if (!facts.writable || probeWrite(this.dir) !== undefined) return;
    this.succeeded('database');
  }

  private observeSpace(free: number | undefined): void {
    const low = free !== undefined && free < this.minFreeBytes;
    if (low === this.low) return;
    this.low = low;
    if (low) {
      this.logger.warn(
        `Storage low: ${describeBytes(free)} free on the file system of ${this.dir}, less than STORAGE_MIN_FREE_MB; new data is refused`,
      );
    } else {
      this.logger.log(
        `Storage space back above STORAGE_MIN_FREE_MB: ${describeBytes(free)} free on the file system of ${this.dir}`,
      );
    }
  }

  private space(): { freeBytes?: number; totalBytes?: number } {
    try {
      const s = fs.statfsSync(this.dir);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch {
      return {};
    }
  }

  private facts(): StorageFacts {
    const fileSizeLimitBytes = fileSizeLimit();
    return {
      storageDir: this.dir,
      databaseFile: this.databaseFile,
      freeBytes: this.space().freeBytes,
      fileSizeLimitBytes,
      largestFileBytes:
        fileSizeLimitBytes === undefined
          ? undefined
          : largestFile(
              [this.databaseFile, `${this.databaseFile}-wal`],
              path.join(this.dir, 'indexes'),
            ),
      writable: writable([this.dir, this.databaseFile]),
    };
  }
}

/** The soft RLIMIT_FSIZE of this process (Linux: /proc/self/limits); undefined when unlimited or unknown. */
function fileSizeLimit(): number | undefined {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max file size'));
    const soft = line?.slice('Max file size'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function largestFile(files: string[], dir: string): number {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).map((n) => path.join(dir, n));
  } catch {
    // no snapshots yet
  }
  let largest = 0;
  for (const f of [...files, ...names]) {
    try {
      largest = Math.max(largest, fs.statSync(f).size);
    } catch {
      // gone meanwhile
    }
  }
  return largest;
}

/** Whether each existing path may be written (a read-only mount answers EROFS here). */
function writable(paths: string[]): boolean {
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return true;
}

/** Writes, syncs and removes a 4 KiB file in `dir`; the error when that fails. */
function probeWrite(dir: string): NodeJS.ErrnoException | undefined {
  const file = path.join(dir, `.write-probe-${process.pid}`);
  try {
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, Buffer.alloc(4096));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  } finally {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // a read-only file system: nothing was created
    }
  }
}

/**
 * Why the server cannot use `dir` as its storage directory (missing permission, read-only file
 * system), as one line naming the directory; undefined when it can. A full disk is not a reason not
 * to start: reads are served and writes get 507 until space returns.
 */
export function storageStartupProblem(dir: string): string | undefined {
  try {
    fs.mkdirSync(path.join(dir, 'indexes'), { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return `Cannot start: the storage directory ${dir} cannot be created (${err.code ?? 'error'}: ${err.message}). Set STORAGE_DIR to a directory the server may write.`;
  }
  const paths = [
    dir,
    path.join(dir, 'indexes'),
    ...['', '-wal', '-shm'].map((s) => path.join(dir, `${DATABASE_FILE}${s}`)),
  ];
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') continue;
      return notWritable(dir, p, err);
    }
  }
  const err = probeWrite(dir);
  if (err && !['ENOSPC', 'EDQUOT', 'EFBIG'].includes(err.code ?? ''))
    return notWritable(dir, err.path ?? dir, err);
  return undefined;
}

function notWritable(dir: string, p: string, err: NodeJS.ErrnoException): string {
  const why =
    err.code === 'EROFS'
      ? 'it is on a read-only file system'
      : `${err.code ?? 'error'}: ${err.message}`;
  const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  return `Cannot start: the storage directory ${dir} is not writable${p === dir ? '' : ` (${p})`}: ${why}. Remount it read-write, give the user running ragd${who} write permission, or set STORAGE_DIR to another directory.`;
}
