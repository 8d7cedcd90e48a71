import * as path from 'node:path';
import { z } from 'zod';
import { isSameOrInside } from '../common/path-containment';

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'int8' | 'uint8' | 'bnb4' | 'q4f16';
export const DTYPES: readonly Dtype[] = [
  'fp32',
  'fp16',
  'q8',
  'q4',
  'int8',
  'uint8',
  'bnb4',
  'q4f16',
];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    message: 'must be one of true, false, 1, 0, yes, no',
  })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Environment variables, their defaults and limits. The README lists the same table. */
const schema = z
  .object({
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    STORAGE_DIR: z.string().min(1).default('./storage'),
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_ALLOW_ANY_PATH: bool.default(false),
    STORAGE_MIN_FREE_MB: int(0, 100_000_000).default(64),
    MODELS_DIR: z.string().min(1).default('./models'),
    ALLOW_REMOTE_MODELS: bool.default(true),
    REMOTE_MODEL_CONNECT_TIMEOUT_MS: int(100, 600_000).default(10_000),
    EMBEDDING_MODEL: z.string().min(1).default('Xenova/bge-small-en-v1.5'),
    EMBEDDING_DTYPE: z.enum(DTYPES as [Dtype, ...Dtype[]]).default('q8'),
    GENERATION_MODEL: z.string().min(1).default('onnx-community/Qwen2.5-0.5B-Instruct'),
    GENERATION_DTYPE: z.enum(DTYPES as [Dtype, ...Dtype[]]).default('q4'),
    GENERATION_CONTEXT_TOKENS: int(256, 131_072).default(4096),
    GENERATION_MAX_TOKENS: int(1, 8192).default(512),
    RERANK_MODEL: z.string().min(1).default('Xenova/ms-marco-MiniLM-L-6-v2'),
    RERANK_DTYPE: z.enum(DTYPES as [Dtype, ...Dtype[]]).default('q8'),
    RERANK_CANDIDATES: int(1, 1000).default(50),
    PRELOAD_MODELS: bool.default(true),
    MODEL_DEVICE: z.enum(['cpu', 'cuda', 'dml']).default('cpu'),
    MODEL_RETRY_MS: int(1000, 86_400_000).default(60_000),
    EMBED_BATCH_SIZE: int(1, 512).default(32),
    EMBED_BATCH_WAIT_MS: int(0, 1000).default(2),
    EMBED_QUEUE_LIMIT: int(1, 1_000_000).default(256),
    EMBED_QUERY_WORKER: bool.default(true),
    GENERATION_QUEUE_LIMIT: int(1, 1000).default(4),
    ANSWER_MIN_RELEVANCE: z.coerce.number().min(0).max(1).default(0.2),
    GENERATION_TIMEOUT_MS: int(1000, 3_600_000).default(300_000),
    HNSW_M: int(4, 128).default(16),
    HNSW_EF_CONSTRUCTION: int(10, 2000).default(200),
    HNSW_EF_SEARCH: int(10, 5000).default(128),
    HNSW_INITIAL_CAPACITY: int(16, 100_000_000).default(1024),
    INDEX_SNAPSHOT_INTERVAL_MS: int(1000, 86_400_000).default(30_000),
    SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(10_000),
    DEFAULT_CHUNK_SIZE: int(16, 8192).default(256),
    DEFAULT_CHUNK_OVERLAP: int(0, 4096).default(32),
    MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
    MAX_FILE_BYTES: int(1024, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
    URL_FETCH_ALLOW: z.string().default(''),
    URL_FETCH_TIMEOUT_MS: int(100, 600_000).default(30_000),
    URL_FETCH_MAX_REDIRECTS: int(0, 20).default(5),
    MAX_DOCUMENTS_PER_REQUEST: int(1, 100_000).default(1000),
    MAX_PAGES_PER_DOCUMENT: int(1, 1_000_000).default(5000),
    MAX_CHUNKS_PER_DOCUMENT: int(1, 10_000_000).default(250_000),
    JOB_MAX_FILE_BYTES: int(1024, 64 * 1024 * 1024 * 1024).default(512 * 1024 * 1024),
    JOB_MAX_REQUEST_BYTES: int(1024, 1024 * 1024 * 1024 * 1024).default(4 * 1024 * 1024 * 1024),
    JOB_MAX_FILES: int(1, 1_000_000).default(10_000),
    JOB_QUEUE_LIMIT: int(1, 100_000).default(32),
    // Fractions allowed (0.25 = 15 minutes); at least one second, at most a year.
    IDEMPOTENCY_TTL_HOURS: z.coerce
      .number()
      .min(1 / 3600)
      .max(8760)
      .default(24),
    OCR: z.enum(['on', 'off']).default('on'),
    OCR_LANGS: z
      .string()
      .regex(/^[a-z]{3}(_[a-z]{3,5})?([+,][a-z]{3}(_[a-z]{3,5})?)*$/, {
        message: 'must be tesseract language codes joined by + (eng, eng+fra, chi_sim)',
      })
      .default('eng'),
    OCR_SYNC_MAX_PAGES: int(0, 100_000).default(3),
    OCR_DPI: int(72, 600).default(300),
    OCR_MAX_PIXELS: int(1_000_000, 1_000_000_000).default(40_000_000),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  })
  .superRefine((s, ctx) => {
    if (isSameOrInside(backupDirOf(s), path.resolve(s.STORAGE_DIR))) {
      ctx.addIssue({
        code: 'custom',
        path: ['BACKUP_DIR'],
        message: 'must not be STORAGE_DIR or inside it',
      });
    }
    if (s.DEFAULT_CHUNK_OVERLAP >= s.DEFAULT_CHUNK_SIZE) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEFAULT_CHUNK_OVERLAP'],
        message: 'must be smaller than DEFAULT_CHUNK_SIZE',
      });
    }
  });

