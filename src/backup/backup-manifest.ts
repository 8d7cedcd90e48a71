import { VERSION } from '../common/version';
import type { CollectionExport } from '../vector-store/vector-store';
import type { CopiedCollection, CopyContents } from './adapters/sqlite-backup';
import type { BackupSummary } from './backup-state';

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
  /** The vector store's export in the backup (null: start-up rebuilds it from the stored vectors). */
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

/** The manifest of a finished backup: the copy's contents, its files, the vector store's export. */
export function buildManifest(
  backup: { id: string; startedAt: string },
  finishedAt: string,
  contents: CopyContents,
  db: { path: string; bytes: number; sha256: string },
  exported: readonly CollectionExport[],
): BackupManifest {
  const byId = new Map(exported.map((c) => [c.collection, c]));
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    id: backup.id,
    serverVersion: VERSION,
    startedAt: backup.startedAt,
    finishedAt,
    sqlite: {
      path: db.path,
      pageSize: contents.pageSize,
      pages: contents.pages,
      schemaVersion: contents.schemaVersion,
    },
    collections: contents.collections.map((c) => {
      const s = byId.get(c.id);
      return { ...c, indexSnapshot: s ? { watermark: s.watermark, size: s.size } : null };
    }),
    files: [
      db,
      ...exported.flatMap((c) =>
        c.files.map((f) => ({ path: f.name, bytes: f.bytes, sha256: f.sha256 })),
      ),
    ],
    restore: RESTORE_HINT,
  };
}

/** What GET /v1/backups shows of a manifest. */
export function summarize(m: BackupManifest): BackupSummary {
  return {
    formatVersion: m.formatVersion,
    serverVersion: m.serverVersion,
    files: m.files.length,
    bytes: m.files.reduce((n, f) => n + f.bytes, 0),
    collections: m.collections.map((c) => ({
      name: c.name,
      documents: c.documents,
      chunks: c.chunks,
      vectors: c.vectors,
      pending: c.pending,
      indexSnapshot: c.indexSnapshot !== null,
    })),
  };
}
