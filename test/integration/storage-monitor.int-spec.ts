import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InsufficientStorageError } from '../../src/common/errors';
import { StorageMonitor, storageStartupProblem } from '../../src/storage/storage-monitor.service';
import { loadSettings } from '../../src/config/settings';
import { tempDir } from '../support/test-app';

const sqliteFull = () =>
  Object.assign(new Error('database or disk is full'), {
    name: 'SqliteError',
    code: 'SQLITE_FULL',
  });

describe('StorageMonitor on a real directory (integration)', () => {
  let dir: string;
  let errors: jest.SpyInstance;
  let logs: jest.SpyInstance;
  const monitor = (minFreeMb = '0') =>
    new StorageMonitor(loadSettings({ STORAGE_DIR: dir, STORAGE_MIN_FREE_MB: minFreeMb }));

  beforeEach(() => {
    dir = tempDir('ragd-storage-monitor-');
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records a storage fault, logging it once while it lasts, and ignores other errors', () => {
    const sut = monitor();
    expect(sut.fault(new Error('unrelated'))).toBeUndefined();
    const first = sut.fault(sqliteFull(), undefined, 'index snapshots');
    const second = sut.fault(sqliteFull(), 'write it again', 'index snapshots');
    expect(first).toBeInstanceOf(InsufficientStorageError);
    expect(second?.details.operation).toBe('write it again');
    expect(errors).toHaveBeenCalledTimes(1);
    const status = sut.status();
    expect(status.status).toBe('failing');
    expect(status.faults).toEqual([
      expect.objectContaining({ source: 'index snapshots', code: 'insufficient_storage' }),
    ]);
    expect(status.faults[0]?.details.operation).toBe('write it again');
  });

  it("clears an index-snapshot fault only when a snapshot is written, and the database's when the directory takes writes", () => {
    const sut = monitor();
    sut.fault(sqliteFull(), undefined, 'database');
    sut.fault(sqliteFull(), undefined, 'index snapshots');
    // This directory has room: a test write succeeds, so the database fault is over; snapshots wait for a snapshot.
    expect(sut.status().faults.map((f) => f.source)).toEqual(['index snapshots']);
    expect(() => sut.assertRoomForNewData()).not.toThrow();
    sut.succeeded('index snapshots');
    const status = sut.status();
    expect(status).toMatchObject({
      status: 'ok',
      writable: true,
      faults: [],
      lastError: { source: 'index snapshots', code: 'insufficient_storage' },
    });
    expect(
      logs.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('Storage recovered')),
    ).toHaveLength(2);
    expect(fs.readdirSync(dir)).toEqual([]); // the test write left nothing behind
  });

  it('refuses new data below STORAGE_MIN_FREE_MB and reports low space', () => {
    const sut = monitor('100000000');
    expect(() => sut.assertRoomForNewData()).toThrow(InsufficientStorageError);
    expect(sut.status()).toMatchObject({ status: 'low_space', faults: [] });
  });

  it('names a storage directory that cannot be created, and accepts a writable one', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(storageStartupProblem(path.join(file, 'storage'))).toMatch(
      new RegExp(
        `^Cannot start: the storage directory ${path.join(file, 'storage')} cannot be created \\(ENOTDIR`,
      ),
    );
    expect(storageStartupProblem(path.join(dir, 'storage'))).toBeUndefined();
    expect(fs.readdirSync(path.join(dir, 'storage'))).toEqual(['indexes']);
  });
});
