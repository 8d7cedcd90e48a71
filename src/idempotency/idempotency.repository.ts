import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

/**
 * in_progress: claimed, nothing committed under it yet; committed: the request's writes are
 * committed, in the same transaction as this state, with the response as of that moment;
 * completed: the response that was sent.
 */
export type IdempotencyState = 'in_progress' | 'committed' | 'completed';

export interface IdempotencyRow {
  key: string;
  scope: string;
  request_hash: string;
  state: IdempotencyState;
  /** The server run that claimed the key. */
  run_id: string;
  response_status: number | null;
  /** JSON text of the response body. */
  response_body: string | null;
  created_at: string;
}

export interface IdempotencyId {
  key: string;
  scope: string;
  runId: string;
}

/** SQL in, rows out: the idempotency_keys table. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  find(key: string, scope: string): IdempotencyRow | undefined {
    return this.db
      .prepare('SELECT * FROM idempotency_keys WHERE key = ? AND scope = ?')
      .get(key, scope) as IdempotencyRow | undefined;
  }

  /** A new in_progress row, in place of any row the key had. */
  claim(id: IdempotencyId, requestHash: string, createdAt: string): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO idempotency_keys (key, scope, request_hash, state, run_id, response_status, response_body, created_at)
         VALUES (?, ?, ?, 'in_progress', ?, NULL, NULL, ?)`,
      )
      .run(id.key, id.scope, requestHash, id.runId, createdAt);
  }

  /** in_progress -> committed, with the response as of the commit; returns whether the row changed. */
  commit(id: IdempotencyId, status: number, body: string | null): boolean {
    return (
      this.db
        .prepare(
          `UPDATE idempotency_keys SET state = 'committed', response_status = ?, response_body = ?
           WHERE key = ? AND scope = ? AND run_id = ? AND state = 'in_progress'`,
        )
        .run(status, body, id.key, id.scope, id.runId).changes === 1
    );
  }

  /** in_progress or committed -> completed, with the response that was sent. */
  complete(id: IdempotencyId, status: number, body: string | null): void {
    this.db
      .prepare(
        `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?
         WHERE key = ? AND scope = ? AND run_id = ? AND state IN ('in_progress', 'committed')`,
      )
      .run(status, body, id.key, id.scope, id.runId);
  }

  /** Marks the run's committed row completed, keeping the response stored at commit. */
  completeCommitted(id: IdempotencyId): void {
    this.db
      .prepare(
        `UPDATE idempotency_keys SET state = 'completed' WHERE key = ? AND scope = ? AND run_id = ? AND state = 'committed'`,
      )
      .run(id.key, id.scope, id.runId);
  }

  /** Deletes the run's in_progress row. */
  release(id: IdempotencyId): void {
    this.db
      .prepare(
        `DELETE FROM idempotency_keys WHERE key = ? AND scope = ? AND run_id = ? AND state = 'in_progress'`,
      )
      .run(id.key, id.scope, id.runId);
  }

  /** Deletes rows created before `cutoff`, except unfinished ones of the live run `runId`. */
  purge(cutoff: string, runId: string): number {
    return this.db
      .prepare(
        `DELETE FROM idempotency_keys WHERE created_at < ? AND (state = 'completed' OR run_id <> ?)`,
      )
      .run(cutoff, runId).changes;
  }
}
