import * as path from 'node:path';
import { isSameOrInside } from '../config/path-containment';
import { BackupFiles } from './adapters/backup-files';
import { MANIFEST_FILE, parseManifest, summarize } from './backup-manifest';
import type { Backup } from './backup-state';

/** Complete backups (with a manifest) directly inside `backupDir`, other than the live storage. */
export async function findBackups(
  files: BackupFiles,
  backupDir: string,
  storageDir: string,
): Promise<Backup[]> {
  const out: Backup[] = [];
  for (const name of await files.subdirectories(backupDir)) {
    const directory = path.join(backupDir, name);
    if (isSameOrInside(storageDir, directory)) continue; // restored and now live
    const text = await files.readText(path.join(directory, MANIFEST_FILE)).catch(() => undefined);
    const manifest = text === undefined ? undefined : parseManifest(text);
    if (!manifest) continue;
    out.push({
      id: manifest.id,
      state: 'done',
      directory,
      origin: 'found',
      startedAt: manifest.startedAt,
      finishedAt: manifest.finishedAt,
      timings: { totalMs: Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt) },
      manifest: summarize(manifest),
    });
  }
  return out;
}
