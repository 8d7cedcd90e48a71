import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { MIGRATIONS, Migration } from './migrations';

/** The database file's name inside STORAGE_DIR (with its -wal and -shm companions). */
export const DATABASE_FILE = 'ragd.sqlite';

/** The one better-sqlite3 connection: WAL, foreign keys, migrations applied at start-up. */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly db: Database.Database;
  readonly path: string;

  constructor(@Inject(SETTINGS) settings: Settings) {
    fs.mkdirSync(settings.storageDir, { recursive: true });
    this.path = path.join(settings.storageDir, DATABASE_FILE);
    this.db = openDatabase(this.path);
    const applied = migrate(this.db, MIGRATIONS);
    if (applied.length > 0) {
      this.logger.log(`Applied migrations ${applied.join(', ')} to ${this.path}`);
    }
  }

  /** Runs fn inside one IMMEDIATE transaction (all or nothing). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  onApplicationShutdown(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      // A full or read-only disk: every commit is already in the WAL, which the next start reads.
      this.logger.warn(
        `WAL checkpoint at shutdown failed (${(e as Error).message}); the WAL is kept and read at the next start`,
      );
    }
    this.db.close();
  }
}

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a transaction acknowledged to a client survives power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function migrate(db: Database.Database, migrations: readonly Migration[]): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const done = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
