import * as path from 'node:path';
import { BackupTargetInStorageError, BackupTargetOutsideBackupDirError } from '../common/errors';
import { isSameOrInside } from '../config/path-containment';

/** Absolute directories the rules compare a target with. */
export interface BackupTargetRules {
  backupDir: string;
  storageDir: string;
  /** BACKUP_ALLOW_ANY_PATH: accept an absolute target outside BACKUP_DIR. */
  allowAnyPath: boolean;
}

/** The directory name of a backup started at `at`: UTC, sortable, no ':' (2025-06-01T12-30-05-123Z). */
export function defaultBackupName(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/**
 * The absolute directory a backup request names: `requested` resolved against BACKUP_DIR (so
 * "nightly" is BACKUP_DIR/nightly), or BACKUP_DIR/<start time> when none is named. Throws when the
 * rules refuse it.
 */
export function resolveBackupTarget(
  requested: string | undefined,
  rules: BackupTargetRules,
  now: Date,
): string {
  const target = path.resolve(rules.backupDir, requested ?? defaultBackupName(now));
  checkBackupTarget(target, rules);
  return target;
}

/**
 * A target must not overlap the live storage (be it, lie inside it, or contain it), and must lie
 * strictly inside BACKUP_DIR unless any path is allowed. Applied to the path as written, and again
 * with symbolic links resolved, so a link cannot lead a backup into STORAGE_DIR.
 */
export function checkBackupTarget(target: string, rules: BackupTargetRules): void {
  if (isSameOrInside(target, rules.storageDir) || isSameOrInside(rules.storageDir, target)) {
    throw new BackupTargetInStorageError(target);
  }
  if (
    !rules.allowAnyPath &&
    (target === rules.backupDir || !isSameOrInside(target, rules.backupDir))
  ) {
    throw new BackupTargetOutsideBackupDirError(target, rules.backupDir);
  }
}
