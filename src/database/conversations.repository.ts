import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

export interface ConversationRow {
  id: string;
  collection_id: number;
  created_at: string;
  updated_at: string;
}

export interface TurnRow {
  id: number;
  conversation_id: string;
  role: 'user' | 'assistant';
  content: string;
  standalone_query: string | null;
  citations: string | null;
  created_at: string;
}

/** SQL in, rows out: conversations and their turns. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  find(id: string): ConversationRow | undefined {
    return this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as
      ConversationRow | undefined;
  }

  insert(id: string, collectionId: number): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO conversations (id, collection_id, created_at, updated_at) VALUES (?, ?, ?, ?)',
      )
      .run(id, collectionId, now, now);
  }

  /** The last `limit` turns, oldest first. */
  turns(id: string, limit = 1000): TurnRow[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM conversation_turns WHERE conversation_id = ? ORDER BY id DESC LIMIT ?',
        )
        .all(id, limit) as TurnRow[]
    ).reverse();
  }

  /** Call inside a transaction. */
  addTurn(
    id: string,
    role: TurnRow['role'],
    content: string,
    extra: { standaloneQuery?: string; citations?: string } = {},
  ): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO conversation_turns (conversation_id, role, content, standalone_query, citations, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, role, content, extra.standaloneQuery ?? null, extra.citations ?? null, now);
    this.db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?').run(now, id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }
}
