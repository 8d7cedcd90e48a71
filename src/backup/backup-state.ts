export type BackupState = 'running' | 'done' | 'failed';
export type BackupPhase =
  'preparing' | 'snapshots' | 'indexes' | 'sqlite' | 'verifying' | 'finishing';

/** What each phase does, for the reason of a backup that failed in it. */
export const PHASE_WORK: Record<BackupPhase, string> = {
  preparing: 'creating the backup directory',
  snapshots: 'writing the index snapshots',
  indexes: 'copying the index snapshots',
  sqlite: 'copying the SQLite database',
  verifying: 'reading the copied database',
  finishing: 'moving the files into place and writing the manifest',
};

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

export class ShuttingDownError extends Error {
  constructor() {
    super('the server is shutting down');
  }
}
