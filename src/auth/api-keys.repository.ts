import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

export interface ApiKeyRow {
  id: string;
  name: string;
  /** SHA-256 of the key. */
  hash: Buffer;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

/** SQL in, rows out: the api_keys table. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  all(): ApiKeyRow[] {
    return this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as ApiKeyRow[];
  }

  insert(row: ApiKeyRow): void {
    this.db
      .prepare(
        `INSERT INTO api_keys (id, name, hash, scopes, created_at, expires_at, last_used_at)
         VALUES (@id, @name, @hash, @scopes, @created_at, @expires_at, @last_used_at)`,
      )
      .run(row);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes === 1;
  }

  /** Records when keys were last used, all in one transaction. */
  touch(uses: ReadonlyArray<{ id: string; at: string }>): void {
    const update = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
    this.database.transaction(() => {
      for (const u of uses) update.run(u.at, u.id);
    });
  }
}
