import Database from 'better-sqlite3';
import { migrate } from '../../src/database/database.service';
import { MIGRATIONS } from '../../src/database/migrations';

describe('schema migrations on a database with data (integration)', () => {
  it('adds vector generations without losing vectors or reusing a vector seq', () => {
    const sut = new Database(':memory:');
    sut.pragma('foreign_keys = ON');
    migrate(sut, MIGRATIONS.filter((m) => m.version < 4));
    sut.exec(`
      INSERT INTO collections (name, embedding_model, embedding_dtype, chunk_size, chunk_overlap, created_at, updated_at)
        VALUES ('c', 'm', 'fp32', 64, 0, '', '');
      INSERT INTO documents (collection_id, id, content_type, content_hash, text, created_at, updated_at)
        VALUES (1, 'd', 'text/plain', 'h', 'abc', '', '');
      INSERT INTO chunks (document_pk, collection_id, ordinal, text, start_offset, end_offset, token_count, token_counter)
        VALUES (1, 1, 0, 'a', 0, 1, 1, 't'), (1, 1, 1, 'b', 1, 2, 1, 't'), (1, 1, 2, 'c', 2, 3, 1, 't');
      INSERT INTO chunk_vectors (chunk_id, collection_id, model, dim, vector)
        VALUES (1, 1, 'm', 1, x'0000803f'), (2, 1, 'm', 1, x'00000040');
      DELETE FROM chunk_vectors WHERE chunk_id = 2; -- seq 2 was used: a snapshot may hold it as its watermark
    `);

    expect(migrate(sut, MIGRATIONS)).toEqual(MIGRATIONS.filter((m) => m.version >= 4).map((m) => m.version));

    expect(sut.prepare('SELECT seq, chunk_id, generation, vector FROM chunk_vectors').all()).toEqual([
      { seq: 1, chunk_id: 1, generation: 0, vector: Buffer.from([0, 0, 0x80, 0x3f]) },
    ]);
    const next = sut.prepare("INSERT INTO chunk_vectors (chunk_id, collection_id, model, dim, vector) VALUES (3, 1, 'm', 1, x'00000000') RETURNING seq").get();
    expect(next).toEqual({ seq: 3 });
    expect(sut.prepare('SELECT vector_generation FROM collections').get()).toEqual({ vector_generation: 0 });
    expect(sut.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(sut.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    sut.close();
  });
});
