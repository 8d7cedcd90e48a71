import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export interface SchemaState {
  /** The connection is open and answers a query. */
  open: boolean;
  /** The newest migration applied, and the newest this build knows. */
  applied: number;
  expected: number;
}

/** Whether the database answers and carries every migration of this build (one indexed read). */
export function schemaState(db: Database.Database): SchemaState {
  const expected = Math.max(...MIGRATIONS.map((m) => m.version));
  if (!db.open) return { open: false, applied: 0, expected };
  try {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    return { open: true, applied: row.v ?? 0, expected };
  } catch {
    return { open: false, applied: 0, expected };
  }
}
