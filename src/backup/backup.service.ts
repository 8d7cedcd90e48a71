import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BackupInProgressError,
  BackupNotFoundError,
  BackupTargetNotDirectoryError,
  BackupTargetNotEmptyError,
} from '../common/errors';
import { isSameOrInside } from '../config/path-containment';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { VectorIndexService } from '../vector-index/vector-index.service';
import { VERSION } from '../common/version';
import { BackupFiles, CopiedFile, isMissing } from './adapters/backup-files';
import { CopyContents, SqliteBackup } from './adapters/sqlite-backup';
import {
  BackupManifest,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_VERSION,
  ManifestFile,
  RESTORE_HINT,
  parseManifest,
} from './backup-manifest';
import { BackupTargetRules, checkBackupTarget, resolveBackupTarget } from './backup-target';

export type BackupState = 'running' | 'done' | 'failed';
export type BackupPhase =
  'preparing' | 'snapshots' | 'indexes' | 'sqlite' | 'verifying' | 'finishing';

export interface BackupSummary {
  formatVersion: number;
  serverVersion: string;
  files: number;
  bytes: number;
  collections: {
    name: string;
    documents: number;
    chunks: number;
    vectors: number;
    pending: number;
    indexSnapshot: boolean;
  }[];
}

export interface Backup {
  id: string;
  state: BackupState;
  /** While running: what it is doing. */
  phase?: BackupPhase;
  /** When failed: why. */
  reason?: string;
  directory: string;
  /** this_run: started by this server process; found: a complete backup found in BACKUP_DIR. */
  origin: 'this_run' | 'found';
  startedAt: string;
  finishedAt?: string;
  progress?: {
    sqlitePages: { copied: number; total: number };
    indexFiles: { copied: number; total: number };
  };
  timings: Partial<
    Record<'snapshotsMs' | 'indexesMs' | 'sqliteMs' | 'verifyMs' | 'finishMs' | 'totalMs', number>
  >;
  manifest?: BackupSummary;
}

/** The layout of a STORAGE_DIR, which a backup directory repeats. */
const DB_FILE = 'ragd.sqlite';
const INDEX_DIR = 'indexes';
/** Everything is written here first; a directory holding it (and no manifest) is incomplete. */
const PARTIAL_DIR = '.partial';
/** A snapshot replaced while it was copied is copied again, this many times in all. */
const SNAPSHOT_COPY_ATTEMPTS = 3;

const PHASE_WORK: Record<BackupPhase, string> = {
  preparing: 'creating the backup directory',
  snapshots: 'writing the index snapshots',
  indexes: 'copying the index snapshots',
  sqlite: 'copying the SQLite database',
  verifying: 'reading the copied database',
  finishing: 'moving the files into place and writing the manifest',
};

interface CopiedSnapshot {
  collectionId: number;
  watermark: number;
  size: number;
  files: ManifestFile[];
}

class ShuttingDownError extends Error {
  constructor() {
    super('the server is shutting down');
  }
}

/**
 * Online, consistent backups of the whole storage: index snapshots and the SQLite database, into a
 * directory laid out like STORAGE_DIR, so that restoring is starting the server on it.
 *
 * Order matters. The index snapshots are flushed and copied first, the database second: a snapshot
 * then holds only vectors the database copy also holds (vectors reach SQLite before the index), or
 * vectors deleted after it was taken, which start-up forgets because their rows are gone (chunk ids
 * are never reused). Vectors written after the snapshot are replayed from the copy at start-up
 * (their seq is above the snapshot's watermark), so the copy's index is exactly its stored vectors.
 */
