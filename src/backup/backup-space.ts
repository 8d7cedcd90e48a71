import * as path from 'node:path';
import { InsufficientStorageError } from '../common/errors';
import { BackupFiles } from './adapters/backup-files';

/** Room kept beyond the estimate: the copy's WAL, the manifest, the file system's own needs. */
const MARGIN_BYTES = 64 * 1024 * 1024;
/** Not copied by a backup: the spooled inputs of running jobs. */
const NOT_COPIED = new Set(['jobs']);

/**
 * Refuses (507) a backup whose target file system has less free space than the storage it copies
 * (the database and the vector store's files in STORAGE_DIR) plus a margin, before anything is
 * written: a backup that fills the disk halfway helps no one and may starve the live storage when
 * both are on one file system.
 */
export async function checkBackupSpace(
  files: BackupFiles,
  target: string,
  storageDir: string,
): Promise<void> {
  const need = Math.ceil((await files.treeBytes(storageDir, NOT_COPIED)) * 1.1) + MARGIN_BYTES;
  const free = await files.freeBytes(path.dirname(target));
  if (free >= need) return;
  throw new InsufficientStorageError(
    `Not enough free space for a backup: it needs about ${mib(need)} (the storage is ${mib(need - MARGIN_BYTES)} with a margin) and the target's file system has ${mib(free)} free. Free some space or back up to another disk (BACKUP_DIR).`,
    { path: target, operation: 'start a backup', cause: 'ENOSPC', freeBytes: free },
  );
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