export interface Settings {
  port: number;
  host: string;
  storageDir: string;
  /**
   * Where backups go: a request's `directory` is resolved against `dir`; absolute paths elsewhere are
   * accepted only with `allowAnyPath` (never inside STORAGE_DIR).
   */
  backup: { dir: string; allowAnyPath: boolean };
  /** New documents and collections are refused (507) while the storage file system has less free. */
  storageMinFreeBytes: number;
  modelsDir: string;
  allowRemoteModels: boolean;
  remoteModelConnectTimeoutMs: number;
  /** batchWaitMs: how long an idle model waits to coalesce requests; queueLimit: texts waiting before 503. */
  /**
   * queryWorker: a second worker of each embedding model for queries, so a search never waits
   * behind a batch of passages being embedded (costs the model's memory once more).
   */
  embedding: {
    model: string;
    dtype: Dtype;
    batchSize: number;
    batchWaitMs: number;
    queueLimit: number;
    queryWorker: boolean;
  };
  /** queueLimit: generations waiting or running per model before 503; timeoutMs: longest generation. */
  generation: {
    model: string;
    dtype: Dtype;
    contextTokens: number;
    maxTokens: number;
    queueLimit: number;
    timeoutMs: number;
  };
  /** Cross-encoder that re-scores fused candidates; `candidates`: how many of them by default. */
  rerank: { model: string; dtype: Dtype; candidates: number };
  /** minRelevance: retrieved chunks below it are not used to answer; none left: "not found". */
  answer: { minRelevance: number };
  preloadModels: boolean;
  /** ONNX Runtime execution provider for every model: cpu, or cuda / dml where onnxruntime-node has them. */
  device: 'cpu' | 'cuda' | 'dml';
  modelRetryMs: number;
  hnsw: { m: number; efConstruction: number; efSearch: number; initialCapacity: number };
  indexSnapshotIntervalMs: number;
  /** On SIGTERM/SIGINT: how long requests in flight may take to finish before their connections are cut. */
  shutdownGraceMs: number;
  chunking: { size: number; overlap: number };
  /**
   * maxFileBytes: one synchronous upload (held in memory); maxPages/maxChunks: per document, any
   * path; job*: background jobs, whose files are streamed to disk.
   */
  limits: {
    maxBodyBytes: number;
    maxFileBytes: number;
    maxDocumentsPerRequest: number;
    maxPagesPerDocument: number;
    maxChunksPerDocument: number;
  };
  /** Background ingestion jobs: per-file and per-request bytes, files per job, jobs waiting or running before 429. */
  jobs: { maxFileBytes: number; maxRequestBytes: number; maxFiles: number; queueLimit: number };
  /** Fetching documents by URL: hosts, addresses or CIDRs allowed although not public; time and redirect limits. */
  urlFetch: { allow: string[]; timeoutMs: number; maxRedirects: number };
  /** How long an Idempotency-Key is remembered after its first request. */
  idempotency: { ttlMs: number };
  /**
   * OCR of scanned PDF pages and images (tesseract.js, models from @tesseract.js-data/* packages):
   * on or off; default languages; pages an upload answered at once may OCR (more: 413, use a job);
   * PDF rendering resolution; largest image read.
   */
  ocr: {
    enabled: boolean;
    languages: string[];
    syncMaxPages: number;
    dpi: number;
    maxPixels: number;
  };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

/** BACKUP_DIR, or by default `backups` next to STORAGE_DIR (so it follows the data, not the cwd). */
function backupDirOf(e: { STORAGE_DIR: string; BACKUP_DIR?: string | undefined }): string {
  return e.BACKUP_DIR === undefined
    ? path.resolve(e.STORAGE_DIR, '..', 'backups')
    : path.resolve(e.BACKUP_DIR);
}

/** Every environment variable the server reads (tests clear them between apps). */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

export class InvalidSettingsError extends Error {}

/** Parses the environment once; throws a message naming every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new InvalidSettingsError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    storageDir: path.resolve(e.STORAGE_DIR),
    backup: { dir: backupDirOf(e), allowAnyPath: e.BACKUP_ALLOW_ANY_PATH },
    storageMinFreeBytes: e.STORAGE_MIN_FREE_MB * 1024 * 1024,
    modelsDir: path.resolve(e.MODELS_DIR),
    allowRemoteModels: e.ALLOW_REMOTE_MODELS,
    remoteModelConnectTimeoutMs: e.REMOTE_MODEL_CONNECT_TIMEOUT_MS,
    embedding: {
      model: e.EMBEDDING_MODEL,
      dtype: e.EMBEDDING_DTYPE,
      batchSize: e.EMBED_BATCH_SIZE,
      batchWaitMs: e.EMBED_BATCH_WAIT_MS,
      queueLimit: e.EMBED_QUEUE_LIMIT,
      queryWorker: e.EMBED_QUERY_WORKER,
    },
    generation: {
      model: e.GENERATION_MODEL,
      dtype: e.GENERATION_DTYPE,
      contextTokens: e.GENERATION_CONTEXT_TOKENS,
      maxTokens: e.GENERATION_MAX_TOKENS,
      queueLimit: e.GENERATION_QUEUE_LIMIT,
      timeoutMs: e.GENERATION_TIMEOUT_MS,
    },
    rerank: { model: e.RERANK_MODEL, dtype: e.RERANK_DTYPE, candidates: e.RERANK_CANDIDATES },
    answer: { minRelevance: e.ANSWER_MIN_RELEVANCE },
    preloadModels: e.PRELOAD_MODELS,
    device: e.MODEL_DEVICE,
    modelRetryMs: e.MODEL_RETRY_MS,
    hnsw: {
      m: e.HNSW_M,
      efConstruction: e.HNSW_EF_CONSTRUCTION,
      efSearch: e.HNSW_EF_SEARCH,
      initialCapacity: e.HNSW_INITIAL_CAPACITY,
    },
    indexSnapshotIntervalMs: e.INDEX_SNAPSHOT_INTERVAL_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    chunking: { size: e.DEFAULT_CHUNK_SIZE, overlap: e.DEFAULT_CHUNK_OVERLAP },
    urlFetch: {
      allow: e.URL_FETCH_ALLOW.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      timeoutMs: e.URL_FETCH_TIMEOUT_MS,
      maxRedirects: e.URL_FETCH_MAX_REDIRECTS,
    },
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxFileBytes: e.MAX_FILE_BYTES,
      maxDocumentsPerRequest: e.MAX_DOCUMENTS_PER_REQUEST,
      maxPagesPerDocument: e.MAX_PAGES_PER_DOCUMENT,
      maxChunksPerDocument: e.MAX_CHUNKS_PER_DOCUMENT,
    },
    jobs: {
      maxFileBytes: e.JOB_MAX_FILE_BYTES,
      maxRequestBytes: e.JOB_MAX_REQUEST_BYTES,
      maxFiles: e.JOB_MAX_FILES,
      queueLimit: e.JOB_QUEUE_LIMIT,
    },
    idempotency: { ttlMs: Math.round(e.IDEMPOTENCY_TTL_HOURS * 3_600_000) },
    ocr: {
      enabled: e.OCR === 'on',
      languages: [...new Set(e.OCR_LANGS.split(/[+,]/))],
      syncMaxPages: e.OCR_SYNC_MAX_PAGES,
      dpi: e.OCR_DPI,
      maxPixels: e.OCR_MAX_PIXELS,
    },
    logLevel: e.LOG_LEVEL,
  };
}
