/** The server's responses, as far as the app reads them (see Swagger at /docs for all fields). */

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface CollectionCounts {
  documents: number;
  chunks: number;
  vectors: number;
  pending: number;
  indexed: number;
}

export interface Collection {
  name: string;
  embeddingModel: string;
  embeddingDtype: string;
  embeddingDim: number | null;
  chunkSize: number;
  chunkOverlap: number;
  createdAt: string;
  counts: CollectionCounts;
  index: { state: 'ready' | 'building'; size: number; done?: number; total?: number };
  search: { rrfK: number; denseWeight: number; lexicalWeight: number; rerank: boolean };
  reembed?: { state: string; embeddingModel: string; done: number; total: number };
}

export type ModelTask = 'embedding' | 'generation' | 'reranking';

/** A model's files being fetched from the hub into MODELS_DIR (POST /v1/models/{id}/pull). */
export interface DownloadProgress {
  /** listing: asking the hub for the files; waiting: the last try failed, the next at retryAt. */
  state: 'listing' | 'downloading' | 'waiting' | 'failed' | 'done';
  source: string;
  bytesDone: number;
  bytesTotal: number | null;
  percent: number | null;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  files: {
    path: string;
    state: 'pending' | 'downloading' | 'done' | 'present';
    bytesDone: number;
    bytesTotal: number | null;
  }[];
  attempt: number;
  retryAt?: string;
  error?: string;
}

export interface ModelEntry {
  id: string;
  task: ModelTask;
  state: 'available' | 'downloading' | 'loading' | 'ready' | 'failed';
  reason?: string;
  download?: DownloadProgress;
  dtype: string;
  dtypes: string[];
  device: string;
  memoryBytes: number | null;
  loadMs: number | null;
  source?: 'models_dir' | 'hub';
  defaultFor?: ModelTask;
  collections?: string[];
}

/**
 * GET /health. Once API keys are on, only an admin key gets the details (modes, models, storage);
 * any other caller gets status and version alone.
 */
export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds?: number;
  modes?: { search: string; searchReason?: string; ask: string; askReason?: string };
  models?: {
    id: string;
    task: ModelTask;
    dtype: string;
    state: 'not_loaded' | 'downloading' | 'loading' | 'ready' | 'unavailable';
    reason?: string;
    download?: DownloadProgress;
  }[];
  storage?: { status: string; reason?: string; freeBytes: number | null };
}

export interface DocumentSummary {
  id: string;
  title: string | null;
  source: string | null;
  contentType: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  chunks: number;
  characters: number;
}

export interface DocumentList {
  total: number;
  limit: number;
  offset: number;
  items: DocumentSummary[];
}

export interface Chunk {
  id: number;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  embedded: boolean;
  sectionPath: string | null;
  pageStart: number | null;
  pageEnd: number | null;
}

export interface DocumentDetail extends Omit<DocumentSummary, 'chunks' | 'characters'> {
  text: string;
  chunks: Chunk[];
}

export type JobState =
  'queued' | 'parsing' | 'chunking' | 'embedding' | 'done' | 'failed' | 'cancelled';

export const ENDED_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

export interface Job {
  id: string;
  collection: string;
  state: JobState;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  items: {
    total: number;
    queued: number;
    running: number;
    embedding: number;
    done: number;
    failed: number;
    cancelled: number;
  };
  chunks: { total: number; embedded: number };
  progress: number;
  current: { ordinal: number; source: string | null; stage: string } | null;
}

export interface JobItem {
  ordinal: number;
  kind: string;
  documentId: string;
  source: string | null;
  bytes: number;
  state: JobState;
  outcome: string | null;
  chunks: number | null;
  error: { stage: string; code: string; message: string } | null;
  note: string | null;
}

export interface Citation {
  n: number;
  documentId: string;
  chunkId: number;
  title: string | null;
  text: string;
  start: number;
  end: number;
  score: number;
  sectionPath: string | null;
  pageStart: number | null;
  pageEnd: number | null;
}

export interface AskResult {
  answer: string;
  citations: Citation[];
  mode: 'generative' | 'extractive';
  modeReason?: string;
  model: string | null;
  retrieval: { mode: string; modeReason?: string; chunks: number };
  invalidCitations: number[];
  refused: boolean;
  grounded: boolean;
  grounding?: { support: number; unsupported: string[] };
  usage: { promptTokens: number; completionTokens: number };
  timings: { retrieveMs: number; generateMs: number; totalMs: number };
}

export interface ChatTurnResult extends AskResult {
  sessionId: string;
  standaloneQuery: string;
  rewrite: 'none' | 'model' | 'heuristic';
}

export interface Conversation {
  sessionId: string;
  collection: string;
  turns: {
    role: 'user' | 'assistant';
    content: string;
    standaloneQuery?: string;
    citations?: { n: number; documentId: string; chunkId: number }[];
    createdAt: string;
  }[];
}

export interface SearchHit {
  documentId: string;
  chunkId: number;
  title: string | null;
  text: string;
  score: number;
  start: number;
  end: number;
  sectionPath: string | null;
  pageStart: number | null;
  pageEnd: number | null;
  metadata: Record<string, unknown>;
  explain?: {
    denseRank?: number;
    denseScore?: number;
    lexicalRank?: number;
    lexicalScore?: number;
    fusedScore?: number;
    rerankScore?: number;
  };
}

export interface SearchResult {
  results: SearchHit[];
  mode: string;
  reranked: boolean;
  modeReason?: string;
  timings: { embedMs: number; searchMs: number; rerankMs: number; totalMs: number };
}

/** An API key as GET /v1/keys lists it (never the key itself). */
export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** The answer to POST /v1/keys: the key, shown this once. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}
