import * as path from 'node:path';
import {
  InsufficientStorageError,
  StorageFaultDetails,
  StorageFaultError,
  StorageIoError,
  StorageReadOnlyError,
} from './errors';

/** What is known about the storage directory when an error is classified. */
export interface StorageFacts {
  storageDir: string;
  databaseFile: string;
  /** Bytes an unprivileged writer can still use on the storage file system, if known. */
  freeBytes?: number;
  /** The soft RLIMIT_FSIZE of this process in bytes; undefined when unlimited or unknown. */
  fileSizeLimitBytes?: number;
  /** The largest file the server writes in the storage directory (database, WAL, snapshots). */
  largestFileBytes?: number;
  /** Whether the directory (and the database file, when it exists) may be written. */
  writable: boolean;
}

/**
 * A file came out shorter than its own structure says. hnswlib writes snapshots through a C++
 * stream and ignores write errors, so a full disk shows up only as a short (or missing) file.
 */
export class IncompleteWriteError extends Error {
  readonly code = 'EINCOMPLETE';
  constructor(
    readonly path: string,
    readonly written: number,
    /** The size the file's structure calls for, as far as the written part tells. */
    readonly expectedAtLeast: number,
  ) {
    super(
      `${path} is incomplete: ${written} bytes written, its structure needs at least ${expectedAtLeast}`,
    );
  }
}

/** Free space under which an unexplained write error is taken to mean "the file system is full". */
export const NEARLY_FULL_BYTES = 1024 * 1024;
/** A write this close to the file-size limit fails with EFBIG (SQLite writes up to 64 KiB at once). */
const FILE_SIZE_LIMIT_MARGIN = 64 * 1024;

const SPACE_ERRNOS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file-size limit reached',
};
const READ_ONLY_ERRNOS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/**
 * Maps a raw error (SQLite, Node file system, short hnswlib write) to a storage fault naming the
 * path, what failed and the cause; undefined when the error is not about storage. `facts` is only
 * called when the error code alone does not decide (e.g. SQLite's "disk I/O error").
 */
export function classifyStorageFault(
  e: unknown,
  operation: string | undefined,
  facts: () => StorageFacts,
): StorageFaultError | undefined {
  if (e instanceof StorageFaultError) return e;
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const message = e instanceof Error ? e.message : code;

  if (e instanceof IncompleteWriteError) {
    return fromFacts(
      facts(),
      { path: e.path, operation: operation ?? 'write a file', cause: code },
      `${code}: ${message}`,
    );
  }

  if (code.startsWith('SQLITE_')) {
    const f = facts();
    const base = {
      path: f.databaseFile,
      operation: operation ?? 'write to the SQLite database',
      cause: code,
    };
    const what = `${code}: ${message}`;
    if (code === 'SQLITE_FULL') return insufficient(f, base, what);
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM')
      return readOnly(f, base, what);
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN'))
      return fromFacts(f, base, what);
    return undefined;
  }

  // Node file-system errors carry the path; only those inside the storage directory are storage faults.
  const syscall = (e as { syscall?: unknown }).syscall;
  const errPath = (e as { path?: unknown }).path;
  if (typeof syscall !== 'string' && typeof errPath !== 'string') return undefined;
  if (!(code in SPACE_ERRNOS) && !(code in READ_ONLY_ERRNOS) && code !== 'EIO') return undefined;
  const f = facts();
  if (typeof errPath === 'string' && !isInside(f.storageDir, errPath)) return undefined;
  const base = {
    path: typeof errPath === 'string' ? errPath : f.storageDir,
    operation: operation ?? (typeof syscall === 'string' ? `${syscall} a file` : 'write a file'),
    cause: code,
  };
  if (code in SPACE_ERRNOS) return insufficient(f, base, `${code}: ${SPACE_ERRNOS[code]}`);
  if (code in READ_ONLY_ERRNOS) return readOnly(f, base, `${code}: ${READ_ONLY_ERRNOS[code]}`);
  return io(f, base, `${code}: ${message}`);
}

type Base = Pick<StorageFaultDetails, 'path' | 'operation' | 'cause'>;

/** Whether the file system has (nearly) no room left or a file stands at the file-size limit. */
export function spaceExhausted(f: StorageFacts): 'full' | 'file-size limit' | undefined {
  if (f.freeBytes !== undefined && f.freeBytes < NEARLY_FULL_BYTES) return 'full';
  if (
    f.fileSizeLimitBytes !== undefined &&
    f.largestFileBytes !== undefined &&
    f.largestFileBytes + FILE_SIZE_LIMIT_MARGIN >= f.fileSizeLimitBytes
  ) {
    return 'file-size limit';
  }
  return undefined;
}

/** For errors whose code does not say why (SQLite's I/O errors, short writes): what the storage looks like now. */
function fromFacts(f: StorageFacts, base: Base, what: string): StorageFaultError {
  if (spaceExhausted(f)) return insufficient(f, base, what);
  if (!f.writable) return readOnly(f, base, what);
  return io(f, base, what);
}

function insufficient(f: StorageFacts, base: Base, what: string): InsufficientStorageError {
  const exhausted = spaceExhausted(f);
  const why =
    exhausted === 'file-size limit'
      ? `a file reached the file-size limit of ${f.fileSizeLimitBytes} bytes`
      : `${describeBytes(f.freeBytes)} free on the file system of ${f.storageDir}`;
  return new InsufficientStorageError(
    `Insufficient storage: could not ${base.operation} (${base.path}): ${what}; ${why}. Free some space; writes resume by themselves.`,
    details(f, base),
  );
}

function readOnly(f: StorageFacts, base: Base, what: string): StorageReadOnlyError {
  return new StorageReadOnlyError(
    `Storage is read-only: could not ${base.operation} (${base.path}): ${what}. Remount the file system read-write or give the server write permission on ${f.storageDir}.`,
    details(f, base),
  );
}

function io(f: StorageFacts, base: Base, what: string): StorageIoError {
  return new StorageIoError(
    `Storage I/O error: could not ${base.operation} (${base.path}): ${what}`,
    details(f, base),
  );
}

function details(f: StorageFacts, base: Base): StorageFaultDetails {
  return {
    ...base,
    ...(f.freeBytes !== undefined ? { freeBytes: f.freeBytes } : {}),
    ...(f.fileSizeLimitBytes !== undefined ? { fileSizeLimitBytes: f.fileSizeLimitBytes } : {}),
  };
}

export function describeBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'unknown space';
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
