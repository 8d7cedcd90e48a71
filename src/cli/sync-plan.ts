import type { LocalFile } from './local-files';

/** What `ragd index` stores with each file's document, and reads back to compare. */
export interface SyncedMetadata {
  path: string;
  sha256: string;
  syncedBy: 'ragd index';
}

export interface RemoteDocument {
  id: string;
  metadata: Record<string, unknown>;
}

export interface SyncPlan {
  /** Not in the collection yet. */
  added: LocalFile[];
  /** In the collection with other content: its document is deleted, then sent again. */
  changed: LocalFile[];
  /** Synced documents whose file is gone: deleted. */
  removed: RemoteDocument[];
  unchanged: number;
}

/**
 * The document id of a file: its relative path, with "%" and "/" escaped (ids cannot hold "/"), so
 * "guides/setup.md" is "guides%2Fsetup.md" and the file's extension stays at the end.
 */
export function documentIdOf(relativePath: string): string {
  return relativePath.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function relativePathOf(documentId: string): string {
  return documentId.replace(/%2F/gi, '/').replace(/%25/g, '%');
}

/** A document this command put there: its id is its path's, and it carries the path and hash. */
function synced(d: RemoteDocument): SyncedMetadata | undefined {
  const m = d.metadata;
  if (m.syncedBy !== 'ragd index' || typeof m.path !== 'string' || typeof m.sha256 !== 'string')
    return undefined;
  return documentIdOf(m.path) === d.id ? (m as unknown as SyncedMetadata) : undefined;
}

/**
 * Compares the folder with the collection. Documents added by other means (no ragd index metadata)
 * are never touched.
 */
export function planSync(local: readonly LocalFile[], remote: readonly RemoteDocument[]): SyncPlan {
  const byPath = new Map<string, RemoteDocument & { meta: SyncedMetadata }>();
  const others = new Set<string>();
  for (const d of remote) {
    const meta = synced(d);
    if (meta) byPath.set(meta.path, { ...d, meta });
    else others.add(d.id);
  }
  const plan: SyncPlan = { added: [], changed: [], removed: [], unchanged: 0 };
  const seen = new Set<string>();
  for (const f of local) {
    seen.add(f.relativePath);
    const d = byPath.get(f.relativePath);
    if (!d) {
      if (others.has(documentIdOf(f.relativePath)))
        throw new Error(
          `Document '${documentIdOf(f.relativePath)}' exists in the collection but was not added by ragd index; delete it or rename ${f.relativePath}`,
        );
      plan.added.push(f);
    } else if (d.meta.sha256 !== f.sha256) plan.changed.push(f);
    else plan.unchanged++;
  }
  for (const [p, d] of byPath)
    if (!seen.has(p)) plan.removed.push({ id: d.id, metadata: d.metadata });
  return plan;
}

export function metadataOf(f: LocalFile): SyncedMetadata {
  return { path: f.relativePath, sha256: f.sha256, syncedBy: 'ragd index' };
}
