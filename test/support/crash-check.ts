/**
 * What a crash trial checks once the restarted server has embedded every pending chunk and its index
 * is ready. SQLite is read directly, read-only beside the running server (WAL allows readers), plus a
 * backup copy for the checks that need to write (FTS5 integrity-check); the index is read through
 * GET /v1/collections/{name}/index and searches go through the API.
 *
 * - Each document the clients wrote holds its acknowledged state, or the outcome of the one request
 *   that was in flight at the kill: a lost write is a loss, a deleted or replaced version back is a
 *   resurrection.
 * - A document that exists is whole: chunks with ordinals 0..n-1 (n as acknowledged) that are slices
 *   of its text and cover it, an FTS5 row and a vector of the collection's dimension for each chunk,
 *   and lexical search finds it by its word, dense search by the text of its first chunk. Otherwise
 *   it is half-present; so is a request of several documents that left some of them, and any row
 *   whose parent is gone.
 * - Versions replaced or deleted are found by neither search.
 * - The index holds exactly the stored vectors.
 */
import { queryTerms } from '../../src/language/query-terms';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import type { IndexVerification } from '../../src/vector-index/index-verification';
import { COLLECTION, InFlightRequest, Ledger, TrackedDocument, Version } from './crash-workload';
import type { ServerProcess } from './server-process';
import type { SeededRandom } from './seeded-random';

/** GET /v1/collections/{name}/index */
export type IndexReport = IndexVerification & { collection: string };

export interface CheckResult {
  documentsChecked: number;
  documentsPresent: number;
  searches: number;
  losses: number;
  resurrections: number;
  halfPresent: number;
  /** In-flight requests whose outcome storage holds. */
  inFlightApplied: number;
  index: IndexReport;
  problems: string[];
}

/** Present documents not touched in the trial that are searched for as well. */
const UNTOUCHED_SEARCH_SAMPLE = 20;
const DENSE_TOP_K = 10;
const SEARCH_CONCURRENCY = 4;

/** A document storage holds, with the text of its first chunk (the query of dense search). */
interface PresentDocument {
  doc: TrackedDocument;
  firstChunk?: { text: string };
}

interface Tally {
  losses: number;
  resurrections: number;
  halfPresent: number;
  problems: string[];
}

export async function checkAfterRestart(
  server: ServerProcess,
  sqliteFile: string,
  ledger: Ledger,
  inFlight: readonly InFlightRequest[],
  rng: SeededRandom,
): Promise<CheckResult> {
  const tally: Tally = { losses: 0, resurrections: 0, halfPresent: 0, problems: [] };
  const index = (await server.get<IndexReport>(`/v1/collections/${COLLECTION}/index`)).body;
  if (!index.consistent) {
    tally.problems.push(`index not consistent: ${JSON.stringify(index)}`);
  }
  const db = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  let present: PresentDocument[];
  let applied: Map<string, boolean>;
  try {
    await checkWholeDatabase(db, sqliteFile, tally);
    const collection = db
      .prepare('SELECT id, embedding_dim AS dim FROM collections WHERE name = ?')
      .get(COLLECTION) as { id: number; dim: number | null } | undefined;
    if (!collection) throw new Error(`collection ${COLLECTION} is missing from ${sqliteFile}`);
    checkUnexpectedDocuments(db, collection.id, ledger, tally);
    ({ present, applied } = checkDocuments(db, collection, ledger, tally));
  } finally {
    db.close();
  }
  const inFlightApplied = checkRequestsAtomic(inFlight, applied, tally);
  const touched = present.filter((p) => p.doc.touched);
  const untouched = rng
    .shuffle(present.filter((p) => !p.doc.touched))
    .slice(0, UNTOUCHED_SEARCH_SAMPLE);
  const searches = await checkSearches(
    server,
    [...touched, ...untouched],
    ledger.deadVersions.splice(0),
    tally,
  );
  for (const doc of ledger.documents.values()) doc.touched = false;
  return {
    documentsChecked: ledger.documents.size,
    documentsPresent: present.length,
    searches,
    ...tally,
    inFlightApplied,
    index,
  };
}

