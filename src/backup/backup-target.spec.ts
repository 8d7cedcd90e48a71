import * as path from 'node:path';
import { BackupTargetInStorageError, BackupTargetOutsideBackupDirError } from '../common/errors';
import {
  BackupTargetRules,
  checkBackupTarget,
  defaultBackupName,
  resolveBackupTarget,
} from './backup-target';

const root = path.resolve('/srv/ragd');
const rules: BackupTargetRules = {
  backupDir: path.join(root, 'backups'),
  storageDir: path.join(root, 'storage'),
  allowAnyPath: false,
};
const anyPath: BackupTargetRules = { ...rules, allowAnyPath: true };
const at = new Date('2025-06-01T12:30:05.123Z');

describe('resolveBackupTarget', () => {
  it('names a backup by its start time in UTC, without colons, inside BACKUP_DIR', () => {
    expect(defaultBackupName(at)).toBe('2025-06-01T12-30-05-123Z');
    const sut = resolveBackupTarget(undefined, rules, at);
    expect(sut).toBe(path.join(root, 'backups', '2025-06-01T12-30-05-123Z'));
  });

  it('resolves a name or a relative path against BACKUP_DIR', () => {
    expect(resolveBackupTarget('nightly', rules, at)).toBe(path.join(root, 'backups', 'nightly'));
    expect(resolveBackupTarget('2025/june/./first', rules, at)).toBe(
      path.join(root, 'backups', '2025', 'june', 'first'),
    );
    expect(resolveBackupTarget('a/../b', rules, at)).toBe(path.join(root, 'backups', 'b'));
  });

  it('accepts an absolute path inside BACKUP_DIR', () => {
    const inside = path.join(root, 'backups', 'weekly', 'one');
    expect(resolveBackupTarget(inside, rules, at)).toBe(inside);
  });

  it.each([
    ['a relative path climbing out', '../elsewhere'],
    ['a path climbing out after going in', 'x/../../elsewhere'],
    ['an absolute path elsewhere', path.resolve('/elsewhere/backup')],
    ['BACKUP_DIR itself', '.'],
    ['a sibling whose name starts like BACKUP_DIR', path.join(root, 'backups-old', 'x')],
  ])('refuses %s unless any path is allowed', (_what, requested) => {
    expect(() => resolveBackupTarget(requested, rules, at)).toThrow(
      BackupTargetOutsideBackupDirError,
    );
  });

  it('accepts an absolute path elsewhere when BACKUP_ALLOW_ANY_PATH is set', () => {
    const elsewhere = path.resolve('/mnt/usb/ragd-backup');
    expect(resolveBackupTarget(elsewhere, anyPath, at)).toBe(elsewhere);
    expect(resolveBackupTarget('../offsite', anyPath, at)).toBe(path.join(root, 'offsite'));
  });

  it.each([
    ['STORAGE_DIR itself', path.join(root, 'storage')],
    ['a directory inside STORAGE_DIR', path.join(root, 'storage', 'indexes', 'b')],
    ['a directory containing STORAGE_DIR', root],
    ['a relative path into STORAGE_DIR', '../storage/backup'],
  ])('refuses %s, even when any path is allowed', (_what, requested) => {
    expect(() => resolveBackupTarget(requested, anyPath, at)).toThrow(BackupTargetInStorageError);
    expect(() => resolveBackupTarget(requested, rules, at)).toThrow(BackupTargetInStorageError);
  });

  it('says which directory it refused and where backups go, in the error details', () => {
    let error: unknown;
    try {
      resolveBackupTarget('../x', rules, at);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackupTargetOutsideBackupDirError);
    expect((error as BackupTargetOutsideBackupDirError).details).toEqual({
      directory: path.join(root, 'x'),
      backupDir: rules.backupDir,
    });
    expect((error as BackupTargetOutsideBackupDirError).status).toBe(400);
  });
});

describe('checkBackupTarget', () => {
  it('applies the same rules to a path with its links resolved', () => {
    // e.g. BACKUP_DIR/link -> STORAGE_DIR: the resolved path lies in the storage.
    expect(() => checkBackupTarget(path.join(root, 'storage', 'x'), rules)).toThrow(
      BackupTargetInStorageError,
    );
    expect(() => checkBackupTarget(path.join(root, 'backups', 'x'), rules)).not.toThrow();
  });
});
