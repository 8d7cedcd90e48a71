import { Injectable, Logger } from '@nestjs/common';
import * as path from 'node:path';
import { VectorStore, type CollectionExport } from '../vector-store/vector-store';
import { BackupFiles } from './adapters/backup-files';
import { CopyContents, SqliteBackup } from './adapters/sqlite-backup';
import { BackupExportSink } from './backup-export-sink';
import { MANIFEST_FILE, buildManifest, summarize } from './backup-manifest';
import { Backup, BackupPhase, PHASE_WORK, ShuttingDownError } from './backup-state';

/** The database's name in a STORAGE_DIR, which a backup directory repeats. */
const DB_FILE = 'ragd.sqlite';
/** Everything is written here first; a directory holding it (and no manifest) is incomplete. */
const PARTIAL_DIR = '.partial';

/**
 * Runs one backup into its (checked) directory: the vector store's export, then the SQLite copy,
 * both into `.partial/`, moved into place, then the manifest, written last.
 *
 * Order matters. The vector store is flushed and exported first, the database second: the export
 * then holds only vectors the database copy also holds (vectors reach SQLite before the store), or
 * vectors deleted after it was taken, which start-up forgets because their rows are gone (chunk ids
 * are never reused). Vectors written after the export are replayed from the copy at start-up
 * (their seq is above the export's watermark), so the copy's store is exactly its stored vectors.
 */
@Injectable()
export class BackupRunner {
  private readonly logger = new Logger('BackupService');

  constructor(
    private readonly files: BackupFiles,
    private readonly sqlite: SqliteBackup,
    private readonly vectors: VectorStore,
  ) {}

  /**
   * Runs the backup to its end, done or failed (with the reason); `stopping` asks it to stop.
   * `complete` runs once everything is in place, just before the backup shows as done, so that
   * whoever sees it done also sees what follows from it (old backups pruned, the next one allowed).
   */
  async run(
    backup: Backup,
    stopping: () => boolean,
    complete: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const t0 = performance.now();
    let lap = t0;
    const phase = (next: BackupPhase, timing?: keyof Backup['timings']) => {
      const now = performance.now();
      if (timing) backup.timings[timing] = Math.round(now - lap);
      lap = now;
      if (stopping()) throw new ShuttingDownError();
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

      phase('snapshots');
      await this.vectors.flush();

      phase('indexes', 'snapshotsMs');
      const sink = new BackupExportSink(this.files, partial);
      const progress = backup.progress!;
      const { collections } = await this.vectors.export(sink, (copied, total) => {
        progress.indexFiles = { copied, total };
        if (stopping()) throw new ShuttingDownError();
      });

      phase('sqlite', 'indexesMs');
      await this.sqlite.copyTo(path.join(partial, DB_FILE), (copied, total) => {
        progress.sqlitePages = { copied, total };
        if (stopping()) throw new ShuttingDownError();
      });

      phase('verifying', 'sqliteMs');
      const contents = await this.sqlite.inspect(path.join(partial, DB_FILE));
      const exported = await this.dropUnusable(collections, contents, sink);
      const db = await this.files.digest(path.join(partial, DB_FILE));

      phase('finishing', 'verifyMs');
      const entries = [DB_FILE, ...sink.entries];
      for (const name of entries) await this.files.makePrivate(path.join(partial, name));
      for (const name of entries) await this.files.sync(path.join(partial, name));
      for (const name of entries) {
        written.push(path.join(target, name));
        await this.files.rename(path.join(partial, name), path.join(target, name));
      }
      await this.files.remove(partial);
      await this.files.sync(target);
      const finishedAt = new Date().toISOString();
      const manifest = buildManifest(
        backup,
        finishedAt,
        contents,
        { path: DB_FILE, ...db },
        exported,
      );
      written.push(path.join(target, MANIFEST_FILE));
      await this.files.writeDurably(
        path.join(target, MANIFEST_FILE),
        `${JSON.stringify(manifest, null, 2)}\n`,
      );
      await this.files.makePrivate(target);
      await this.files.sync(path.dirname(target));
      await complete();

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

  /**
   * Removes exported collections the database copy cannot use: deleted since, or (which the order
   * of the copies rules out) with a watermark beyond the copy's last vector seq.
   */
  private async dropUnusable(
    exported: readonly CollectionExport[],
    contents: CopyContents,
    sink: BackupExportSink,
  ): Promise<CollectionExport[]> {
    const ids = new Set(contents.collections.map((c) => c.id));
    const usable: CollectionExport[] = [];
    for (const c of exported) {
      if (ids.has(c.collection) && c.watermark <= contents.lastVectorSeq) {
        usable.push(c);
        continue;
      }
      if (ids.has(c.collection))
        this.logger.warn(
          `Backup: the vector store's export of collection ${c.collection} is ahead of the database copy; left out`,
        );
      for (const f of c.files) await sink.remove(f.name);
    }
    return usable;
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
}