/** Foreign keys, FTS5 index against its content, and SQLite's own checks, on a backup copy. */
async function checkWholeDatabase(
  db: Database.Database,
  sqliteFile: string,
  tally: Tally,
): Promise<void> {
  const copyFile = `${sqliteFile}.check-${process.pid}`;
  await db.backup(copyFile);
  const copy = new Database(copyFile);
  try {
    const orphans = copy.pragma('foreign_key_check') as { table: string; parent: string }[];
    if (orphans.length > 0) {
      tally.halfPresent += orphans.length;
      tally.problems.push(
        `${orphans.length} rows whose parent row is gone, e.g. ${JSON.stringify(orphans.slice(0, 3))}`,
      );
    }
    try {
      copy.exec(`INSERT INTO chunks_lex (chunks_lex, rank) VALUES ('integrity-check', 1)`);
    } catch (e) {
      tally.halfPresent++;
      tally.problems.push(`FTS5 index does not match the chunks: ${(e as Error).message}`);
    }
    const quick = copy.pragma('quick_check', { simple: true }) as string;
    if (quick !== 'ok') tally.problems.push(`SQLite quick_check: ${quick}`);
  } finally {
    copy.close();
    for (const f of [copyFile, `${copyFile}-wal`, `${copyFile}-shm`]) fs.rmSync(f, { force: true });
  }
}

function checkUnexpectedDocuments(
  db: Database.Database,
  collectionId: number,
  ledger: Ledger,
  tally: Tally,
): void {
  const ids = (
    db.prepare('SELECT id FROM documents WHERE collection_id = ?').all(collectionId) as {
      id: string;
    }[]
  ).map((r) => r.id);
  const unexpected = ids.filter((id) => !ledger.documents.has(id));
  if (unexpected.length > 0) {
    tally.resurrections += unexpected.length;
    tally.problems.push(`documents no client wrote: ${unexpected.slice(0, 5).join(', ')}`);
  }
}

/**
 * Compares each tracked document with storage, then records what storage holds as its known state.
 * Returns the documents present and, for those with a request in flight, whether it was applied.
 */
function checkDocuments(
  db: Database.Database,
  collection: { id: number; dim: number | null },
  ledger: Ledger,
  tally: Tally,
): { present: PresentDocument[]; applied: Map<string, boolean> } {
  const find = db.prepare('SELECT pk, text FROM documents WHERE collection_id = ? AND id = ?');
  const firstChunk = db.prepare(
    'SELECT text FROM chunks WHERE document_pk = ? ORDER BY ordinal LIMIT 1',
  );
  const present: PresentDocument[] = [];
  const applied = new Map<string, boolean>();
  for (const doc of ledger.documents.values()) {
    const row = find.get(collection.id, doc.id) as { pk: number; text: string } | undefined;
    const holds = (v: Version | null) => (v === null ? row === undefined : row?.text === v.text);
    if (doc.inFlight) applied.set(doc.id, holds(doc.inFlight.to) && !holds(doc.known));
    if (!holds(doc.known) && !(doc.inFlight && holds(doc.inFlight.to)))
      classifyMismatch(doc, row, tally);
    const now = row
      ? ((holds(doc.known) ? doc.known : doc.history.find((v) => v.text === row.text)) ?? {
          text: row.text,
          word: '',
        })
      : null;
    for (const v of [doc.known, doc.inFlight?.to]) {
      if (v && v.text !== now?.text) ledger.deadVersions.push({ id: doc.id, version: v });
    }
    doc.known = now;
    doc.inFlight = undefined;
    if (!row || !now) continue;
    const defects = documentDefects(db, row.pk, now, collection.dim);
    present.push({ doc, firstChunk: firstChunk.get(row.pk) as { text: string } | undefined });
    if (defects.length > 0) {
      tally.halfPresent++;
      tally.problems.push(`document ${doc.id} is half-present: ${defects.join('; ')}`);
    }
  }
  return { present, applied };
}

