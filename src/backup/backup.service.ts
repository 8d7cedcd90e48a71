import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  BackupInProgressError,
  BackupNotFoundError,
  BackupTargetNotDirectoryError,
  BackupTargetNotEmptyError,
} from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { BackupFiles } from './adapters/backup-files';
import { findBackups } from './backup-listing';
import { pruneBackups } from './backup-retention';
import { checkBackupSpace } from './backup-space';
import { BackupRunner } from './backup-runner';
import type { Backup } from './backup-state';
import { BackupTargetRules, checkBackupTarget, resolveBackupTarget } from './backup-target';

/**
 * Online, consistent backups of the whole storage: the vector store's export and the SQLite
 * database, into a directory laid out like STORAGE_DIR, so that restoring is starting the server on
 * it. One at a time: this service checks the target, keeps the backups of this process and finds
 * the complete ones in BACKUP_DIR; BackupRunner does the work.
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
    private readonly runner: BackupRunner,
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
      await checkBackupSpace(this.files, target, this.settings.storageDir);
    } catch (e) {
      this.current = undefined;
      throw e;
    }
    this.runs.push(backup);
    this.logger.log(`Backup ${backup.id} started into ${target}`);
    const release = () => {
      if (this.current === current) this.current = undefined;
    };
    current.work = this.runner
      .run(
        backup,
        () => this.stopping,
        async () => {
          await this.prune(backup.id);
          release(); // before it shows as done: a client that sees it done may start the next
        },
      )
      .finally(release);
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

  /** BACKUP_KEEP; a failure to remove an old backup is logged, never fails the new one. */
  private async prune(justMade: string): Promise<void> {
    const dirs = { backupDir: this.settings.backup.dir, storageDir: this.settings.storageDir };
    try {
      const removed = new Set(
        await pruneBackups(this.files, dirs, this.settings.backup.keep, justMade, this.logger),
      );
      for (let i = this.runs.length - 1; i >= 0; i--)
        if (removed.has(this.runs[i]!.id)) this.runs.splice(i, 1);
    } catch (e) {
      this.logger.warn(`Removing old backups (BACKUP_KEEP) failed: ${(e as Error).message}`);
    }
  }

  /** Complete backups (with a manifest) directly inside BACKUP_DIR, other than the live storage. */
  private found(): Promise<Backup[]> {
    return findBackups(this.files, this.settings.backup.dir, this.settings.storageDir);
  }
}
