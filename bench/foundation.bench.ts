/**
 * Foundation benchmark: what the server costs over the raw libraries it wraps, on this machine.
 *
 *   1. Ingestion throughput: the 240 XQuAD paragraphs through the HTTP API of the built server
 *      versus the same chunk texts through a raw transformers.js pipeline (same model).
 *   2. /search latency (hybrid, dense, lexical) at 10k and 100k chunks, with the parts alone (query
 *      embedding, hnswlib search, FTS5 query), start-up (index rebuilt, then from the snapshot),
 *      server memory, and HNSW recall@10 against exact search.
 *
 * The model is a random-weight ONNX encoder of the exact all-MiniLM-L6-v2 shape, built by
 * bench/models/make-bench-models.ts (speed depends on shape, not weights). The 10k/100k collections
 * are synthetic (embedding 100k texts here would take over an hour): see lib/synthetic-corpus.ts.
 *
 * Usage: npm run bench [-- --skip-build] [-- --sizes=10000,100000] [-- --queries=200] [-- --keep-work]
 * Writes bench/results/foundation.json (raw figures) and bench/results/foundation.md (the tables).
 * Work files go to bench/.work/foundation-<date>/; the storage directories (hundreds of MB at 100k)
 * are removed after a successful run unless --keep-work (the server logs are kept).
 * Exits 2 when ../shared is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CollectionsRepository } from '../src/database/collections.repository';
import type { DatabaseService } from '../src/database/database.service';
import { DocumentsRepository } from '../src/database/documents.repository';
import { LexicalRepository } from '../src/database/lexical.repository';
import { queryTerms } from '../src/language/query-terms';
import { toTermsQuery } from '../src/retrieval/lexical-query';
import { HnswVectorIndex, HnswParams } from '../src/vector-index/hnsw-vector-index';
import { exactTopK, recall } from './lib/exact-search';
import {
  elapsedSeconds,
  machine,
  Machine,
  machineLines,
  progress,
  run,
  runMain,
  shell,
  BENCH_MODELS_DIR,
} from './lib/bench-run';
import { count, fmt, table } from './lib/markdown';
import { RawEmbedder, shortestFirst } from './lib/raw-embedder';
import { Memory, ServerProcess } from '../test/support/server-process';
import { SeededRandom } from '../test/support/seeded-random';
import { Summary, summarize } from './lib/stats';
import { CorpusDocument, dot, syntheticDocuments, writeCollection } from './lib/synthetic-corpus';
import { loadXquad, sentences, XquadParagraph } from './lib/xquad';

const ROOT = path.resolve(__dirname, '..');
const SHARED = path.resolve(ROOT, '..', 'shared');
const REQUIRED_PATHS = [
  path.join(SHARED, 'model-shapes', 'all-MiniLM-L6-v2'),
  path.join(SHARED, 'datasets', 'xquad', 'xquad.en.json'),
];
const XQUAD_FILE = REQUIRED_PATHS[1]!;
const MODELS_DIR = BENCH_MODELS_DIR;
const MODEL_ID = 'bench/all-MiniLM-L6-v2';
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** The server's defaults (src/config/settings.ts): HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH. */
const HNSW: HnswParams = { m: 16, efConstruction: 200, efSearch: 128, initialCapacity: 1024 };
const EF_VALUES = [10, 50, 128, 200];
const MODES = ['hybrid', 'dense', 'lexical'] as const;
type Mode = (typeof MODES)[number];
const TOP_K = 10;
/** The server asks each side for max(topK * 4, 50) candidates in hybrid mode (retrieval.service.ts). */
const HYBRID_CANDIDATES = Math.max(TOP_K * 4, 50);
const DOCS_PER_REQUEST = 20;
const RAW_BATCH = 32; // = EMBED_BATCH_SIZE default
const WARMUP_QUERIES = 20;
const CHUNK_SIZE = 256; // DEFAULT_CHUNK_SIZE
const CHUNK_OVERLAP = 32; // min(DEFAULT_CHUNK_OVERLAP, chunkSize / 4)
const SEED = 20240611;
/** Gaussian noise of the synthetic vectors, as a fraction of the median distance between two base vectors. */
const NOISE_FRACTION = 0.1;

// ---------------------------------------------------------------------------------------------
// Results (written as JSON)
// ---------------------------------------------------------------------------------------------

interface IngestionResult {
  paragraphs: number;
  chunks: number;
  tokenCounter: string;
  api: { ms: number; chunksPerSecond: number; requestMs: number[]; serverMemoryAfter: Memory };
  raw: {
    loadMs: number;
    warmupMs: number;
    inOrder: { ms: number; chunksPerSecond: number };
    sorted: { ms: number; chunksPerSecond: number };
  };
  ratioVsInOrder: number;
  ratioVsSorted: number;
  /** Server-stored vectors against the raw pipeline's, same chunk: the two paths compute the same thing. */
  sameVectors: { compared: number; minCosine: number };
}

interface BaseSet {
  sentences: number;
  paragraphChunks: number;
  queries: number;
  embedMs: number;
  meanPairCosine: number;
  medianPairDistance: number;
  noiseStd: number;
  syntheticMeanPairCosine: number;
  queryEmbedMs: Summary;
}

interface StartResult {
  healthMs: number;
  embeddingReadyMs: number;
  indexLine: string;
  indexMs: number;
  memory: Memory;
}

interface ModeResult {
  mode: Mode;
  client: Summary;
  serverTotal: Summary;
  serverEmbed: Summary;
  serverSearch: Summary;
  meanResults: number;
  clientMs: number[];
  serverTotalMs: number[];
}

interface RecallResult {
  ef: number;
  recallAt10: number;
  searchUs: Summary;
}