function classifyMismatch(
  doc: TrackedDocument,
  row: { text: string } | undefined,
  tally: Tally,
): void {
  const expected = doc.inFlight
    ? `${describe(doc.known)} or ${describe(doc.inFlight.to)}`
    : describe(doc.known);
  if (!row) {
    tally.losses++;
    tally.problems.push(`loss: ${doc.id} is gone, expected ${expected}`);
  } else if (doc.known === null && (!doc.inFlight || doc.inFlight.to === null)) {
    tally.resurrections++;
    tally.problems.push(
      `resurrection: deleted ${doc.id} is back (${describe(doc.history.find((v) => v.text === row.text) ?? null)})`,
    );
  } else {
    tally.losses++;
    const held = doc.history.find((v) => v.text === row.text);
    tally.problems.push(
      `loss: ${doc.id} holds ${held ? `an older version (${held.word})` : 'a text no client sent'}, expected ${expected}`,
    );
  }
}

function describe(v: Version | null): string {
  return v ? `version ${v.word}` : 'no document';
}

/** What is wrong with a stored document: chunks, their FTS5 rows and vectors. */
function documentDefects(
  db: Database.Database,
  pk: number,
  version: Version,
  dim: number | null,
): string[] {
  const chunks = db
    .prepare(
      'SELECT id, ordinal, text, start_offset AS start, end_offset AS end, embedded FROM chunks WHERE document_pk = ? ORDER BY ordinal',
    )
    .all(pk) as {
    id: number;
    ordinal: number;
    text: string;
    start: number;
    end: number;
    embedded: number;
  }[];
  if (chunks.length === 0) return ['no chunks'];
  const defects: string[] = [];
  if (version.chunks !== undefined && chunks.length !== version.chunks) {
    defects.push(`${chunks.length} chunks, ${version.chunks} acknowledged`);
  }
  if (chunks.some((c, i) => c.ordinal !== i))
    defects.push(`ordinals ${chunks.map((c) => c.ordinal).join(',')}`);
  const covered = new Array<boolean>(version.text.length).fill(false);
  const vector = db.prepare(
    'SELECT dim, length(vector) AS bytes FROM chunk_vectors WHERE chunk_id = ?',
  );
  // CAST: bound as a JS number (a double), the rowid constraint is ignored by FTS5 (SQLite 3.53).
  const fts = db.prepare(
    'SELECT COUNT(*) AS n FROM chunks_lex WHERE chunks_lex MATCH ? AND rowid = CAST(? AS INTEGER)',
  );
  // The terms are those of the language the document was analysed in (detected per document).
  const analysed = db.prepare('SELECT language FROM documents WHERE pk = ?').get(pk) as
    { language: string | null } | undefined;
  const language = analysed?.language ?? 'en';
  for (const c of chunks) {
    if (version.text.slice(c.start, c.end) !== c.text)
      defects.push(`chunk ${c.ordinal} is not the slice ${c.start}-${c.end} of the text`);
    covered.fill(true, c.start, c.end);
    const v = vector.get(c.id) as { dim: number; bytes: number } | undefined;
    if (!v || c.embedded !== 1)
      defects.push(`chunk ${c.ordinal}: ${v ? 'vector but not marked embedded' : 'no vector'}`);
    else if (v.dim !== dim || v.bytes !== 4 * v.dim)
      defects.push(
        `chunk ${c.ordinal}: vector of ${v.bytes} bytes, dim ${v.dim}, collection ${dim}`,
      );
    const word = contains(c.text, version.word) ? version.word : longestWord(c.text);
    const term = word ? queryTerms(word, [language])[0] : undefined;
    if (term && (fts.get(`"${term}"`, c.id) as { n: number }).n !== 1)
      defects.push(`chunk ${c.ordinal}: no FTS5 row for "${word}"`);
  }
  const gap = [...version.text].findIndex((ch, i) => !covered[i] && ch.trim() !== '');
  if (gap >= 0) defects.push(`text from character ${gap} is in no chunk`);
  return defects;
}

