import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSettings } from '../../src/config/settings';
import { CollectionsRepository } from '../../src/database/collections.repository';
import {
  DATABASE_FILE,
  DatabaseService,
  migrate,
  openDatabase,
} from '../../src/database/database.service';
import { LexicalRepository } from '../../src/database/lexical.repository';
import { MIGRATIONS } from '../../src/database/migrations';
import { ReanalysisService } from '../../src/lexical-index/reanalysis.service';
import { LexicalSearchService } from '../../src/retrieval/lexical-search.service';
import { tempDir } from '../support/test-app';

const TEXTS = [
  'The flows were measured at supersonic speeds.',
  'Библиотеки города открыты для всех читателей.',
  '中华人民共和国的首都是北京。',
];

/** A database as a version before migration 8 left it: one collection, three documents. */
function legacyDatabase(dir: string): void {
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version < 8),
  );
  db.exec(
    "INSERT INTO collections (name, embedding_model, embedding_dtype, chunk_size, chunk_overlap, created_at, updated_at) VALUES ('c', 'm', 'fp32', 64, 0, '', '')",
  );
  TEXTS.forEach((text, i) => {
    db.prepare(
      "INSERT INTO documents (collection_id, id, content_type, content_hash, text, created_at, updated_at) VALUES (1, ?, 'text/plain', 'h', ?, '', '')",
    ).run(`d${i}`, text);
    db.prepare(
      "INSERT INTO chunks (document_pk, collection_id, ordinal, text, start_offset, end_offset, token_count, token_counter) VALUES (?, 1, 0, ?, 0, ?, 5, 't')",
    ).run(i + 1, text, text.length);
  });
  db.close();
}

describe('lexical index migration of an existing database (integration)', () => {
  it('serves the old index until every document is analysed, then drops it, losing nothing', async () => {
    const dir = tempDir();
    legacyDatabase(dir);
    const database = new DatabaseService(loadSettings({ STORAGE_DIR: dir }));
    const collections = new CollectionsRepository(database);
    const lexical = new LexicalRepository(database);
    const sut = new ReanalysisService(database, collections, lexical);
    const search = new LexicalSearchService(lexical);

    // Migrated, not yet analysed: the old Porter index serves the collection (English works as before).
    const before = collections.findById(1)!;
    expect(before).toMatchObject({ language: 'auto', lexical_index: 'legacy' });
    expect(search.search(before, 'flow measurements', 5).map((r) => r.id)).toEqual([1]);
    expect(lexical.remaining(1, 'auto@1')).toBe(3);

    sut.onApplicationBootstrap();
    await sut.settled(1);

    const after = collections.findById(1)!;
    expect(after.lexical_index).toBe('analyzed');
    expect(lexical.remaining(1, 'auto@1')).toBe(0);
    expect(lexical.languages(1)).toEqual(['en', 'ru', 'zh']);
    expect(search.search(after, 'flow measurements', 5).map((r) => r.id)).toEqual([1]);
    expect(search.search(after, 'библиотека', 5).map((r) => r.id)).toEqual([2]);
    expect(search.search(after, '首都北京', 5).map((r) => r.id)).toEqual([3]);
    const db = database.db;
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'chunks_fts%'").all(),
    ).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM chunks').get()).toEqual({ n: 3 });
    expect(
      (db.prepare('SELECT text FROM documents ORDER BY pk').all() as { text: string }[]).map(
        (r) => r.text,
      ),
    ).toEqual(TEXTS);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    // A deleted document leaves the new index with its chunks.
    db.prepare('DELETE FROM documents WHERE pk = 2').run();
    expect(search.search(after, 'библиотека', 5)).toEqual([]);
    database.onApplicationShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
