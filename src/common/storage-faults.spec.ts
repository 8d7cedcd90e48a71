import { InsufficientStorageError, StorageIoError, StorageReadOnlyError } from './errors';
import { IncompleteWriteError, StorageFacts, classifyStorageFault } from './storage-faults';

const DIR = '/srv/ragd/storage';
const DB = `${DIR}/ragd.sqlite`;
const MB = 1024 * 1024;

function facts(over: Partial<StorageFacts> = {}): () => StorageFacts {
  return () => ({
    storageDir: DIR,
    databaseFile: DB,
    freeBytes: 10_000 * MB,
    writable: true,
    ...over,
  });
}

/** What better-sqlite3 throws: a SqliteError with the extended result code. */
function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code });
}

function fsError(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${file}'`), { code, syscall, path: file });
}

describe('classifyStorageFault', () => {
  it('maps SQLITE_FULL to 507 insufficient_storage naming the database file and the free space', () => {
    const sut = classifyStorageFault(
      sqliteError('SQLITE_FULL', 'database or disk is full'),
      undefined,
      facts({ freeBytes: 8192 }),
    );
    expect(sut).toBeInstanceOf(InsufficientStorageError);
    expect(sut!.status).toBe(507);
    expect(sut!.code).toBe('insufficient_storage');
    expect(sut!.details).toEqual({
      path: DB,
      operation: 'write to the SQLite database',
      cause: 'SQLITE_FULL',
      freeBytes: 8192,
    });
    expect(sut!.message).toContain(DB);
    expect(sut!.message).toContain('database or disk is full');
    expect(sut!.message).toContain(`8192 bytes free on the file system of ${DIR}`);
  });

  it('maps a SQLite I/O error on a full file system to 507', () => {
    const sut = classifyStorageFault(
      sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'),
      'store vectors',
      facts({ freeBytes: 0 }),
    );
    expect(sut).toBeInstanceOf(InsufficientStorageError);
    expect(sut!.details.cause).toBe('SQLITE_IOERR_WRITE');
    expect(sut!.details.operation).toBe('store vectors');
  });

  it('maps a SQLite I/O error at the file-size limit to 507 naming the limit', () => {
    const sut = classifyStorageFault(
      sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'),
      undefined,
      facts({ fileSizeLimitBytes: 2 * MB, largestFileBytes: 2 * MB }),
    );
    expect(sut).toBeInstanceOf(InsufficientStorageError);
    expect(sut!.details.fileSizeLimitBytes).toBe(2 * MB);
    expect(sut!.message).toContain(`file-size limit of ${2 * MB} bytes`);
  });

  it('maps a SQLite I/O error with room and write permission to 500 storage_io_error', () => {
    const sut = classifyStorageFault(
      sqliteError('SQLITE_IOERR_FSYNC', 'disk I/O error'),
      undefined,
      facts({ fileSizeLimitBytes: 100 * MB, largestFileBytes: 1 * MB }),
    );
    expect(sut).toBeInstanceOf(StorageIoError);
    expect(sut!.status).toBe(500);
    expect(sut!.code).toBe('storage_io_error');
  });

  it('maps SQLITE_READONLY, and an I/O error on an unwritable directory, to 503 storage_read_only', () => {
    const readonly = classifyStorageFault(
      sqliteError('SQLITE_READONLY', 'attempt to write a readonly database'),
      undefined,
      facts(),
    );
    expect(readonly).toBeInstanceOf(StorageReadOnlyError);
    expect(readonly!.status).toBe(503);
    expect(readonly!.code).toBe('storage_read_only');
    expect(readonly!.message).toContain(`write permission on ${DIR}`);
    const cantOpen = classifyStorageFault(
      sqliteError('SQLITE_CANTOPEN', 'unable to open database file'),
      undefined,
      facts({ writable: false }),
    );
    expect(cantOpen).toBeInstanceOf(StorageReadOnlyError);
  });

  it('maps file-system errors inside the storage directory by their code, naming the path and the system call', () => {
    const file = `${DIR}/indexes/1.hnsw.tmp`;
    const full = classifyStorageFault(
      fsError('ENOSPC', 'write', file),
      undefined,
      facts({ freeBytes: 0 }),
    );
    expect(full).toBeInstanceOf(InsufficientStorageError);
    expect(full!.details).toMatchObject({ path: file, operation: 'write a file', cause: 'ENOSPC' });
    expect(
      classifyStorageFault(fsError('EDQUOT', 'write', file), undefined, facts()),
    ).toBeInstanceOf(InsufficientStorageError);
    expect(
      classifyStorageFault(fsError('EFBIG', 'write', file), undefined, facts()),
    ).toBeInstanceOf(InsufficientStorageError);
    expect(classifyStorageFault(fsError('EROFS', 'open', file), undefined, facts())).toBeInstanceOf(
      StorageReadOnlyError,
    );
    expect(
      classifyStorageFault(fsError('EACCES', 'open', file), undefined, facts()),
    ).toBeInstanceOf(StorageReadOnlyError);
    expect(classifyStorageFault(fsError('EIO', 'fsync', file), undefined, facts())).toBeInstanceOf(
      StorageIoError,
    );
  });

  it('leaves file-system errors outside the storage directory alone (a model file it may not read is no storage fault)', () => {
    expect(
      classifyStorageFault(
        fsError('EACCES', 'open', '/srv/ragd/models/x/onnx/model.onnx'),
        undefined,
        facts(),
      ),
    ).toBeUndefined();
    expect(
      classifyStorageFault(
        fsError('EACCES', 'open', '/srv/ragd/storage-old/ragd.sqlite'),
        undefined,
        facts(),
      ),
    ).toBeUndefined();
  });

  it('classifies a short hnswlib write by what the storage looks like', () => {
    const short = new IncompleteWriteError(`${DIR}/indexes/1.hnsw.tmp`, 0, 96);
    expect(
      classifyStorageFault(short, 'write the index snapshot', facts({ freeBytes: 0 })),
    ).toBeInstanceOf(InsufficientStorageError);
    expect(
      classifyStorageFault(short, 'write the index snapshot', facts({ writable: false })),
    ).toBeInstanceOf(StorageReadOnlyError);
    const io = classifyStorageFault(short, 'write the index snapshot', facts());
    expect(io).toBeInstanceOf(StorageIoError);
    expect(io!.message).toContain('0 bytes written, its structure needs at least 96');
  });

  it('is not a storage fault when the error is about something else', () => {
    expect(classifyStorageFault(new Error('boom'), undefined, facts())).toBeUndefined();
    expect(
      classifyStorageFault(
        sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'),
        undefined,
        facts(),
      ),
    ).toBeUndefined();
    expect(
      classifyStorageFault(
        Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'read' }),
        undefined,
        facts(),
      ),
    ).toBeUndefined();
    expect(classifyStorageFault('ENOSPC', undefined, facts())).toBeUndefined();
  });

  it('passes a storage fault through unchanged', () => {
    const fault = new InsufficientStorageError('full', {
      path: DIR,
      operation: 'x',
      cause: 'ENOSPC',
    });
    expect(classifyStorageFault(fault, undefined, facts())).toBe(fault);
  });
});