function contains(text: string, word: string): boolean {
  return new RegExp(`\\b${word}\\b`, 'i').test(text);
}

function firstSentence(text: string): string {
  return text.slice(0, text.indexOf('.') + 1) || text;
}

function longestWord(text: string): string | undefined {
  return text.match(/[a-z]+/gi)?.reduce((a, b) => (b.length > a.length ? b : a));
}

/** All documents of a request with several documents, or none, hold its outcome. */
function checkRequestsAtomic(
  inFlight: readonly InFlightRequest[],
  applied: ReadonlyMap<string, boolean>,
  tally: Tally,
): number {
  let n = 0;
  for (const req of inFlight) {
    const outcomes = req.ids.map((id) => applied.get(id) ?? false);
    if (outcomes.every(Boolean)) n++;
    else if (outcomes.some(Boolean)) {
      tally.halfPresent++;
      tally.problems.push(`${req.kind} of ${req.ids.join(', ')} applied to some documents only`);
    }
  }
  return n;
}

interface SearchHit {
  documentId: string;
  text: string;
}

/**
 * Lexical search for a version's word, and dense search for the text of its first chunk, find each
 * present document; search for a replaced or deleted version's word (lexical) or first sentence
 * (dense) finds no text holding that word. Dense search is not asked for the lone word: with the
 * tiny bag-of-words model such a query is about as close to every chunk as to its own (cosine 0.32
 * against 0.30 for the next, in one case seen), and HNSW at ef 128 can then miss the nearest
 * chunk, which exact search ranks first; a sentence fares better but still ranks its chunk below
 * shorter chunks sharing its common words now and then. A chunk's own text is its nearest
 * neighbour, so this asks whether its vector is in the index and reachable, not how good the model
 * is.
 */
async function checkSearches(
  server: ServerProcess,
  present: readonly PresentDocument[],
  dead: readonly { id: string; version: Version }[],
  tally: Tally,
): Promise<number> {
  const search = async (query: string, mode: 'dense' | 'lexical'): Promise<SearchHit[]> => {
    const res = await server.post<{ mode: string; results: SearchHit[] }>(
      `/v1/collections/${COLLECTION}/search`,
      { query, mode, topK: DENSE_TOP_K },
    );
    if (res.status !== 200 || res.body.mode !== mode)
      throw new Error(
        `${mode} search for ${query}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
      );
    return res.body.results;
  };
  const jobs: (() => Promise<void>)[] = [];
  for (const { doc, firstChunk } of present) {
    const version = doc.known!;
    if (!version.word || !firstChunk) continue;
    for (const mode of ['dense', 'lexical'] as const) {
      jobs.push(async () => {
        const hits = await search(mode === 'lexical' ? version.word : firstChunk.text, mode);
        if (!hits.some((h) => h.documentId === doc.id && contains(h.text, version.word))) {
          tally.halfPresent++;
          tally.problems.push(
            `document ${doc.id} is stored but ${mode} search for ${mode === 'lexical' ? version.word : 'its first chunk'} does not find it`,
          );
        }
      });
    }
  }
  for (const { id, version } of dead) {
    for (const mode of ['dense', 'lexical'] as const) {
      jobs.push(async () => {
        const query = mode === 'lexical' ? version.word : firstSentence(version.text);
        const back = (await search(query, mode)).filter((h) => contains(h.text, version.word));
        if (back.length > 0) {
          tally.resurrections++;
          tally.problems.push(
            `resurrection: ${mode} search finds "${version.word}", a replaced or deleted version of ${id}, in ${back.map((h) => h.documentId).join(', ')}`,
          );
        }
      });
    }
  }
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: SEARCH_CONCURRENCY }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
  return jobs.length;
}
