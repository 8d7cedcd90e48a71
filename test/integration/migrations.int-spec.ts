import Database from 'better-sqlite3';
import { migrate } from '../../src/database/database.service';
import { MIGRATIONS } from '../../src/database/migrations';

/** A collection 'c' with a document 'd' whose text is 'abc'. */
const ONE_DOCUMENT = `
  INSERT INTO collections (name, embedding_model, embedding_dtype, chunk_size, chunk_overlap, created_at, updated_at)
    VALUES ('c', 'm', 'fp32', 64, 0, '', '');
  INSERT INTO documents (collection_id, id, content_type, content_hash, text, created_at, updated_at)
    VALUES (1, 'd', 'text/plain', 'h', 'abc', '', '');
`;

/** A database with the migrations before the given version applied. */
function migratedBefore(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version < version),
  );
  return db;
}

describe('schema migrations on a database with data (integration)', () => {
  it('adds vector generations without losing vectors or reusing a vector seq', () => {
    const sut = migratedBefore(4);
    sut.exec(`
      ${ONE_DOCUMENT}
      INSERT INTO chunks (document_pk, collection_id, ordinal, text, start_offset, end_offset, token_count, token_counter)
        VALUES (1, 1, 0, 'a', 0, 1, 1, 't'), (1, 1, 1, 'b', 1, 2, 1, 't'), (1, 1, 2, 'c', 2, 3, 1, 't');
      INSERT INTO chunk_vectors (chunk_id, collection_id, model, dim, vector)
        VALUES (1, 1, 'm', 1, x'0000803f'), (2, 1, 'm', 1, x'00000040');
      DELETE FROM chunk_vectors WHERE chunk_id = 2; -- seq 2 was used: a snapshot may hold it as its watermark
    `);

    expect(migrate(sut, MIGRATIONS)).toEqual(
      MIGRATIONS.filter((m) => m.version >= 4).map((m) => m.version),
    );

    expect(
      sut.prepare('SELECT seq, chunk_id, generation, vector FROM chunk_vectors').all(),
    ).toEqual([{ seq: 1, chunk_id: 1, generation: 0, vector: Buffer.from([0, 0, 0x80, 0x3f]) }]);
    const next = sut
      .prepare(
        "INSERT INTO chunk_vectors (chunk_id, collection_id, model, dim, vector) VALUES (3, 1, 'm', 1, x'00000000') RETURNING seq",
      )
      .get();
    expect(next).toEqual({ seq: 3 });
    expect(sut.prepare('SELECT vector_generation FROM collections').get()).toEqual({
      vector_generation: 0,
    });
    expect(sut.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(sut.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    sut.close();
  });

  it('adds section paths and page ranges as NULL to chunks that were there before', () => {
    const sut = migratedBefore(5);
    sut.exec(`
      ${ONE_DOCUMENT}
      INSERT INTO chunks (document_pk, collection_id, ordinal, text, start_offset, end_offset, token_count, token_counter)
        VALUES (1, 1, 0, 'abc', 0, 3, 3, 't');
    `);

    expect(migrate(sut, MIGRATIONS)).toEqual(
      MIGRATIONS.filter((m) => m.version >= 5).map((m) => m.version),
    );

    expect(
      sut.prepare('SELECT text, section_path, page_start, page_end FROM chunks').all(),
    ).toEqual([{ text: 'abc', section_path: null, page_start: null, page_end: null }]);
    expect(sut.prepare('SELECT structure FROM documents').get()).toEqual({ structure: null });
    expect(sut.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    sut.close();
  });
});
