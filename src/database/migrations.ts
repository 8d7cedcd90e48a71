/**
 * Versioned schema migrations. Append only: never edit a migration that has shipped.
 * SQLite is the source of truth; the HNSW index is a cache rebuilt from chunk_vectors.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'collections, documents, chunks, vectors, fts',
    sql: `
      CREATE TABLE collections (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL UNIQUE,
        embedding_model TEXT NOT NULL,
        embedding_dtype TEXT NOT NULL,
        embedding_dim   INTEGER,
        chunk_size      INTEGER NOT NULL,
        chunk_overlap   INTEGER NOT NULL,
        metadata        TEXT NOT NULL DEFAULT '{}',
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      );

      CREATE TABLE documents (
        pk            INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        id            TEXT NOT NULL,
        title         TEXT,
        source        TEXT,
        content_type  TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        metadata      TEXT NOT NULL DEFAULT '{}',
        text          TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        UNIQUE (collection_id, id)
      );

      -- Chunk ids are never reused (AUTOINCREMENT): they are the HNSW labels.
      CREATE TABLE chunks (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        document_pk     INTEGER NOT NULL REFERENCES documents(pk) ON DELETE CASCADE,
        collection_id   INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        ordinal         INTEGER NOT NULL,
        text            TEXT NOT NULL,
        start_offset    INTEGER NOT NULL,
        end_offset      INTEGER NOT NULL,
        token_count     INTEGER NOT NULL,
        token_counter   TEXT NOT NULL,
        embedded        INTEGER NOT NULL DEFAULT 0,
        UNIQUE (document_pk, ordinal)
      );
      CREATE INDEX chunks_pending ON chunks (collection_id, embedded, token_count);

      -- seq orders vector writes: an index snapshot records the last seq it contains.
      CREATE TABLE chunk_vectors (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id      INTEGER NOT NULL UNIQUE REFERENCES chunks(id) ON DELETE CASCADE,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        model         TEXT NOT NULL,
        dim           INTEGER NOT NULL,
        vector        BLOB NOT NULL
      );
      CREATE INDEX chunk_vectors_collection ON chunk_vectors (collection_id, seq);

      -- External-content FTS5 table kept in step with chunks by triggers, so the lexical index is
      -- written in the same transaction as the chunk rows. porter over unicode61: English stemming
      -- ("indexing" finds "indexed") on top of Unicode-aware word splitting and case folding.
      CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text,
        content = 'chunks',
        content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
      CREATE TRIGGER chunks_au AFTER UPDATE OF text ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
      END;
    `,
  },
  {
    version: 2,
    name: 'per-collection search settings',
    sql: `ALTER TABLE collections ADD COLUMN search_settings TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 3,
    name: 'idempotency keys',
    sql: `
      -- One row per Idempotency-Key and scope (method, route and its parameters, e.g. the
      -- collection). in_progress: claimed, nothing committed yet; committed: the request's writes
      -- are committed (in the same transaction as this state) with the response as of that moment;
      -- completed: the response sent. run_id is the server run that claimed the key: an
      -- in_progress row of an earlier run was cut short by a crash and counts as absent.
      CREATE TABLE idempotency_keys (
        key             TEXT NOT NULL,
        scope           TEXT NOT NULL,
        request_hash    TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('in_progress', 'committed', 'completed')),
        run_id          TEXT NOT NULL,
        response_status INTEGER,
        response_body   TEXT,
        created_at      TEXT NOT NULL,
        PRIMARY KEY (key, scope)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
    `,
  },
  {
    version: 4,
    name: 'embedding-model migration: vector generations and re-embed jobs',
    sql: `
      -- The generation of vectors a collection serves; a re-embed writes the next one beside it and
      -- the switch is this number changing. Index snapshots record it.
      ALTER TABLE collections ADD COLUMN vector_generation INTEGER NOT NULL DEFAULT 0;

      -- chunk_vectors gains a generation: a chunk has at most one vector per generation.
      CREATE TABLE chunk_vectors_v4 (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id      INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        generation    INTEGER NOT NULL DEFAULT 0,
        model         TEXT NOT NULL,
        dim           INTEGER NOT NULL,
        vector        BLOB NOT NULL,
        UNIQUE (chunk_id, generation)
      );
      INSERT INTO chunk_vectors_v4 (seq, chunk_id, collection_id, generation, model, dim, vector)
        SELECT seq, chunk_id, collection_id, 0, model, dim, vector FROM chunk_vectors ORDER BY seq;
      -- Seqs are never reused (snapshot watermarks compare with them): carry the counter over.
      DELETE FROM sqlite_sequence WHERE name = 'chunk_vectors_v4';
      INSERT INTO sqlite_sequence (name, seq) SELECT 'chunk_vectors_v4', seq FROM sqlite_sequence WHERE name = 'chunk_vectors';
      DROP TABLE chunk_vectors;
      ALTER TABLE chunk_vectors_v4 RENAME TO chunk_vectors;
      CREATE INDEX chunk_vectors_collection ON chunk_vectors (collection_id, generation, seq);

      CREATE TABLE reembeds (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        -- the vector generation this job writes
        generation    INTEGER NOT NULL,
        model         TEXT NOT NULL,
        dtype         TEXT NOT NULL,
        from_model    TEXT NOT NULL,
        from_dtype    TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled')),
        error         TEXT,
        dim           INTEGER,
        created_at    TEXT NOT NULL,
        finished_at   TEXT
      );
      CREATE UNIQUE INDEX reembeds_one_running ON reembeds (collection_id) WHERE state = 'running';
      CREATE INDEX reembeds_collection ON reembeds (collection_id, id);
    `,
  },
  {
    version: 5,
    name: 'document structure: section paths and page ranges of chunks',
    sql: `
      -- Where a chunk is in its document: the headings it is under ("Methods > Training") and the
      -- pages its text is on; NULL for documents without headings or pages.
      ALTER TABLE chunks ADD COLUMN section_path TEXT;
      ALTER TABLE chunks ADD COLUMN page_start INTEGER;
      ALTER TABLE chunks ADD COLUMN page_end INTEGER;
      -- The parser's structure of the text (sections and pages as offsets, JSON), so a document
      -- chunked by estimate can be chunked again along it with the real tokenizer.
      ALTER TABLE documents ADD COLUMN structure TEXT;
    `,
  },
  {
    version: 6,
    name: 'conversations',
    sql: `
      CREATE TABLE conversations (
        id            TEXT PRIMARY KEY,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE TABLE conversation_turns (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id  TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role             TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content          TEXT NOT NULL,
        -- user turns: the question as it was searched, rewritten to stand alone
        standalone_query TEXT,
        -- assistant turns: the sources cited, as JSON
        citations        TEXT,
        created_at       TEXT NOT NULL
      );
      CREATE INDEX conversation_turns_conversation ON conversation_turns (conversation_id, id);
    `,
  },
  {
    version: 7,
    name: 'ingestion jobs',
    sql: `
      -- Background ingestion: a job is a batch of items (uploaded files, texts, URLs) whose inputs
      -- are spooled under STORAGE_DIR/jobs/<id>/ until the job ends, so a restart resumes it.
      CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        state         TEXT NOT NULL CHECK (state IN ('queued', 'parsing', 'chunking', 'embedding', 'done', 'failed', 'cancelled')),
        error         TEXT,
        created_at    TEXT NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        -- milliseconds the collection's embedding model spent on passages while the job ran
        embed_ms      REAL NOT NULL DEFAULT 0
      );
      CREATE INDEX jobs_state ON jobs (state, created_at);
      CREATE TABLE job_items (
        job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        ordinal       INTEGER NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('file', 'text', 'url')),
        -- the id the document gets, fixed when the job is accepted: a resumed item finds its own
        -- document instead of adding a second one
        document_id   TEXT NOT NULL,
        -- file name or URL
        source        TEXT,
        content_type  TEXT,
        bytes         INTEGER NOT NULL DEFAULT 0,
        -- title, metadata, textFields given for the item (JSON)
        fields        TEXT NOT NULL DEFAULT '{}',
        state         TEXT NOT NULL CHECK (state IN ('queued', 'parsing', 'chunking', 'embedding', 'done', 'failed', 'cancelled')),
        error_stage   TEXT,
        error_code    TEXT,
        error         TEXT,
        -- done items whose chunks still wait for vectors say why (no embedding model, storage full)
        note          TEXT,
        -- 'created' or 'unchanged' once stored
        outcome       TEXT,
        document_pk   INTEGER,
        chunks        INTEGER,
        parse_ms      REAL,
        chunk_ms      REAL,
        store_ms      REAL,
        stored_at     TEXT,
        finished_at   TEXT,
        PRIMARY KEY (job_id, ordinal)
      ) WITHOUT ROWID;
      CREATE INDEX job_items_waiting ON job_items (state) WHERE state = 'embedding';
      -- A large document of a job is stored a slice of chunks per transaction (so that no single
      -- transaction holds up the server for seconds): 0 until its last slice commits. Searches,
      -- listings and reads skip it meanwhile; a start-up removes one a crash left behind.
      ALTER TABLE documents ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 8,
    name: 'lexical search in every language: analysed terms, collection and document languages',
    sql: `
      -- A collection's language: 'auto' (detected per document and per query) or a fixed code.
      ALTER TABLE collections ADD COLUMN language TEXT NOT NULL DEFAULT 'auto';
      -- Which lexical index serves the collection: 'analyzed' (chunks_lex, terms computed by ragd's
      -- analyser per language) or 'legacy' (chunks_fts, Porter over the raw text, as before this
      -- migration) until a background job has analysed every document of the collection.
      ALTER TABLE collections ADD COLUMN lexical_index TEXT NOT NULL DEFAULT 'analyzed';
      UPDATE collections SET lexical_index = 'legacy'
        WHERE EXISTS (SELECT 1 FROM chunks WHERE chunks.collection_id = collections.id);
      -- The language a document's chunks were analysed in, and under which collection setting and
      -- analyser version ('auto@1', 'ru@1'); NULL: not analysed yet (indexed by chunks_fts only).
      ALTER TABLE documents ADD COLUMN language TEXT;
      ALTER TABLE documents ADD COLUMN lexical TEXT;
      CREATE INDEX documents_language ON documents (collection_id, language);
      CREATE INDEX documents_lexical ON documents (collection_id, lexical);
      -- The analysed terms of each chunk (rowid = chunk id), space-separated; the ascii tokenizer
      -- keeps them as ragd wrote them (all non-ASCII characters are token characters). Contentless:
      -- the chunk text stays in chunks, with its offsets, untouched.
      CREATE VIRTUAL TABLE chunks_lex USING fts5(
        terms,
        content = '',
        contentless_delete = 1,
        tokenize = 'ascii'
      );
      CREATE TRIGGER chunks_lex_ad AFTER DELETE ON chunks BEGIN
        DELETE FROM chunks_lex WHERE rowid = old.id;
      END;
    `,
  },
  {
    version: 9,
    name: 'api keys',
    sql: `
      -- API keys (docs/security.md): only the SHA-256 of a key is kept, never the key. scopes: JSON
      -- array ("admin", "read:<pattern>", "write:<pattern>"). last_used_at is written at most once
      -- a minute per key.
      CREATE TABLE api_keys (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        hash         BLOB NOT NULL,
        scopes       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT,
        last_used_at TEXT
      );
    `,
  },
  {
    version: 10,
    name: 'OCR confidence of chunks',
    sql: `
      -- Chunks of pages read by OCR: the mean word confidence (0-100) of their pages; NULL for text.
      ALTER TABLE chunks ADD COLUMN ocr_confidence REAL;
    `,
  },
];
