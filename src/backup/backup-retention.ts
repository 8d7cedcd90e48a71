import { Logger } from '@nestjs/common';
import { BackupFiles } from './adapters/backup-files';
import { findBackups } from './backup-listing';

/**
 * BACKUP_KEEP: after a backup is done, the oldest complete backups in BACKUP_DIR beyond `keep` are
 * removed (0 keeps all). Only backups the server lists (a manifest, directly in BACKUP_DIR, not the
 * live storage) are candidates, and never the one just made.
 */
export async function pruneBackups(
  files: BackupFiles,
  dirs: { backupDir: string; storageDir: string },
  keep: number,
  justMade: string,
  logger: Logger,
): Promise<string[]> {
  if (keep <= 0) return [];
  const complete = (await findBackups(files, dirs.backupDir, dirs.storageDir)).sort((a, b) =>
    b.startedAt.localeCompare(a.startedAt),
  );
  const removed: string[] = [];
  for (const old of complete.slice(keep)) {
    if (old.id === justMade) continue;
    await files.remove(old.directory);
    removed.push(old.id);
    logger.log(`Backup ${old.id} removed (BACKUP_KEEP=${keep}): ${old.directory}`);
  }
  return removed;
}
