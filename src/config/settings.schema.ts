/*
 * Every setting of the server, declared once (issue #11): longer than 400 lines on purpose, since
 * one schema is the point. Each `env(...)` line is a variable, its type, default and description;
 * the Settings type is derived from it and docs/configuration.md is generated from it.
 */
import { z } from 'zod';
import { area, env } from './env-setting';
import {
  boolean,
  bytes,
  commaList,
  decimal,
  directory,
  dtype,
  hours,
  httpUrl,
  httpUrlList,
  integer,
  mebibytes,
  oneOf,
  optionalDirectory,
  optionalFile,
  optionalInteger,
  optionalSecret,
  optionalText,
  text,
} from './env-values';

/** Whether a text is an origin as browsers send it: scheme://host[:port], nothing more. */
function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Every environment variable the server reads, declared once: name, type, default, bounds and
 * description. A variable's place in this tree is its place in the typed `Settings`
 * (`embedding.model` is EMBEDDING_MODEL); `area` groups them in docs/configuration.md, which
 * `npm run docs:settings` generates from here. To add a setting, add one `env(...)` line to the
 * area it belongs to (or a new `...area(...)` block), then run `npm run docs:settings`.
 */
export const SETTINGS_SCHEMA = {
  ...area('Server', {
    port: env('PORT', integer(0, 65535, 3000), 'HTTP port.'),
    host: env(
      'HOST',
      text('127.0.0.1'),
      'Address to listen on: only this machine by default; `0.0.0.0` to serve a network.',
    ),
    shutdownGraceMs: env(
      'SHUTDOWN_GRACE_MS',
      integer(0, 3_600_000, 10_000),
      'On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut; then the indexes are snapshotted and SQLite closed.',
    ),
    logLevel: env(
      'LOG_LEVEL',
      oneOf(['error', 'warn', 'log', 'debug', 'verbose'], 'log'),
      'The most detailed level logged.',
    ),
  }),

  ...area('Logs and metrics', {
    logFormat: env(
      'LOG_FORMAT',
      oneOf(['auto', 'json', 'pretty'], 'auto'),
      'auto: JSON lines when stdout is not a terminal, pretty (pino-pretty) on one.',
    ),
    metrics: {
      enabled: env(
        'METRICS_ENABLED',
        boolean(true),
        'Serve Prometheus metrics at GET /metrics and record them; false: 404 and nothing recorded.',
      ),
      token: env(
        'METRICS_TOKEN',
        optionalSecret(16),
        'When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open like the rest of the API.',
      ),
      maxCollections: env(
        'METRICS_MAX_COLLECTIONS',
        integer(0, 100_000, 100),
        'Collections with their own `collection` label in the metrics (the largest); the rest are summed as `collection="other"`.',
      ),
    },
  }),

  ...area('Storage and backups', {
    storageDir: env(
      'STORAGE_DIR',
      directory('./storage'),
      'Where the SQLite database and the index snapshots live.',
    ),
    storageMinFreeBytes: env(
      'STORAGE_MIN_FREE_MB',
      mebibytes(0, 100_000_000, 64),
      'Below this much free space on the storage file system, new documents, collections and re-embeddings are refused (507) so that deletes, WAL checkpoints and index snapshots keep room; `0` turns the check off.',
    ),
    keepOriginals: env(
      'KEEP_ORIGINALS',
      boolean(true),
      'Keep the bytes of uploaded and fetched files (`STORAGE_DIR/originals`), served at `GET /v1/collections/{name}/documents/{id}/file` (the web app shows PDF citations on their page); `false`: only the extracted text is stored.',
    ),
    backup: {
      dir: env(
        'BACKUP_DIR',
        optionalDirectory().meta({ docDefault: '`backups` next to `STORAGE_DIR`' }),
        "Where backups go; a request's `directory` is resolved against it. Must not be `STORAGE_DIR` or inside it. Put it on another disk to survive the loss of this one.",
      ),
      allowAnyPath: env(
        'BACKUP_ALLOW_ANY_PATH',
        boolean(false),
        'Accept an absolute backup `directory` outside `BACKUP_DIR` (still never inside `STORAGE_DIR`).',
      ),
      keep: env(
        'BACKUP_KEEP',
        integer(0, 100_000, 10),
        'Complete backups kept in `BACKUP_DIR`: after a backup is done, the oldest beyond this many are removed; `0` keeps them all. Backups elsewhere (`BACKUP_ALLOW_ANY_PATH`) are never removed.',
      ),
    },
  }),

  ...area('Models', {
    modelsDir: env(
      'MODELS_DIR',
      directory('./models'),
      'Local models, in the Hugging Face hub layout; downloads land here too.',
    ),
    allowRemoteModels: env(
      'ALLOW_REMOTE_MODELS',
      boolean(true),
      'Download missing models from the Hugging Face hub into `MODELS_DIR`.',
    ),
    modelAllow: env(
      'MODEL_ALLOW',
      commaList(),
      'Model ids a request may name beyond those already known (in `MODELS_DIR`, the configured defaults, the models of collections), each an id or a prefix ending in `*`, e.g. `Xenova/*,BAAI/bge-m3`. Only these are downloaded; any other unknown id is refused (403 `model_not_allowed`).',
    ),
    remoteModelConnectTimeoutMs: env(
      'REMOTE_MODEL_CONNECT_TIMEOUT_MS',
      integer(100, 600_000, 10_000),
      'A hub request with no response by then fails (no hanging without network).',
    ),
    preloadModels: env(
      'PRELOAD_MODELS',
      boolean(true),
      'Start loading the default models at start-up, in the background.',
    ),
    device: env(
      'MODEL_DEVICE',
      oneOf(['cpu', 'cuda', 'dml'], 'cpu'),
      "ONNX Runtime execution provider for all models: `cpu`, or `cuda` (Linux x64 with CUDA 12 libraries) and `dml` (Windows) where onnxruntime-node ships them; a device that is not there makes the model `failed` with the runtime's reason. Only `cpu` is tested in CI.",
    ),
    modelRetryMs: env(
      'MODEL_RETRY_MS',
      integer(1000, 86_400_000, 60_000),
      'How soon an unavailable model is tried again.',
    ),
    downloadRetryMs: env(
      'MODEL_DOWNLOAD_RETRY_MS',
      integer(10, 3_600_000, 5000),
      'After a download fails on the network (no connection, a cut, a timeout, a 5xx or 429), how long until it is tried again, resuming where it stopped; the wait doubles after each failure in a row, up to `MODEL_RETRY_MS`.',
    ),
    hub: {
      endpoint: env(
        'HF_ENDPOINT',
        httpUrl('https://huggingface.co'),
        'The Hugging Face hub models are downloaded from, or a mirror of it that serves the same URLs (`/api/models/{id}/revision/{rev}`, `/{id}/resolve/{rev}/{file}`).',
      ),
      token: env(
        'HF_TOKEN',
        optionalText(),
        'A Hugging Face access token, sent as `Authorization: Bearer` to `HF_ENDPOINT` (not to the CDN it redirects to): needed for gated and private models.',
      ),
    },
    proxy: {
      https: env(
        'HTTPS_PROXY',
        optionalText(),
        'Proxy for https:// downloads (`http://host:port`, credentials in the URL if needed); `https_proxy` is read too and wins, as in curl.',
      ),
      httpsLower: env('https_proxy', optionalText(), 'Same as `HTTPS_PROXY`.'),
      http: env(
        'HTTP_PROXY',
        optionalText(),
        'Proxy for http:// downloads (and for https:// ones when no HTTPS proxy is set); `http_proxy` is read too and wins.',
      ),
      httpLower: env('http_proxy', optionalText(), 'Same as `HTTP_PROXY`.'),
      noProxy: env(
        'NO_PROXY',
        optionalText(),
        'Hosts reached without the proxy, comma-separated: a name matches itself and its subdomains (`internal.example`, `.internal.example`), `host:port` only that port, `*` every host (no address ranges); `no_proxy` is read too and wins.',
      ),
      noProxyLower: env('no_proxy', optionalText(), 'Same as `NO_PROXY`.'),
    },
  }),

  ...area('Embedding', {
    embedding: {
      model: env(
        'EMBEDDING_MODEL',
        text('Xenova/bge-small-en-v1.5'),
        'Default embedding model of new collections.',
      ),
      dtype: env('EMBEDDING_DTYPE', dtype('q8'), 'Its precision.'),
      multilingualModel: env(
        'EMBEDDING_MODEL_MULTILINGUAL',
        text('Xenova/multilingual-e5-small'),
        'Default embedding model of new collections whose language is fixed and not English.',
      ),
      batchSize: env(
        'EMBED_BATCH_SIZE',
        integer(1, 512, 32),
        'Texts per embedding call: chunks of similar length, or concurrent requests coalesced (micro-batching).',
      ),
      batchTokens: env(
        'EMBED_BATCH_TOKENS',
        integer(0, 1_000_000, 1024),
        "Most tokens in one batch of passages being ingested (texts x the longest text's tokens, padding included), so long passages go in small batches and short ones in large; `0`: only EMBED_BATCH_SIZE bounds it.",
      ),
      batchWaitMs: env(
        'EMBED_BATCH_WAIT_MS',
        integer(0, 1000, 2),
        'How long an idle embedding model waits for more requests before it runs a batch that is not full.',
      ),
      queueLimit: env(
        'EMBED_QUEUE_LIMIT',
        integer(1, 1_000_000, 256),
        "Texts of client requests (searches, `/v1/embeddings`) waiting for an embedding model; beyond it they get 503 with `Retry-After` instead of waiting (see bench/RESULTS.md for why 256). A single request larger than the limit is taken when nothing waits. The server's own ingestion and re-embedding are never refused: they send one batch at a time per collection.",
      ),
      threads: env(
        'EMBED_THREADS',
        integer(0, 64, 0),
        "ONNX Runtime intra-op threads of each embedding worker (the passages' and the queries'); idle threads sleep instead of spinning. `0`: ONNX Runtime's default (one per core, spinning).",
      ),
      queryWorker: env(
        'EMBED_QUERY_WORKER',
        boolean(true),
        'Load each embedding model a second time, in its own worker, for search queries, so a query never waits behind a batch of passages being ingested. Costs the memory of the model once more; `false` shares one worker.',
      ),
    },
  }),

  ...area('Generation and answers', {
    generation: {
      model: env(
        'GENERATION_MODEL',
        text('onnx-community/Qwen2.5-0.5B-Instruct'),
        'Model that writes answers.',
      ),
      dtype: env('GENERATION_DTYPE', dtype('q4'), 'Its precision.'),
      contextTokens: env(
        'GENERATION_CONTEXT_TOKENS',
        integer(256, 131_072, 4096),
        "Prompt + answer budget (capped by the model's own context).",
      ),
      maxTokens: env(
        'GENERATION_MAX_TOKENS',
        integer(1, 8192, 512),
        'Default most tokens of an answer.',
      ),
      queueLimit: env(
        'GENERATION_QUEUE_LIMIT',
        integer(1, 1000, 4),
        'Generations waiting or running per generation model; beyond it requests get 503 with `Retry-After`.',
      ),
      timeoutMs: env(
        'GENERATION_TIMEOUT_MS',
        integer(1000, 3_600_000, 300_000),
        'Longest a generation may run (from when it starts); then it is stopped and the request gets 504.',
      ),
    },
    answer: {
      minRelevance: env(
        'ANSWER_MIN_RELEVANCE',
        decimal(0, 1, 0.2),
        'Retrieved chunks less relevant than this are not used to answer; none left: "Not found in the documents" (`refused: true`). Relevance is the reranker\'s probability when reranked, else the larger of the dense cosine similarity and the share of the question\'s content words in the chunk.',
      ),
    },
  }),

  ...area('Reranking', {
    rerank: {
      model: env(
        'RERANK_MODEL',
        text('Xenova/ms-marco-MiniLM-L-6-v2'),
        'Cross-encoder that re-scores the fused candidates when reranking is on (scores are its raw logits).',
      ),
      dtype: env('RERANK_DTYPE', dtype('q8'), 'Its precision.'),
      candidates: env(
        'RERANK_CANDIDATES',
        integer(1, 1000, 50),
        'How many fused candidates are reranked unless a request says otherwise.',
      ),
    },
  }),

  ...area('Remote inference engines (docs/remote-engines.md)', {
    remote: {
      embedding: {
        endpoints: env(
          'EMBEDDING_ENDPOINT',
          httpUrlList(),
          'Base URL of an OpenAI-compatible server (`POST {base}/embeddings`) that serves the embedding model, e.g. `http://gpu-box:8000/v1`; several, comma-separated, for replicas. `EMBEDDING_MODEL` then names the model on that server; empty: in-process.',
        ),
        apiKey: env(
          'EMBEDDING_API_KEY',
          optionalText(),
          'Sent to `EMBEDDING_ENDPOINT` as `Authorization: Bearer <key>` (a key of the other ragd, say); never printed.',
        ),
        timeoutMs: env(
          'EMBEDDING_TIMEOUT_MS',
          integer(100, 3_600_000, 30_000),
          'Longest wait for one remote embeddings call; past it the replica is taken out and the call tried on another.',
        ),
        maxInputTokens: env(
          'EMBEDDING_MAX_INPUT_TOKENS',
          optionalInteger(8, 10_000_000).meta({ docDefault: "the server's figure, else 512" }),
          'Most input tokens of the remote embedding model when its server does not say.',
        ),
      },
      generation: {
        endpoints: env(
          'GENERATION_ENDPOINT',
          httpUrlList(),
          'Base URL of an OpenAI-compatible server (`POST {base}/chat/completions`, streamed) that serves the generation model; several, comma-separated, for replicas. `GENERATION_MODEL` then names the model on that server; empty: in-process.',
        ),
        apiKey: env(
          'GENERATION_API_KEY',
          optionalText(),
          'Sent to `GENERATION_ENDPOINT` as `Authorization: Bearer <key>`; never printed.',
        ),
        idleTimeoutMs: env(
          'GENERATION_IDLE_TIMEOUT_MS',
          integer(100, 3_600_000, 60_000),
          'Remote generation: longest wait for the response and between two streamed events (`GENERATION_TIMEOUT_MS` still bounds the whole).',
        ),
      },
      rerank: {
        endpoints: env(
          'RERANK_ENDPOINT',
          httpUrlList(),
          'Base URL of a server with `POST {base}/rerank` (Cohere/Jina shape, or TEI with `RERANK_API=tei`) that serves the reranking model; several, comma-separated, for replicas. `RERANK_MODEL` then names the model on that server; empty: in-process.',
        ),
        apiKey: env(
          'RERANK_API_KEY',
          optionalText(),
          'Sent to `RERANK_ENDPOINT` as `Authorization: Bearer <key>`; never printed.',
        ),
        timeoutMs: env(
          'RERANK_TIMEOUT_MS',
          integer(100, 3_600_000, 30_000),
          'Longest wait for one remote rerank call; past it the replica is taken out and the call tried on another.',
        ),
        maxInputTokens: env(
          'RERANK_MAX_INPUT_TOKENS',
          optionalInteger(8, 10_000_000).meta({ docDefault: "the server's figure, else 512" }),
          'Most input tokens (query and document) of the remote reranking model when its server does not say.',
        ),
        api: env(
          'RERANK_API',
          oneOf(['cohere', 'tei'], 'cohere'),
          'The rerank request shape: `cohere` (`{model, query, documents}`: vLLM, Jina, Cohere gateways, ragd) or `tei` (`{query, texts}`).',
        ),
      },
      modelsFile: env(
        'MODELS_FILE',
        optionalFile(),
        'A JSON or YAML file (`.yaml`, `.yml`) declaring named models, each in-process or on remote servers with its own endpoints, key and limits (docs/remote-engines.md). Remote batches hold `EMBED_BATCH_SIZE` texts or documents unless a model says otherwise.',
      ),
      probeMaxMs: env(
        'REMOTE_PROBE_MAX_MS',
        integer(100, 3_600_000, 15_000),
        'Longest wait between two probes of a remote replica that is down (the waits double up to it).',
      ),
    },
  }),

  ...area('Vector index', {
    vectorStore: env(
      'VECTOR_STORE',
      oneOf(['hnsw', 'memory'], 'hnsw'),
      'Where vectors are searched: `hnsw` (an HNSW graph per collection in memory, snapshotted to `STORAGE_DIR/indexes`) or `memory` (exact search over every vector, nothing on disk, filled from SQLite at start-up; for tests and small collections).',
    ),
    hnsw: {
      m: env('HNSW_M', integer(4, 128, 16), 'HNSW graph degree.'),
      efConstruction: env(
        'HNSW_EF_CONSTRUCTION',
        integer(10, 2000, 200),
        'HNSW build-time candidate list.',
      ),
      efSearch: env(
        'HNSW_EF_SEARCH',
        integer(10, 5000, 128),
        "HNSW query-time candidate list (hnswlib's own default, 10, loses recall; see bench/RESULTS.md).",
      ),
      initialCapacity: env(
        'HNSW_INITIAL_CAPACITY',
        integer(16, 100_000_000, 1024),
        "First capacity of a collection's index; doubles when full.",
      ),
    },
    indexSnapshotIntervalMs: env(
      'INDEX_SNAPSHOT_INTERVAL_MS',
      integer(1000, 86_400_000, 30_000),
      'How often changed indexes are snapshotted (and always at shutdown).',
    ),
  }),

  ...area('Chunking', {
    chunking: {
      size: env(
        'DEFAULT_CHUNK_SIZE',
        integer(16, 8192, 256),
        "Tokens per chunk for new collections (clamped to the model's maximum input).",
      ),
      overlap: env(
        'DEFAULT_CHUNK_OVERLAP',
        integer(0, 4096, 32),
        'Tokens of whole sentences repeated between chunks; smaller than `DEFAULT_CHUNK_SIZE`.',
      ),
    },
  }),

  ...area('Request and document limits', {
    limits: {
      maxBodyBytes: env('MAX_BODY_BYTES', bytes(1024, GiB, 10 * MiB), 'Largest JSON body.'),
      maxFileBytes: env(
        'MAX_FILE_BYTES',
        bytes(1024, GiB, 25 * MiB),
        'Largest file uploaded to `POST .../documents` (held in memory while it is parsed) or fetched by URL; larger files go through a job.',
      ),
      maxDocumentsPerRequest: env(
        'MAX_DOCUMENTS_PER_REQUEST',
        integer(1, 100_000, 1000),
        'Documents (and URLs) in one JSON request, jobs included.',
      ),
      maxPagesPerDocument: env(
        'MAX_PAGES_PER_DOCUMENT',
        integer(1, 1_000_000, 5000),
        'A PDF with more pages is refused (413 `document_too_large`, or the job item fails) before its pages are read.',
      ),
      maxChunksPerDocument: env(
        'MAX_CHUNKS_PER_DOCUMENT',
        integer(1, 10_000_000, 250_000),
        'A document that makes more chunks is refused the same way (a 100 MB text makes about 100,000 chunks of 256 tokens).',
      ),
    },
  }),

  ...area('Parsing', {
    parsing: {
      workers: env(
        'PARSE_WORKERS',
        integer(1, 32, 2),
        'Parser worker threads for files of any size; one more is kept for small files (`PARSE_SMALL_FILE_BYTES`), so a small file never waits behind large ones. Idle workers stop after a minute.',
      ),
      smallFileBytes: env(
        'PARSE_SMALL_FILE_BYTES',
        bytes(1024, GiB, MiB),
        'Files up to this size may use the small-file worker.',
      ),
      timeoutMs: env(
        'PARSE_TIMEOUT_MS',
        integer(1000, 86_400_000, 120_000),
        'Longest a file may take to parse; then its worker is stopped and replaced, and the file fails (422 `parse_timeout`).',
      ),
      memoryMb: env(
        'PARSE_MEMORY_MB',
        integer(64, 65_536, 1024),
        'Heap a parser worker may use for one file; a file that needs more fails (413 `document_too_large`) and the worker is replaced.',
      ),
    },
  }),

  ...area('Parser limits (hostile input)', {
    parseLimits: {
      archiveMaxUncompressedBytes: env(
        'ARCHIVE_MAX_UNCOMPRESSED_BYTES',
        bytes(MiB, 64 * GiB, 256 * MiB),
        'A zip-based file (DOCX) whose entries unpack to more is refused (413 `document_too_large`), read from its central directory before it is unpacked.',
      ),
      archiveMaxEntries: env(
        'ARCHIVE_MAX_ENTRIES',
        integer(1, 10_000_000, 10_000),
        'A zip-based file with more entries is refused the same way.',
      ),
      archiveMaxRatio: env(
        'ARCHIVE_MAX_RATIO',
        integer(2, 1_000_000, 200),
        'A zip-based file that unpacks to more than this many times its size (and to more than 1 MiB) is refused as a zip bomb.',
      ),
      markupMaxDepth: env(
        'MARKUP_MAX_DEPTH',
        integer(16, 1_000_000, 512),
        'HTML (and the HTML made from a DOCX) nested deeper is refused (422 `corrupt_document`) before its tree is built.',
      ),
      markupMaxNodes: env(
        'MARKUP_MAX_NODES',
        integer(1000, 100_000_000, 500_000),
        'HTML with more elements is refused (413 `document_too_large`) before its tree is built.',
      ),
      pdfMaxDecompressedBytes: env(
        'PDF_MAX_DECOMPRESSED_BYTES',
        bytes(MiB, 64 * GiB, 64 * MiB),
        'A PDF whose compressed streams other than images unpack to more is refused (413 `document_too_large`) before pdf.js reads its pages (pdf.js takes about 8 s per 64 MiB of page content).',
      ),
      maxExtractedTextBytes: env(
        'MAX_EXTRACTED_TEXT_BYTES',
        bytes(MiB, 64 * GiB, 64 * MiB),
        'A PDF or DOCX whose text comes to more is refused (413 `document_too_large`) as soon as it does.',
      ),
    },
  }),

  ...area('OCR', {
    ocr: {
      enabled: env(
        'OCR',
        oneOf(['on', 'off'], 'on')
          .transform((v) => v === 'on')
          .meta({ docAllowed: '`on`, `off`' }),
        '`on`: images (PNG, JPEG, TIFF, WebP) and PDF pages without a text layer are read by OCR (tesseract.js in the parser workers, models from `@tesseract.js-data/*` packages, never downloaded); `off`: they have no text (422 `no_extractable_text` when nothing else has).',
      ),
      languages: env(
        'OCR_LANGS',
        z
          .string()
          .regex(/^[a-z]{3}(_[a-z]{3,5})?([+,][a-z]{3}(_[a-z]{3,5})?)*$/, {
            message: 'must be tesseract language codes joined by + (eng, eng+fra, chi_sim)',
          })
          .default('eng')
          .transform((v) => [...new Set(v.split(/[+,]/))])
          .meta({ docAllowed: 'tesseract codes joined by `+` (`eng+fra`)' }),
        'Default OCR languages (an upload may name others in `ocrLangs`); each an installed `@tesseract.js-data/<code>` package, or the server does not start.',
      ),
      syncMaxPages: env(
        'OCR_SYNC_MAX_PAGES',
        integer(0, 100_000, 3),
        'Pages an upload answered at once (`POST .../documents`) may have read by OCR; more: 413 `ocr_needs_job` (send it to `POST .../jobs`, which reports OCR progress a page at a time).',
      ),
      maxPages: env(
        'OCR_MAX_PAGES',
        integer(1, 1_000_000, 500),
        'A file with more pages to read by OCR is refused (413 `document_too_large`, or the job item fails) before any is read, jobs included.',
      ),
      pageTimeoutMs: env(
        'OCR_PAGE_TIMEOUT_MS',
        integer(1000, 3_600_000, 60_000),
        'Longest the OCR of one page may take (rendering and recognition); then the parser worker is stopped and replaced and the file fails (422 `parse_timeout`). While pages are read by OCR this limit replaces `PARSE_TIMEOUT_MS`, which holds again after the last page.',
      ),
      dpi: env('OCR_DPI', integer(72, 600, 300), 'Resolution PDF pages are rendered at for OCR.'),
      maxPixels: env(
        'OCR_MAX_PIXELS',
        integer(1_000_000, 1_000_000_000, 40_000_000),
        'Largest image OCR reads, in pixels (width x height, read from its header before it is decoded): a larger image upload is refused (413 `document_too_large`), a PDF page is rendered smaller, and an image inside a PDF larger than this is not decoded.',
      ),
    },
  }),

  ...area('Background jobs', {
    jobs: {
      maxFileBytes: env(
        'JOB_MAX_FILE_BYTES',
        bytes(1024, 64 * GiB, 512 * MiB),
        'Largest file of a job (streamed to disk, never held in memory).',
      ),
      maxRequestBytes: env(
        'JOB_MAX_REQUEST_BYTES',
        bytes(1024, 1024 * GiB, 4 * GiB),
        'Largest multipart request of a job, all files together.',
      ),
      maxFiles: env('JOB_MAX_FILES', integer(1, 1_000_000, 10_000), 'Files in one job.'),
      queueLimit: env(
        'JOB_QUEUE_LIMIT',
        integer(1, 100_000, 32),
        'Jobs waiting or running; past it, new jobs get 429 with `Retry-After`.',
      ),
    },
  }),

  ...area('Fetching documents by URL', {
    urlFetch: {
      allow: env(
        'URL_FETCH_ALLOW',
        commaList(),
        'Hosts, addresses or CIDR ranges that `{url}` documents may be fetched from although they are not public (loopback, private, link-local and metadata addresses are refused otherwise), e.g. `intranet.example,10.0.0.0/8`.',
      ),
      timeoutMs: env(
        'URL_FETCH_TIMEOUT_MS',
        integer(100, 600_000, 30_000),
        'Time limit for fetching a `{url}` document, redirects included.',
      ),
      maxRedirects: env(
        'URL_FETCH_MAX_REDIRECTS',
        integer(0, 20, 5),
        'Redirects followed when fetching a `{url}` document; each hop is checked again.',
      ),
    },
  }),

  ...area('Trust boundary: API keys, hosts, origins, limits per key', {
    security: {
      apiKey: env(
        'RAGD_API_KEY',
        z
          .string()
          .min(32, 'must be at least 32 characters')
          .optional()
          .meta({ docAllowed: 'text of at least 32 characters' }),
        'An admin API key from the environment (e.g. `openssl rand -hex 32`; never printed). Once it is set, or any key exists in the database, every route but `/health` and `/health/live` needs `Authorization: Bearer <key>`; a server whose `HOST` is not loopback does not start without one of them. See docs/security.md.',
      ),
      allowedHosts: env(
        'ALLOWED_HOSTS',
        commaList(),
        "Host names a request's `Host` may carry besides `localhost`, `127.0.0.1`, `[::1]` and the bind address (any port): names, `*.example.com`, or `*` for any; others get 421 `host_not_allowed`.",
      ),
      corsOrigins: env(
        'CORS_ORIGINS',
        commaList().refine(
          (list) => list.every(isOrigin),
          'must be origins like https://app.example, comma-separated',
        ),
        'Origins (`https://app.example`) allowed to call the API from a browser (CORS); empty: CORS off. State changes from a browser on any other origin get 403 `cross_site_request`.',
      ),
      rateLimitPerMinute: env(
        'RATE_LIMIT_PER_MINUTE',
        integer(0, 10_000_000, 1200),
        'Requests one API key may send a minute, all routes together (429 with `Retry-After`); `0`: no limit.',
      ),
      uploadsPerKey: env(
        'MAX_CONCURRENT_UPLOADS_PER_KEY',
        integer(1, 10_000, 4),
        'Ingest requests (add or replace documents, jobs) of one key at once (429).',
      ),
      ingestBytesPerDay: env(
        'INGEST_BYTES_PER_DAY',
        integer(0, Number.MAX_SAFE_INTEGER, 0),
        'Request bytes one key may send to the ingest routes in a UTC day (429 until 00:00 UTC); `0`: no limit.',
      ),
      memoryUploads: env(
        'MAX_CONCURRENT_MEMORY_UPLOADS',
        integer(1, 10_000, 8),
        'Multipart uploads to `POST .../documents` (held in memory) received at once, server-wide (503 with `Retry-After`).',
      ),
    },
  }),

  ...area('Idempotency', {
    idempotency: {
      ttlMs: env(
        'IDEMPOTENCY_TTL_HOURS',
        hours(1, 8760, 24),
        'How long an `Idempotency-Key` is remembered after its first request; expired keys are purged hourly.',
      ),
    },
  }),
};