interface SizeResult {
  chunks: number;
  documents: number;
  writeMs: number;
  sqliteMb: number;
  firstStart: StartResult;
  queries: ModeResult[];
  memoryAfterQueries: Memory;
  periodicSnapshotDuringQueries: boolean;
  shutdown: { ms: number; code: number | null; snapshotMb: number };
  restart: StartResult;
  parts: {
    ftsLimit10Ms: Summary;
    ftsLimit50Ms: Summary;
    ftsMatchingRowsMean: number;
    countsMs: Summary;
    pendingCountMs: Summary;
    hitsMs: Summary;
    hnswK10Us: Summary;
    hnswK50Us: Summary;
  };
  hnsw: {
    buildMs: number;
    exactMsPerQuery: number;
    recall: RecallResult[];
    serverSnapshotRecallAt10: number;
  };
}

interface Results {
  machine: Machine;
  model: string;
  settings: {
    hnsw: HnswParams;
    topK: number;
    queries: number;
    warmupQueries: number;
    seed: number;
  };
  ingestion: IngestionResult;
  base: BaseSet;
  sizes: SizeResult[];
  totalSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function parseArgs(argv: readonly string[]): {
  skipBuild: boolean;
  keepWork: boolean;
  sizes: number[];
  queries: number;
} {
  const value = (name: string) =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = (value('sizes') ?? '10000,100000').split(',').map(Number);
  const queries = Number(value('queries') ?? 200);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1000))
    throw new Error('--sizes must be integers >= 1000');
  if (!Number.isInteger(queries) || queries < 1)
    throw new Error('--queries must be a positive integer');
  return {
    skipBuild: argv.includes('--skip-build'),
    keepWork: argv.includes('--keep-work'),
    sizes,
    queries,
  };
}

function serverEnv(storageDir: string, logLevel: 'warn' | 'log'): Record<string, string> {
  return {
    STORAGE_DIR: storageDir,
    MODELS_DIR: 'bench/.models',
    ALLOW_REMOTE_MODELS: 'false',
    EMBEDDING_MODEL: MODEL_ID,
    EMBEDDING_DTYPE: 'fp32',
    GENERATION_MODEL: 'none/none',
    PRELOAD_MODELS: 'true',
    LOG_LEVEL: logLevel,
  };
}

function mb(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size / 1024 ** 2 : 0;
}

/** Times fn over items (after `warmup` untimed calls on the first items); ms per call. */
function timeEach<T>(items: readonly T[], warmup: number, fn: (item: T) => unknown): number[] {
  for (const item of items.slice(0, warmup)) fn(item);
  return items.map((item) => {
    const t = performance.now();
    fn(item);
    return performance.now() - t;
  });
}

function* concat<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const p of parts) yield* p;
}

// ---------------------------------------------------------------------------------------------
// 1. Ingestion: API versus raw pipeline
// ---------------------------------------------------------------------------------------------

interface ChunkView {
  id: number;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  tokenCount: number;
}

interface IngestResponse {
  documents: { id: string; chunks: number }[];
  embedding: { state: string; pendingChunks: number; tokenCounter: string };
}

interface IngestedDocument {
  paragraph: XquadParagraph;
  text: string;
  chunks: ChunkView[];
}

async function ingestThroughApi(
  workDir: string,
  paragraphs: readonly XquadParagraph[],
): Promise<{
  api: IngestionResult['api'];
  docs: IngestedDocument[];
  tokenCounter: string;
  storageDir: string;
}> {
  const storageDir = path.join(workDir, 'ingest');
  progress(`ingestion (API): starting the server on ${path.relative(ROOT, storageDir)}`);
  const server = await ServerProcess.start(
    ROOT,
    serverEnv(storageDir, 'warn'),
    path.join(workDir, 'server-ingest.log'),
  );
  try {
    await server.waitForHealth(120_000);
    await server.waitForEmbeddingReady(300_000);
    const created = await server.post('/v1/collections', { name: 'xquad' });
    if (created.status !== 201)
      throw new Error(`POST /v1/collections: ${created.status} ${JSON.stringify(created.body)}`);
    progress(
      `ingestion (API): ${paragraphs.length} paragraphs in requests of ${DOCS_PER_REQUEST}, wait:true, sequential`,
    );
    const requestMs: number[] = [];
    let tokenCounter = '';
    const start = performance.now();
    for (let i = 0; i < paragraphs.length; i += DOCS_PER_REQUEST) {
      const batch = paragraphs.slice(i, i + DOCS_PER_REQUEST);
      const res = await server.post<IngestResponse>('/v1/collections/xquad/documents', {
        documents: batch.map((p) => ({ id: `xquad-${p.index}`, title: p.title, text: p.context })),
        wait: true,
      });
      if (res.status !== 201 || res.body.embedding.state !== 'done') {
        throw new Error(`POST documents: ${res.status} ${JSON.stringify(res.body)}`);
      }
      tokenCounter = res.body.embedding.tokenCounter;
      requestMs.push(res.ms);
    }
    const ms = performance.now() - start;
    const info = await server.get<{ counts: { chunks: number; vectors: number; pending: number } }>(
      '/v1/collections/xquad',
    );
    const { chunks, vectors, pending } = info.body.counts;
    if (vectors !== chunks || pending !== 0)
      throw new Error(`after ingestion: ${JSON.stringify(info.body.counts)}`);
    const serverMemoryAfter = server.memory();
    progress(
      `ingestion (API): ${chunks} chunks in ${(ms / 1000).toFixed(1)} s = ${(chunks / (ms / 1000)).toFixed(1)} chunks/s`,
    );
    const docs: IngestedDocument[] = [];
    for (const p of paragraphs) {
      const doc = await server.get<{ text: string; chunks: ChunkView[] }>(
        `/v1/collections/xquad/documents/xquad-${p.index}`,
      );
      if (doc.status !== 200) throw new Error(`GET document xquad-${p.index}: ${doc.status}`);
      docs.push({ paragraph: p, text: doc.body.text, chunks: doc.body.chunks });
    }
    return {
      api: { ms, chunksPerSecond: chunks / (ms / 1000), requestMs, serverMemoryAfter },
      docs,
      tokenCounter,
      storageDir,
    };
  } finally {
    await server.stop();
  }
}

