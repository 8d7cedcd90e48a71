import { Injectable } from '@nestjs/common';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CollectionCounts, CollectionsRepository } from '../../database/collections.repository';
import { DatabaseService } from '../../database/database.service';

/**
 * Pages copied per step of the online backup. Each step runs on the event loop (4 KiB pages: about
 * 1 MiB, a few milliseconds); requests are served between steps.
 */
const PAGES_PER_STEP = 256;
/**
 * The copy's last step commits it, and that commit's fsync runs on the event loop: with hundreds of
 * megabytes still unsynced it holds the loop for long (a 267 MB copy: 290-400 ms on the development
 * machine's virtual disk, more on a slow one). So whenever this many pages have been written since
 * the last one, the copy is fsynced in the background (libuv's thread pool), and the final fsync
 * finds little left to write (same copy: 70-120 ms).
 */
const BACKGROUND_SYNC_PAGES = 4096;

export interface CopiedCollection extends CollectionCounts {
  id: number;
  name: string;
  embeddingModel: string;
  embeddingDim: number | null;
}

export interface CopyContents {
  pageSize: number;
  pages: number;
  schemaVersion: number;
  /** The highest vector seq ever handed out (sqlite_sequence), deleted vectors included. */
  lastVectorSeq: number;
  collections: CopiedCollection[];
}

/** SQLite's online backup API on the live connection, and a look into the copy it made. */
@Injectable()
export class SqliteBackup {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Copies the live database into `file` (which must not exist) step by step while the server goes
   * on writing: writes made through this connection meanwhile are applied to the copy too, so it is
   * the database as of the last step. `onStep` sees the pages copied so far and may throw to stop.
   */
  async copyTo(
    file: string,
    onStep: (copied: number, total: number) => void,
  ): Promise<{ pages: number }> {
    let syncing: Promise<void> | undefined;
    let syncedAt = 0;
    const done = await this.database.db.backup(file, {
      progress: ({ totalPages, remainingPages }) => {
        const copied = totalPages - remainingPages;
        onStep(copied, totalPages);
        if (!syncing && copied - syncedAt >= BACKGROUND_SYNC_PAGES) {
          syncedAt = copied;
          syncing = syncQuietly(file).finally(() => (syncing = undefined));
        }
        return PAGES_PER_STEP;
      },
    });
    await syncing;
    onStep(done.totalPages, done.totalPages);
    return { pages: done.totalPages };
  }

  /**
   * Reads a copy on a connection of its own: its size, schema version and per-collection counts
   * (through the server's own repository, so the counts mean what GET /v1/collections shows).
   * One query per collection and a turn of the event loop between them.
   */
  async inspect(file: string): Promise<CopyContents> {
    const db = new Database(file, { fileMustExist: true });
    try {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const pages = db.pragma('page_count', { simple: true }) as number;
      const { version } = db
        .prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations')
        .get() as { version: number };
      const { seq } = db
        .prepare(
          "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chunk_vectors'), 0) AS seq",
        )
        .get() as { seq: number };
      const repo = new CollectionsRepository({ db } as DatabaseService);
      const collections: CopiedCollection[] = [];
      for (const c of [...repo.list()].sort((a, b) => a.id - b.id)) {
        await nextTurn();
        collections.push({
          id: c.id,
          name: c.name,
          embeddingModel: c.embedding_model,
          embeddingDim: c.embedding_dim,
          ...repo.counts(c.id),
        });
      }
      return { pageSize, pages, schemaVersion: version, lastVectorSeq: seq, collections };
    } finally {
      // The last connection to close removes the copy's -wal and -shm files.
      db.close();
    }
  }
}

/** fsync by another descriptor, only to shorten SQLite's own final fsync: a failure here is for that one to report. */
async function syncQuietly(file: string): Promise<void> {
  try {
    const handle = await fs.promises.open(file, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // SQLite's commit fsyncs the file again and fails the backup if the disk does
  }
}