@Injectable()
export class BackupService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackupService.name);
  /** The backups of this process, oldest first. */
  private readonly runs: Backup[] = [];
  /** The backup running (or having its target checked), and its work. */
  private current: { backup: Backup; work?: Promise<void> } | undefined;
  private stopping = false;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly files: BackupFiles,
    private readonly sqlite: SqliteBackup,
    private readonly vectors: VectorIndexService,
  ) {}

  /**
   * Checks the target and starts a backup in the background; one at a time. The directory is
   * resolved against BACKUP_DIR (default: BACKUP_DIR/<start time>) and must be new or empty.
   */
  async start(directory: string | undefined): Promise<Backup> {
    if (this.current) {
      throw new BackupInProgressError(this.current.backup.id, this.current.backup.directory);
    }
    const now = new Date();
    const target = resolveBackupTarget(directory, this.rules(), now);
    const backup: Backup = {
      id: randomUUID(),
      state: 'running',
      phase: 'preparing',
      directory: target,
      origin: 'this_run',
      startedAt: now.toISOString(),
      progress: { sqlitePages: { copied: 0, total: 0 }, indexFiles: { copied: 0, total: 0 } },
      timings: {},
    };
    const current: { backup: Backup; work?: Promise<void> } = { backup };
    this.current = current; // taken before the first await: a second request meanwhile gets a 409
    try {
      await this.checkTargetOnDisk(target);
    } catch (e) {
      this.current = undefined;
      throw e;
    }
    this.runs.push(backup);
    this.logger.log(`Backup ${backup.id} started into ${target}`);
    current.work = this.run(backup).finally(() => {
      this.current = undefined;
    });
    return structuredClone(backup);
  }

  async get(id: string): Promise<Backup> {
    const run = this.runs.find((b) => b.id === id);
    if (run) return structuredClone(run);
    const found = (await this.found()).find((b) => b.id === id);
    if (!found) throw new BackupNotFoundError(id);
    return found;
  }

  /** This process's backups and the complete ones found in BACKUP_DIR, newest first. */
  async list(): Promise<Backup[]> {
    const ids = new Set(this.runs.map((b) => b.id));
    const all = [
      ...this.runs.map((b) => structuredClone(b)),
      ...(await this.found()).filter((b) => !ids.has(b.id)),
    ];
    return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** A running backup stops (and removes what it wrote) before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.current?.work;
  }

  private rules(): BackupTargetRules {
    return {
      backupDir: this.settings.backup.dir,
      storageDir: this.settings.storageDir,
      allowAnyPath: this.settings.backup.allowAnyPath,
    };
  }

  /** The rules again with symbolic links resolved; then the target must be new or an empty directory. */
  private async checkTargetOnDisk(target: string): Promise<void> {
    const rules = this.rules();
    const real: BackupTargetRules = {
      ...rules,
      backupDir: await this.files.realPath(rules.backupDir),
      storageDir: await this.files.realPath(rules.storageDir),
    };
    checkBackupTarget(await this.files.realPath(target), real);
    switch (await this.files.kind(target)) {
      case 'other':
        throw new BackupTargetNotDirectoryError(target);
      case 'directory':
        throw new BackupTargetNotEmptyError(target);
      case 'missing':
      case 'empty-directory':
        return;
    }
  }

  private async run(backup: Backup): Promise<void> {
    const t0 = performance.now();
    let lap = t0;
    const phase = (next: BackupPhase, timing?: keyof Backup['timings']) => {
      const now = performance.now();
      if (timing) backup.timings[timing] = Math.round(now - lap);
      lap = now;
      if (this.stopping) throw new ShuttingDownError();
      backup.phase = next;
    };
    const target = backup.directory;
    const partial = path.join(target, PARTIAL_DIR);
    const written: string[] = [partial];
    let created: string | undefined;
    try {
      phase('preparing');
      created = await this.files.makeDirectories(target);
      await this.files.makeDirectory(partial);
      await this.files.makeDirectory(path.join(partial, INDEX_DIR));

      phase('snapshots');
      await this.vectors.flushSnapshots();

      phase('indexes', 'snapshotsMs');
      const snapshots = await this.copySnapshots(backup, path.join(partial, INDEX_DIR));

      phase('sqlite', 'indexesMs');
      const progress = backup.progress!;
      await this.sqlite.copyTo(path.join(partial, DB_FILE), (copied, total) => {
        progress.sqlitePages = { copied, total };
        if (this.stopping) throw new ShuttingDownError();
      });

      phase('verifying', 'sqliteMs');
      const contents = await this.sqlite.inspect(path.join(partial, DB_FILE));
      await this.dropUnusableSnapshots(snapshots, contents, path.join(partial, INDEX_DIR));
      const db = await this.files.digest(path.join(partial, DB_FILE));

      phase('finishing', 'verifyMs');
      await this.files.sync(path.join(partial, DB_FILE));
      await this.files.sync(path.join(partial, INDEX_DIR));
      for (const name of [DB_FILE, INDEX_DIR]) {
        written.push(path.join(target, name));
        await this.files.rename(path.join(partial, name), path.join(target, name));
      }
      await this.files.remove(partial);
      await this.files.sync(target);
      const finishedAt = new Date().toISOString();
      const manifest = this.manifest(backup, finishedAt, contents, db, snapshots);
      written.push(path.join(target, MANIFEST_FILE));
      await this.files.writeDurably(
        path.join(target, MANIFEST_FILE),
        `${JSON.stringify(manifest, null, 2)}\n`,
      );
      await this.files.sync(path.dirname(target));

      backup.timings.finishMs = Math.round(performance.now() - lap);
      backup.timings.totalMs = Math.round(performance.now() - t0);
      backup.state = 'done';
      backup.phase = undefined;
      backup.finishedAt = finishedAt;
      backup.manifest = summarize(manifest);
      this.logger.log(
        `Backup ${backup.id} done in ${backup.timings.totalMs} ms: ${backup.manifest.files} files, ${backup.manifest.bytes} bytes in ${target}`,
      );
    } catch (e) {
      backup.reason =
        e instanceof ShuttingDownError
          ? `stopped: ${e.message}`
          : `${PHASE_WORK[backup.phase ?? 'preparing']} failed: ${(e as Error).message}`;
      const left = await this.discard(created, written);
      if (left) backup.reason += `; and removing the incomplete backup failed: ${left}`;
      backup.state = 'failed';
      backup.finishedAt = new Date().toISOString();
      backup.timings.totalMs = Math.round(performance.now() - t0);
      this.logger.error(`Backup ${backup.id} into ${target} failed: ${backup.reason}`);
    }
  }

  /** Copies each index snapshot whose checksum verifies; a missing or damaged one is rebuilt at restore. */
  private async copySnapshots(backup: Backup, toDir: string): Promise<Map<number, CopiedSnapshot>> {
    const fromDir = path.join(this.settings.storageDir, INDEX_DIR);
    const ids = ((await this.files.list(fromDir)) ?? [])
      .map((name) => /^(\d+)\.meta\.json$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const counts = backup.progress!.indexFiles;
    counts.total = 2 * ids.length;
    const copied = new Map<number, CopiedSnapshot>();
    for (const id of ids) {
      if (this.stopping) throw new ShuttingDownError();
      const snapshot = await this.copySnapshot(id, fromDir, toDir);
      if (snapshot) {
        copied.set(id, snapshot);
        counts.copied += 2;
      }
    }
    return copied;
  }

  /**
   * Copies `<id>.hnsw` and then its meta. The server may replace the pair meanwhile (index file
   * first, meta second): the copy counts only when its sha256 is the one the meta read before it
   * names, else it is tried again.
   */
  private async copySnapshot(
    id: number,
    fromDir: string,
    toDir: string,
  ): Promise<CopiedSnapshot | undefined> {
    const index = { from: path.join(fromDir, `${id}.hnsw`), to: path.join(toDir, `${id}.hnsw`) };
    const meta = {
      from: path.join(fromDir, `${id}.meta.json`),
      to: path.join(toDir, `${id}.meta.json`),
    };
    for (let attempt = 1; attempt <= SNAPSHOT_COPY_ATTEMPTS; attempt++) {
      const text = await this.files.readText(meta.from);
      const parsed = text === undefined ? undefined : parseSnapshotMeta(text);
      if (text === undefined || !parsed) return undefined; // dropped meanwhile, or unreadable
      await this.files.remove(index.to);
      let copy: CopiedFile;
      try {
        copy = await this.files.copy(index.from, index.to);
      } catch (e) {
        if (isMissing(e) && (await this.files.kind(index.from)) === 'missing') {
          await this.files.remove(index.to);
          return undefined; // the collection was deleted meanwhile
        }
        throw e;
      }
      if (copy.sha256 === parsed.sha256) {
        await this.files.writeDurably(meta.to, text);
        const metaCopy = await this.files.digest(meta.to);
        return {
          collectionId: id,
          watermark: parsed.watermark,
          size: parsed.size,
          files: [
            { path: `${INDEX_DIR}/${id}.hnsw`, ...copy },
            { path: `${INDEX_DIR}/${id}.meta.json`, ...metaCopy },
          ],
        };
      }
      await sleep(50 * attempt);
    }
    await this.files.remove(index.to);
    this.logger.warn(
      `Backup: the index snapshot of collection ${id} kept changing while it was copied; the restored server rebuilds it`,
    );
    return undefined;
  }

  /**
   * Removes copied snapshots the database copy cannot use: of a collection deleted since, or (which
   * the order of the copies rules out) with a watermark beyond the copy's last vector seq.
   */
  private async dropUnusableSnapshots(
    snapshots: Map<number, CopiedSnapshot>,
    contents: CopyContents,
    dir: string,
  ): Promise<void> {
    const ids = new Set(contents.collections.map((c) => c.id));
    for (const [id, snapshot] of snapshots) {
      if (ids.has(id) && snapshot.watermark <= contents.lastVectorSeq) continue;
      if (ids.has(id))
        this.logger.warn(
          `Backup: the index snapshot of collection ${id} is ahead of the database copy; left out`,
        );
      snapshots.delete(id);
      await this.files.remove(path.join(dir, `${id}.hnsw`));
      await this.files.remove(path.join(dir, `${id}.meta.json`));
    }
  }

  private manifest(
    backup: Backup,
    finishedAt: string,
    contents: CopyContents,
    db: CopiedFile,
    snapshots: Map<number, CopiedSnapshot>,
  ): BackupManifest {
    return {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_FORMAT_VERSION,
      id: backup.id,
      serverVersion: VERSION,
      startedAt: backup.startedAt,
      finishedAt,
      sqlite: {
        path: DB_FILE,
        pageSize: contents.pageSize,
        pages: contents.pages,
        schemaVersion: contents.schemaVersion,
      },
      collections: contents.collections.map((c) => {
        const s = snapshots.get(c.id);
        return { ...c, indexSnapshot: s ? { watermark: s.watermark, size: s.size } : null };
      }),
      files: [{ path: DB_FILE, ...db }, ...[...snapshots.values()].flatMap((s) => s.files)],
      restore: RESTORE_HINT,
    };
  }

  /**
   * Removes what a failed backup wrote: the directories it created, else the entries it put into the
   * existing (empty) target. Returns why that failed, if it did.
   */
  private async discard(
    created: string | undefined,
    written: readonly string[],
  ): Promise<string | undefined> {
    try {
      if (created !== undefined) await this.files.remove(created);
      else for (const p of written) await this.files.remove(p);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Complete backups (with a manifest) directly inside BACKUP_DIR, other than the live storage. */
  private async found(): Promise<Backup[]> {
    const dir = this.settings.backup.dir;
    const out: Backup[] = [];
    for (const name of await this.files.subdirectories(dir)) {
      const directory = path.join(dir, name);
      if (isSameOrInside(this.settings.storageDir, directory)) continue; // restored and now live
      const text = await this.files
        .readText(path.join(directory, MANIFEST_FILE))
        .catch(() => undefined);
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
}

function summarize(m: BackupManifest): BackupSummary {
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

/** The fields of an index snapshot's meta file (written by VectorIndexService) that a backup needs. */
function parseSnapshotMeta(
  text: string,
): { watermark: number; size: number; sha256: string } | undefined {
  try {
    const m = JSON.parse(text) as { watermark?: unknown; size?: unknown; sha256?: unknown };
    if (
      typeof m.watermark === 'number' &&
      typeof m.size === 'number' &&
      typeof m.sha256 === 'string'
    ) {
      return { watermark: m.watermark, size: m.size, sha256: m.sha256 };
    }
  } catch {
    // unreadable: left out, and rebuilt at restore
  }
  return undefined;
}