/** Cosine of each server-stored vector with the raw pipeline's vector of the same chunk. */
function compareStoredVectors(
  storageDir: string,
  rawByChunkId: ReadonlyMap<number, Float32Array>,
): IngestionResult['sameVectors'] {
  const db = new Database(path.join(storageDir, 'ragd.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    let minCosine = Infinity;
    let compared = 0;
    for (const row of db.prepare('SELECT chunk_id, vector FROM chunk_vectors').iterate()) {
      const { chunk_id, vector } = row as { chunk_id: number; vector: Buffer };
      const raw = rawByChunkId.get(chunk_id);
      if (!raw) continue;
      const stored = new Float32Array(
        vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength),
      );
      minCosine = Math.min(minCosine, dot(stored, raw));
      compared++;
    }
    return { compared, minCosine };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Search at 10k / 100k chunks
// ---------------------------------------------------------------------------------------------

interface SearchResponse {
  results: unknown[];
  mode: string;
  timings: { embedMs: number; searchMs: number; totalMs: number };
}

// "Index of collection 1: 100000 vectors, snapshot (watermark ...) ..., in 853 ms" (loaded before the
// server listens) or "Index of collection 1: rebuilt, 100000 vectors in 125971 ms" (in the background).
const INDEX_LINE = /Index of collection \d+: (?:rebuilt, )?(\d+) vectors,? (.*?)in (\d+) ms/;

async function startAndMeasure(
  storageDir: string,
  logFile: string,
  expect: RegExp,
): Promise<{ server: ServerProcess; start: StartResult }> {
  const server = await ServerProcess.start(ROOT, serverEnv(storageDir, 'log'), logFile);
  try {
    const healthMs = await server.waitForHealth(600_000);
    const line = await server.waitForLog(INDEX_LINE, 900_000);
    if (!expect.test(line[0])) throw new Error(`unexpected index line: ${line[0]}`);
    const embeddingReadyMs = await server.waitForEmbeddingReady(300_000);
    const start: StartResult = {
      healthMs,
      embeddingReadyMs,
      indexLine: line[0],
      indexMs: Number(line[3]),
      memory: server.memory(),
    };
    return { server, start };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

async function measureQueries(
  server: ServerProcess,
  mode: Mode,
  warmup: readonly string[],
  queries: readonly string[],
): Promise<ModeResult> {
  const ask = async (query: string) => {
    const res = await server.post<SearchResponse>('/v1/collections/bench/search', {
      query,
      topK: TOP_K,
      mode,
    });
    if (res.status !== 200 || res.body.mode !== mode)
      throw new Error(`search (${mode}): ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    return res;
  };
  for (const q of warmup) await ask(q);
  const clientMs: number[] = [];
  const total: number[] = [];
  const embed: number[] = [];
  const search: number[] = [];
  let results = 0;
  for (const q of queries) {
    const res = await ask(q);
    clientMs.push(res.ms);
    total.push(res.body.timings.totalMs);
    embed.push(res.body.timings.embedMs);
    search.push(res.body.timings.searchMs);
    results += res.body.results.length;
  }
  return {
    mode,
    client: summarize(clientMs),
    serverTotal: summarize(total),
    serverEmbed: summarize(embed),
    serverSearch: summarize(search),
    meanResults: results / queries.length,
    clientMs: clientMs.map((v) => Math.round(v * 100) / 100),
    serverTotalMs: total,
  };
}

/** FTS5, the per-search pending count, the collection counts and loading result rows, alone, on the SQLite file opened read-only. */
function measureSqliteParts(storageDir: string, collectionId: number, queries: readonly string[]) {
  const db = new Database(path.join(storageDir, 'ragd.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    // The project's own SQL: the repositories only need `.db`.
    const database = { db } as unknown as DatabaseService;
    const documents = new DocumentsRepository(database);
    const lexical = new LexicalRepository(database);
    const collections = new CollectionsRepository(database);
    const matches = queries
      .map((q) => toTermsQuery(queryTerms(q, ['en'])))
      .filter((m): m is string => m !== undefined);
    const ftsLimit10Ms = summarize(
      timeEach(matches, WARMUP_QUERIES, (m) => lexical.search('analyzed', collectionId, m, TOP_K)),
    );
    const top: number[][] = [];
    const ftsLimit50Ms = summarize(
      timeEach(matches, WARMUP_QUERIES, (m) =>
        top.push(
          lexical.search('analyzed', collectionId, m, HYBRID_CANDIDATES).map((r) => r.chunk_id),
        ),
      ),
    );
    // Loading the result rows of the candidates (what the server does after ranking).
    const hitsMs = summarize(timeEach(top, WARMUP_QUERIES, (ids) => documents.hits(ids)));
    const countMatching = db.prepare(
      'SELECT COUNT(*) AS n FROM chunks_lex JOIN chunks c ON c.id = chunks_lex.rowid WHERE chunks_lex MATCH ? AND c.collection_id = ?',
    );
    const sample = matches.slice(0, 50);
    const ftsMatchingRowsMean =
      sample.reduce((s, m) => s + (countMatching.get(m, collectionId) as { n: number }).n, 0) /
      sample.length;
    const countsMs = summarize(
      timeEach(queries, WARMUP_QUERIES, () => collections.counts(collectionId)),
    );
    const pendingCountMs = summarize(
      timeEach(queries, WARMUP_QUERIES, () => documents.pendingCount(collectionId)),
    );
    return { ftsLimit10Ms, ftsLimit50Ms, ftsMatchingRowsMean, countsMs, pendingCountMs, hitsMs };
  } finally {
    db.close();
  }
}

/** In-process HNSW with the server's parameters over the same vectors: build, search time, recall@10. */
function measureHnsw(
  workDir: string,
  storageDir: string,
  collectionId: number,
  labels: Int32Array,
  matrix: Float32Array,
  dim: number,
  queryVectors: readonly Float32Array[],
) {
  const tb = performance.now();
  const index = HnswVectorIndex.create(dim, HNSW);
  for (let i = 0; i < labels.length; i++)
    index.add(labels[i]!, matrix.subarray(i * dim, (i + 1) * dim));
  const buildMs = performance.now() - tb;
  progress(
    `  in-process HNSW (M=${HNSW.m}, efConstruction=${HNSW.efConstruction}) built over ${labels.length} vectors in ${(buildMs / 1000).toFixed(1)} s`,
  );
  const file = path.join(workDir, `in-process-${labels.length}.hnsw`);
  index.write(file);

  const te = performance.now();
  const truth = queryVectors.map((q) => exactTopK(matrix, dim, labels, q, TOP_K));
  const exactMsPerQuery = (performance.now() - te) / queryVectors.length;

  const us = (ms: number[]) => summarize(ms.map((v) => v * 1000));
  const hnswK10Us = us(timeEach(queryVectors, WARMUP_QUERIES, (q) => index.search(q, TOP_K)));
  const hnswK50Us = us(
    timeEach(queryVectors, WARMUP_QUERIES, (q) => index.search(q, HYBRID_CANDIDATES)),
  );

  const recallAt = (idx: HnswVectorIndex) => {
    const found = queryVectors.map((q) => idx.search(q, TOP_K).map((n) => n.label));
    return found.reduce((s, f, i) => s + recall(f, truth[i]!), 0) / found.length;
  };
  const results: RecallResult[] = EF_VALUES.map((ef) => {
    const idx =
      ef === HNSW.efSearch ? index : HnswVectorIndex.read(file, dim, { ...HNSW, efSearch: ef });
    return {
      ef,
      recallAt10: recallAt(idx),
      searchUs: us(timeEach(queryVectors, WARMUP_QUERIES, (q) => idx.search(q, TOP_K))),
    };
  });
  // The index the server itself serves (its SIGTERM snapshot), at its default ef.
  const snapshot = HnswVectorIndex.read(
    path.join(storageDir, 'indexes', `${collectionId}.hnsw`),
    dim,
    HNSW,
  );
  const serverSnapshotRecallAt10 = recallAt(snapshot);
  fs.rmSync(file, { force: true });
  return {
    hnswK10Us,
    hnswK50Us,
    hnsw: { buildMs, exactMsPerQuery, recall: results, serverSnapshotRecallAt10 },
  };
}

async function measureSize(
  workDir: string,
  size: number,
  corpus: () => Iterable<CorpusDocument>,
  dim: number,
  queries: { warmup: string[]; measured: string[]; vectors: Float32Array[] },
): Promise<SizeResult> {
  const storageDir = path.join(workDir, `search-${size}`);
  progress(
    `${count(size)}: writing ${size} chunks (real XQuAD chunks + synthetic) into ${path.relative(ROOT, storageDir)}`,
  );
  const written = writeCollection(
    {
      storageDir,
      name: 'bench',
      embeddingModel: MODEL_ID,
      embeddingDtype: 'fp32',
      dim,
      chunkSize: CHUNK_SIZE,
      chunkOverlap: CHUNK_OVERLAP,
    },
    corpus(),
    size,
  );
  progress(
    `${count(size)}: ${written.documents} documents, ${written.chunks} chunks and vectors written in ${(written.ms / 1000).toFixed(1)} s`,
  );

  const metaFile = path.join(storageDir, 'indexes', `${written.collectionId}.meta.json`);
  progress(`${count(size)}: first start (index rebuilt from stored vectors)`);
  const first = await startAndMeasure(
    storageDir,
    path.join(workDir, `server-${size}-first.log`),
    /rebuilt, \d+ vectors/,
  );
  let queryResults: ModeResult[];
  let memoryAfterQueries: Memory;
  let periodicSnapshotDuringQueries: boolean;
  try {
    progress(
      `${count(size)}: /health after ${fmt(first.start.healthMs, 0)} ms; ${first.start.indexLine}; RSS ${fmt(first.start.memory.vmRssMb, 0)} MB`,
    );
    const snapshotBefore = fs.existsSync(metaFile) ? fs.statSync(metaFile).mtimeMs : 0;
    queryResults = [];
    for (const mode of MODES) {
      progress(
        `${count(size)}: ${queries.warmup.length} warm-up + ${queries.measured.length} ${mode} queries`,
      );
      const r = await measureQueries(first.server, mode, queries.warmup, queries.measured);
      progress(
        `${count(size)}:   ${mode}: client p50 ${fmt(r.client.p50, 2)} ms, p95 ${fmt(r.client.p95, 2)} ms; server totalMs p50 ${fmt(r.serverTotal.p50, 2)} ms`,
      );
      queryResults.push(r);
    }
    memoryAfterQueries = first.server.memory();
    const snapshotAfter = fs.existsSync(metaFile) ? fs.statSync(metaFile).mtimeMs : 0;
    periodicSnapshotDuringQueries = snapshotAfter !== snapshotBefore;
  } catch (e) {
    await first.server.stop();
    throw e;
  }
  const stopped = await first.server.stop();
  const snapshotMb = mb(path.join(storageDir, 'indexes', `${written.collectionId}.hnsw`));
  progress(
    `${count(size)}: SIGTERM -> exit ${stopped.code} in ${fmt(stopped.ms, 0)} ms (snapshot ${fmt(snapshotMb, 0)} MB)`,
  );
  if (stopped.code !== 0) throw new Error(`server exited with ${stopped.code} at SIGTERM`);

  progress(`${count(size)}: restart (index from the snapshot)`);
  const second = await startAndMeasure(
    storageDir,
    path.join(workDir, `server-${size}-restart.log`),
    /snapshot \(watermark/,
  );
  await second.server.stop();
  progress(
    `${count(size)}: /health after ${fmt(second.start.healthMs, 0)} ms; ${second.start.indexLine}`,
  );

  progress(`${count(size)}: parts alone: FTS5, counts and hits() on the SQLite file (read-only)`);
  const sqlite = measureSqliteParts(storageDir, written.collectionId, [
    ...queries.warmup,
    ...queries.measured,
  ]);
  progress(`${count(size)}: parts alone: HNSW search and recall@10 against exact search`);
  const hnsw = measureHnsw(
    workDir,
    storageDir,
    written.collectionId,
    written.labels,
    written.matrix,
    dim,
    queries.vectors,
  );

  return {
    chunks: written.chunks,
    documents: written.documents,
    writeMs: written.ms,
    sqliteMb: mb(path.join(storageDir, 'ragd.sqlite')),
    firstStart: first.start,
    queries: queryResults,
    memoryAfterQueries,
    periodicSnapshotDuringQueries,
    shutdown: { ms: stopped.ms, code: stopped.code, snapshotMb },
    restart: second.start,
    parts: { ...sqlite, hnswK10Us: hnsw.hnswK10Us, hnswK50Us: hnsw.hnswK50Us },
    hnsw: hnsw.hnsw,
  };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function report(r: Results): string {
  const m = r.machine;
  const ing = r.ingestion;
  const largest = r.sizes[r.sizes.length - 1];
  const ratioOk = ing.ratioVsInOrder >= 0.9;
  const recallDefault = largest?.hnsw.recall.find((x) => x.ef === HNSW.efSearch)?.recallAt10;
  const recallOk = recallDefault !== undefined && recallDefault >= 0.95;
  const out: string[] = [];
  out.push(`## Foundation benchmark (${m.date.slice(0, 10)})`, '');
  out.push(
    ...machineLines(m, r.totalSeconds),
    '',
    `Model: \`${r.model}\`, a random-weight ONNX encoder of the exact all-MiniLM-L6-v2 shape (6 layers, hidden 384, real tokenizer), fp32, ` +
      'CPU; built by bench/models/make-bench-models.ts. Speed depends on the shape, not the weights; retrieval quality is meaningless with random weights.',
    '',
  );

  out.push('### 1. Ingestion throughput: API versus the raw library', '');
  out.push(
    `${ing.paragraphs} XQuAD paragraphs -> ${ing.chunks} chunks (chunk size ${CHUNK_SIZE} tokens, counted by \`${ing.tokenCounter}\`). ` +
      'Same model, same chunk texts, run one after the other.',
    '',
  );
  const ratio = (cps: number) => `${fmt(ing.api.chunksPerSecond / cps, 2)}x`;
  out.push(
    table(
      ['path', 'chunks', 'wall time (s)', 'chunks/s', 'API / this'],
      [
        [
          `API: built server, POST .../documents, ${DOCS_PER_REQUEST} docs per request, wait:true, sequential`,
          String(ing.chunks),
          fmt(ing.api.ms / 1000, 1),
          fmt(ing.api.chunksPerSecond, 1),
          '1.00x',
        ],
        [
          `raw pipeline in-process, batches of ${RAW_BATCH}, document order`,
          String(ing.chunks),
          fmt(ing.raw.inOrder.ms / 1000, 1),
          fmt(ing.raw.inOrder.chunksPerSecond, 1),
          ratio(ing.raw.inOrder.chunksPerSecond),
        ],
        [
          `raw pipeline in-process, batches of ${RAW_BATCH}, sorted by length`,
          String(ing.chunks),
          fmt(ing.raw.sorted.ms / 1000, 1),
          fmt(ing.raw.sorted.chunksPerSecond, 1),
          ratio(ing.raw.sorted.chunksPerSecond),
        ],
      ],
    ),
    '',
    `- API: wall time of all requests (HTTP, chunking with the tokenizer, SQLite writes, embedding in the worker thread, HNSW adds); ` +
      `raw: only \`await extractor(batch, {pooling: 'mean', normalize: true})\`, after one warm-up batch.`,
    `- The server's stored vectors equal the raw pipeline's: min cosine ${fmt(ing.sameVectors.minCosine, 6)} over ${ing.sameVectors.compared} chunks.`,
    `- **Target API >= 0.9x raw (document order): ${ratioOk ? 'HOLDS' : 'MISSED'} (${fmt(ing.ratioVsInOrder, 2)}x)**; against raw sorted by length: ${fmt(ing.ratioVsSorted, 2)}x.`,
    '',
  );

  const b = r.base;
  out.push('### 2. Search at ' + r.sizes.map((s) => count(s.chunks)).join(' and ') + ' chunks', '');
  out.push(
    `**The large collections are synthetic** (embedding 100k texts with this model on this machine would take over an hour). ` +
      `Real vectors from the raw pipeline: ${b.sentences} XQuAD sentences, plus the ${b.paragraphChunks} real paragraph chunks of step 1 (stored as they are). ` +
      `Every other chunk is 2-3 random XQuAD sentences (real words for FTS5) whose vector is a normalised random mixture (weights U(0.25, 1)) of those sentences' vectors ` +
      `plus Gaussian noise (sigma ${b.noiseStd.toExponential(2)} per dimension, ${NOISE_FRACTION} of the median distance between two base vectors), seeded. ` +
      `Mean cosine of random pairs: base ${fmt(b.meanPairCosine, 3)}, synthetic ${fmt(b.syntheticMeanPairCosine, 3)} (the random-weight model's vectors are strongly anisotropic). ` +
      `Written with the project's own DatabaseService/CollectionsRepository/DocumentsRepository, 10 chunks per document. ` +
      `Queries: ${r.settings.queries} XQuAD questions (after ${r.settings.warmupQueries} warm-up questions), topK ${TOP_K}, sequential, one client.`,
    '',
  );
  const latencyRows: string[][] = [];
  for (const s of r.sizes) {
    for (const q of s.queries) {
      latencyRows.push([
        count(s.chunks),
        q.mode,
        fmt(q.client.p50, 2),
        fmt(q.client.p95, 2),
        fmt(q.client.mean, 2),
        fmt(q.client.max, 1),
        fmt(q.serverTotal.p50, 2),
        fmt(q.serverTotal.p95, 2),
        fmt(q.serverTotal.mean, 2),
        fmt(q.serverEmbed.mean, 2),
        fmt(q.serverSearch.mean, 2),
      ]);
    }
  }
  out.push(
    '#### /search latency (ms)',
    '',
    table(
      [
        'chunks',
        'mode',
        'client p50',
        'client p95',
        'client mean',
        'client max',
        'server totalMs p50',
        'p95',
        'mean',
        'embedMs mean',
        'searchMs mean',
      ],
      latencyRows,
    ),
    '',
    "- client: POST to parsed JSON over keep-alive HTTP on 127.0.0.1 (fetch); server: the response's own `timings` (totalMs includes embedMs and searchMs, plus mode choice and loading result rows).",
    ...r.sizes
      .filter((s) => s.periodicSnapshotDuringQueries)
      .map(
        (s) =>
          `- ${count(s.chunks)}: a periodic index snapshot (INDEX_SNAPSHOT_INTERVAL_MS, default 30 s) was written during the queries.`,
      ),
    '',
  );

  out.push(
    '#### The parts alone',
    '',
    table(
      [
        'chunks',
        'query embedding, raw pipeline (ms) p50 / mean',
        `HNSW search k=${TOP_K}, ef ${HNSW.efSearch} (us) p50 / mean`,
        `HNSW search k=${HYBRID_CANDIDATES} (us) p50 / mean`,
        `FTS5 MATCH limit ${TOP_K} (ms) p50 / mean`,
        `FTS5 MATCH limit ${HYBRID_CANDIDATES} (ms) p50 / mean`,
        'rows matching (mean)',
        'pendingCount() (ms) p50 / mean',
        'counts() (ms) p50 / mean',
        `hits() of ${HYBRID_CANDIDATES} ids (ms) p50 / mean`,
      ],
      r.sizes.map((s) => [
        count(s.chunks),
        `${fmt(b.queryEmbedMs.p50, 2)} / ${fmt(b.queryEmbedMs.mean, 2)}`,
        `${fmt(s.parts.hnswK10Us.p50, 0)} / ${fmt(s.parts.hnswK10Us.mean, 0)}`,
        `${fmt(s.parts.hnswK50Us.p50, 0)} / ${fmt(s.parts.hnswK50Us.mean, 0)}`,
        `${fmt(s.parts.ftsLimit10Ms.p50, 2)} / ${fmt(s.parts.ftsLimit10Ms.mean, 2)}`,
        `${fmt(s.parts.ftsLimit50Ms.p50, 2)} / ${fmt(s.parts.ftsLimit50Ms.mean, 2)}`,
        fmt(s.parts.ftsMatchingRowsMean, 0),
        `${fmt(s.parts.pendingCountMs.p50, 2)} / ${fmt(s.parts.pendingCountMs.mean, 2)}`,
        `${fmt(s.parts.countsMs.p50, 2)} / ${fmt(s.parts.countsMs.mean, 2)}`,
        `${fmt(s.parts.hitsMs.p50, 2)} / ${fmt(s.parts.hitsMs.mean, 2)}`,
      ]),
    ),
    '',
    `- Query embedding: the raw pipeline in this process, one question per call (the server adds the worker-thread hop). HNSW: \`HnswVectorIndex.search\` ` +
      `(hnswlib-node searchKnn plus the Float32Array->Array copy) on the in-process index below. FTS5: \`LexicalRepository.search\` with \`queryTerms\` ` +
      `(the server's own query builder) on the same SQLite file opened read-only; hybrid asks for ${HYBRID_CANDIDATES} candidates, lexical for ${TOP_K}; ` +
      '"rows matching": chunks of the collection that match the query (BM25 is computed for each). ' +
      '`DocumentsRepository.pendingCount`: what RetrievalService.chooseMode runs on every dense or hybrid search; ' +
      '`CollectionsRepository.counts`: the four COUNT(*)s behind GET /v1/collections/{name} (chooseMode ran them on every search before commit 6eba8cc). ' +
      `hits(): \`DocumentsRepository.hits\` loading ${HYBRID_CANDIDATES} result rows (the server loads the candidates' rows after ranking).`,
    '',
  );

  out.push(
    '#### Start-up, shutdown and server memory',
    '',
    table(
      [
        'chunks',
        'start',
        '/health answers (ms)',
        'index (from the log)',
        'embedding model ready (ms)',
        'VmRSS (MB)',
        'VmHWM (MB)',
      ],
      r.sizes.flatMap((s) => [
        [
          count(s.chunks),
          'first: rebuilt from stored vectors',
          fmt(s.firstStart.healthMs, 0),
          `${fmt(s.firstStart.indexMs, 0)} ms`,
          fmt(s.firstStart.embeddingReadyMs, 0),
          fmt(s.firstStart.memory.vmRssMb, 0),
          fmt(s.firstStart.memory.vmHwmMb, 0),
        ],
        [
          count(s.chunks),
          `after the ${MODES.length * (r.settings.queries + r.settings.warmupQueries)} queries`,
          '',
          '',
          '',
          fmt(s.memoryAfterQueries.vmRssMb, 0),
          fmt(s.memoryAfterQueries.vmHwmMb, 0),
        ],
        [
          count(s.chunks),
          'restart: from the SIGTERM snapshot',
          fmt(s.restart.healthMs, 0),
          `${fmt(s.restart.indexMs, 0)} ms`,
          fmt(s.restart.embeddingReadyMs, 0),
          fmt(s.restart.memory.vmRssMb, 0),
          fmt(s.restart.memory.vmHwmMb, 0),
        ],
      ]),
    ),
    '',
    '- Times from spawning `node dist/main.js`. An index with a valid snapshot is loaded before the server listens; without one, the server listens at once (searches are lexical, with the reason) and the index is rebuilt from the stored vectors in the background: "index" is then the time until the rebuild finished. The embedding model loads in a worker thread meanwhile.',
    ...r.sizes.map(
      (s) =>
        `- ${count(s.chunks)}: SQLite file ${fmt(s.sqliteMb, 0)} MB; SIGTERM to exit ${fmt(s.shutdown.ms, 0)} ms (exit code ${s.shutdown.code}), writing a ${fmt(s.shutdown.snapshotMb, 0)} MB index snapshot.`,
    ),
    '- VmRSS/VmHWM from /proc/<pid>/status of the server process (worker threads included); VmHWM is the peak since start.',
    '',
  );

  out.push(
    '#### HNSW recall@10 against exact search',
    '',
    table(
      ['chunks', 'ef', 'recall@10', 'search k=10 (us) p50 / mean'],
      r.sizes.flatMap((s) =>
        s.hnsw.recall.map((x) => [
          count(s.chunks),
          `${x.ef}${x.ef === HNSW.efSearch ? ' (server default)' : ''}`,
          fmt(x.recallAt10, 4),
          `${fmt(x.searchUs.p50, 0)} / ${fmt(x.searchUs.mean, 0)}`,
        ]),
      ),
    ),
    '',
    `- Index built in-process with the server's parameters (M=${HNSW.m}, efConstruction=${HNSW.efConstruction}, same insertion order and seed), ` +
      `queried with the ${r.settings.queries} embedded questions; truth: brute-force dot product over all vectors.`,
    ...r.sizes.map(
      (s) =>
        `- ${count(s.chunks)}: build ${fmt(s.hnsw.buildMs / 1000, 1)} s; exact search ${fmt(s.hnsw.exactMsPerQuery, 1)} ms per query; ` +
        `the server's own snapshot at ef ${HNSW.efSearch}: recall@10 ${fmt(s.hnsw.serverSnapshotRecallAt10, 4)}.`,
    ),
    `- **Target recall@10 >= 0.95 at ${largest ? count(largest.chunks) : '?'} (ef ${HNSW.efSearch}): ${recallOk ? 'HOLDS' : 'MISSED'} (${fmt(recallDefault, 4)})**`,
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const missing = REQUIRED_PATHS.filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    for (const p of missing) console.error(`missing: ${p}`);
    console.error(
      'The benchmark needs ../shared next to the project (model shapes and the XQuAD data set); see ../shared/README.md.',
    );
    process.exit(2);
  }
  const args = parseArgs(process.argv.slice(2));
  const m = machine();
  progress(`${m.cpu}, ${m.cores} cores, Node ${m.node}; ${m.uptimeBefore}`);
  const workDir = path.join(ROOT, 'bench', '.work', `foundation-${m.date.replace(/[:.]/g, '-')}`);
  fs.mkdirSync(workDir, { recursive: true });

  if (args.skipBuild && fs.existsSync(path.join(ROOT, 'dist', 'main.js'))) {
    progress('--skip-build: using the existing dist/');
  } else {
    progress('npm run build');
    await run('npm', ['run', 'build']);
  }
  progress('building the benchmark model (bench/models/make-bench-models.ts --only=minilm)');
  try {
    const out = await run(process.execPath, [
      require.resolve('ts-node/dist/bin.js'),
      '--transpile-only',
      'bench/models/make-bench-models.ts',
      '--only=minilm',
    ]);
    progress(
      out
        .split('\n')
        .find((l) => l.includes(MODEL_ID))
        ?.trim() ?? out.trim(),
    );
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode === 2) {
      console.error((e as Error).message);
      process.exit(2);
    }
    throw e;
  }

  const xquad = loadXquad(XQUAD_FILE);

  // 1. Ingestion through the API, then the same chunk texts through the raw pipeline.
  const api = await ingestThroughApi(workDir, xquad.paragraphs);
  const chunks = api.docs.flatMap((d) => d.chunks);
  const texts = chunks.map((c) => c.text);
  progress(`ingestion (raw): loading the pipeline`);
  const tl = performance.now();
  const embedder = await RawEmbedder.load(MODELS_DIR, MODEL_ID);
  const loadMs = performance.now() - tl;
  const tw = performance.now();
  await embedder.embedBatch(texts.slice(0, RAW_BATCH));
  const warmupMs = performance.now() - tw;
  progress(`ingestion (raw): ${texts.length} chunks in batches of ${RAW_BATCH}, document order`);
  const inOrder = await embedder.embedAll(texts, RAW_BATCH);
  progress(
    `ingestion (raw): ${(texts.length / (inOrder.ms / 1000)).toFixed(1)} chunks/s; now sorted by length`,
  );
  const sorted = await embedder.embedAll(
    texts,
    RAW_BATCH,
    shortestFirst(chunks.map((c) => c.tokenCount)),
  );
  progress(`ingestion (raw): ${(texts.length / (sorted.ms / 1000)).toFixed(1)} chunks/s sorted`);
  const rawCps = (ms: number) => texts.length / (ms / 1000);
  const ingestion: IngestionResult = {
    paragraphs: xquad.paragraphs.length,
    chunks: chunks.length,
    tokenCounter: api.tokenCounter,
    api: api.api,
    raw: {
      loadMs,
      warmupMs,
      inOrder: { ms: inOrder.ms, chunksPerSecond: rawCps(inOrder.ms) },
      sorted: { ms: sorted.ms, chunksPerSecond: rawCps(sorted.ms) },
    },
    ratioVsInOrder: api.api.chunksPerSecond / rawCps(inOrder.ms),
    ratioVsSorted: api.api.chunksPerSecond / rawCps(sorted.ms),
    sameVectors: compareStoredVectors(
      api.storageDir,
      new Map(chunks.map((c, i) => [c.id, inOrder.vectors[i]!])),
    ),
  };

  // 2. Base vectors: sentences of the paragraphs; query vectors: the questions.
  const rnd = new SeededRandom(SEED);
  const baseSentences = [...new Set(xquad.paragraphs.flatMap((p) => sentences(p.context)))];
  const shuffled = rnd.shuffle(xquad.questions.map((q) => q.question));
  const warmupQueries = shuffled.slice(0, WARMUP_QUERIES);
  const measuredQueries = shuffled.slice(WARMUP_QUERIES, WARMUP_QUERIES + args.queries);
  progress(
    `base set: embedding ${baseSentences.length} sentences and ${measuredQueries.length} questions with the raw pipeline`,
  );
  const tbase = performance.now();
  const sentenceTokens = baseSentences.map((s) => embedder.countTokens(s));
  const sentenceVectors = (
    await embedder.embedAll(
      baseSentences,
      RAW_BATCH,
      shortestFirst(baseSentences.map((s) => s.length)),
    )
  ).vectors;
  const queryVectors = (
    await embedder.embedAll(
      measuredQueries,
      RAW_BATCH,
      shortestFirst(measuredQueries.map((s) => s.length)),
    )
  ).vectors;
  const baseEmbedMs = performance.now() - tbase;
  progress(`base set: done in ${(baseEmbedMs / 1000).toFixed(1)} s; timing single-query embedding`);
  const queryEmbedTimes: number[] = [];
  for (const q of warmupQueries) await embedder.embedBatch([q]);
  for (const q of measuredQueries) {
    const t = performance.now();
    await embedder.embedBatch([q]);
    queryEmbedTimes.push(performance.now() - t);
  }
  const dim = embedder.dim;
  await embedder.dispose();

  const pairs = Array.from({ length: 4000 }, () => rnd.distinct(2, sentenceVectors.length));
  const pairCos = pairs.map(([a, b]) => dot(sentenceVectors[a!]!, sentenceVectors[b!]!));
  const distances = pairCos.map((c) => Math.sqrt(Math.max(0, 2 - 2 * c))).sort((x, y) => x - y);
  const medianPairDistance = distances[Math.floor(distances.length / 2)]!;
  const noiseStd = (NOISE_FRACTION * medianPairDistance) / Math.sqrt(dim);
  const synthetic = () =>
    syntheticDocuments({
      sentences: baseSentences,
      sentenceVectors,
      sentenceTokens,
      tokenCounter: api.tokenCounter,
      chunksPerDocument: 10,
      seed: SEED + 1,
      noiseStd,
    });
  const sample = [...take(synthetic(), 100)].flatMap((d) => d.vectors);
  const synthCos = Array.from({ length: 4000 }, () => rnd.distinct(2, sample.length)).map(
    ([a, b]) => dot(sample[a!]!, sample[b!]!),
  );
  const base: BaseSet = {
    sentences: baseSentences.length,
    paragraphChunks: chunks.length,
    queries: measuredQueries.length,
    embedMs: baseEmbedMs,
    meanPairCosine: mean(pairCos),
    medianPairDistance,
    noiseStd,
    syntheticMeanPairCosine: mean(synthCos),
    queryEmbedMs: summarize(queryEmbedTimes),
  };
  progress(
    `base set: mean pair cosine ${base.meanPairCosine.toFixed(3)} (synthetic ${base.syntheticMeanPairCosine.toFixed(3)}); noise sigma ${noiseStd.toExponential(2)}`,
  );

  // The real XQuAD documents (the server's chunks, the raw vectors) come first in every collection.
  let k = 0;
  const realDocs: CorpusDocument[] = api.docs.map((d) => ({
    id: `xquad-${d.paragraph.index}`,
    title: d.paragraph.title,
    text: d.text,
    chunks: d.chunks.map((c) => ({
      ordinal: c.ordinal,
      text: c.text,
      start: c.start,
      end: c.end,
      tokenCount: c.tokenCount,
      tokenCounter: api.tokenCounter,
    })),
    vectors: d.chunks.map(() => inOrder.vectors[k++]!),
  }));

  const sizes: SizeResult[] = [];
  for (const size of args.sizes) {
    sizes.push(
      await measureSize(workDir, size, () => concat(realDocs, synthetic()), dim, {
        warmup: warmupQueries,
        measured: measuredQueries,
        vectors: queryVectors,
      }),
    );
  }

  m.uptimeAfter = shell('uptime', []);
  const results: Results = {
    machine: m,
    model: MODEL_ID,
    settings: {
      hnsw: HNSW,
      topK: TOP_K,
      queries: measuredQueries.length,
      warmupQueries: WARMUP_QUERIES,
      seed: SEED,
    },
    ingestion,
    base,
    sizes,
    totalSeconds: elapsedSeconds(),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'foundation.json'),
    `${JSON.stringify(results, null, 1)}\n`,
  );
  const markdown = report(results);
  fs.writeFileSync(path.join(RESULTS_DIR, 'foundation.md'), `${markdown}\n`);
  if (!args.keepWork) {
    for (const dir of fs.readdirSync(workDir)) {
      if (dir === 'ingest' || dir.startsWith('search-'))
        fs.rmSync(path.join(workDir, dir), { recursive: true, force: true });
    }
  }
  progress(`done in ${fmt(results.totalSeconds / 60, 1)} min; ${m.uptimeAfter}`);
  progress(
    `wrote ${path.relative(ROOT, path.join(RESULTS_DIR, 'foundation.json'))} and foundation.md; work files in ${path.relative(ROOT, workDir)}`,
  );
  console.log(`\n${markdown}`);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}

runMain(main);
