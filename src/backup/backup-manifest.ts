import type { CopiedCollection } from './adapters/sqlite-backup';

/** Written last, into the backup directory: a directory without it is not a complete backup. */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'ragd-backup';
export const MANIFEST_FORMAT_VERSION = 1;

export interface ManifestFile {
  /** Relative to the backup directory, with '/' separators. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ManifestCollection extends CopiedCollection {
  /** The index snapshot in the backup (null: start-up rebuilds the index from the stored vectors). */
  indexSnapshot: { watermark: number; size: number } | null;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  id: string;
  serverVersion: string;
  startedAt: string;
  finishedAt: string;
  sqlite: { path: string; pageSize: number; pages: number; schemaVersion: number };
  collections: ManifestCollection[];
  files: ManifestFile[];
  restore: string;
}

export const RESTORE_HINT =
  'Start ragd with STORAGE_DIR set to this directory, or to a copy of it (the server then writes to that directory).';

/** A manifest read back from disk, or undefined when the text is not a ragd backup manifest. */
export function parseManifest(text: string): BackupManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<BackupManifest>;
  const ok =
    m.format === MANIFEST_FORMAT &&
    m.formatVersion === MANIFEST_FORMAT_VERSION &&
    typeof m.id === 'string' &&
    typeof m.startedAt === 'string' &&
    typeof m.finishedAt === 'string' &&
    Array.isArray(m.collections) &&
    Array.isArray(m.files);
  return ok ? (m as BackupManifest) : undefined;
}
