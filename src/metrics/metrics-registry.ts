import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from half a millisecond (an FTS lookup) to a minute (a long generation). */
const STAGE_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const TTFT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * Every ragd_ metric, in one registry per app (tests start many apps in one process). Counters and
 * histograms move as work is done; the gauges of stored state (chunks, jobs, index vectors, model
 * states, free space) are set at scrape time by StateGauges.
 */
export class RagdMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'ragd_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'ragd_http_request_duration_seconds',
    help: 'Time from a request arriving to its response ending (streams: to the last event)',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly stageDuration = new Histogram({
    name: 'ragd_stage_duration_seconds',
    help: 'Time of each step of a search or an answer: embed, dense, lexical, fuse, rerank, generate',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: 'ragd_time_to_first_token_seconds',
    help: 'From a generation being asked of a model (queue wait included) to its first token',
    labelNames: ['model'] as const,
    buckets: TTFT_BUCKETS,
    registers: [this.registry],
  });
  readonly generatedTokens = new Counter({
    name: 'ragd_generated_tokens_total',
    help: 'Tokens generated, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'ragd_queue_depth',
    help: 'Work waiting or running on a model: texts to embed, or generations',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'ragd_queue_wait_seconds',
    help: 'How long a request waited for its model before its work started',
    labelNames: ['model'] as const,
    buckets: STAGE_BUCKETS,
    registers: [this.registry],
  });
  readonly embedBatchSize = new Histogram({
    name: 'ragd_embed_batch_size',
    help: 'Texts in one embedding model call (micro-batches of queries and passages)',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly answers = new Counter({
    name: 'ragd_answers_total',
    help: 'Answers given, by mode: generative, extractive, refused',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });
  readonly modelState = new Gauge({
    name: 'ragd_model_state',
    help: '1 for the state each known model is in (not_loaded, downloading, loading, ready, unavailable), 0 for the others',
    labelNames: ['model', 'dtype', 'task', 'state'] as const,
    registers: [this.registry],
  });
  readonly modelDownloadBytes = new Gauge({
    name: 'ragd_model_download_bytes',
    help: 'A model download in progress or waiting to be tried again: bytes fetched (kind="done") and to fetch in all (kind="total")',
    labelNames: ['model', 'dtype', 'kind'] as const,
    registers: [this.registry],
  });
  readonly modelDownloadRate = new Gauge({
    name: 'ragd_model_download_bytes_per_second',
    help: 'The rate of a model download over the last few seconds',
    labelNames: ['model', 'dtype'] as const,
    registers: [this.registry],
  });
  readonly remoteReplicaState = new Gauge({
    name: 'ragd_remote_replica_state',
    help: '1 for the state each replica of a remote model is in (unknown, up, down), 0 for the others',
    labelNames: ['task', 'model', 'replica', 'state'] as const,
    registers: [this.registry],
  });
  readonly remoteReplicaInFlight = new Gauge({
    name: 'ragd_remote_replica_in_flight',
    help: 'Calls in flight to each replica of a remote model',
    labelNames: ['task', 'model', 'replica'] as const,
    registers: [this.registry],
  });
  readonly remoteFailures = new Counter({
    name: 'ragd_remote_failures_total',
    help: 'Calls and probes of a remote replica that failed and took it out of service, by kind: unreachable, timeout, http, malformed, other',
    labelNames: ['task', 'model', 'replica', 'kind'] as const,
    registers: [this.registry],
  });
  readonly chunks = new Gauge({
    name: 'ragd_chunks',
    help: 'Chunks stored, by collection and state (embedded: has its vector; pending: waits for one)',
    labelNames: ['collection', 'state'] as const,
    registers: [this.registry],
  });
  readonly jobs = new Gauge({
    name: 'ragd_jobs',
    help: 'Ingestion jobs, by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly indexVectors = new Gauge({
    name: 'ragd_index_vectors',
    help: "Vectors in each collection's vector store (searchable now)",
    labelNames: ['collection'] as const,
    registers: [this.registry],
  });
  readonly storageFreeBytes = new Gauge({
    name: 'ragd_storage_free_bytes',
    help: 'Free bytes on the file system of STORAGE_DIR',
    registers: [this.registry],
  });
  readonly collectionsTotal = new Gauge({
    name: 'ragd_collections',
    help: 'Collections (all of them, also those summed under collection="other")',
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, event-loop lag, GC, open handles: the usual Node.js set, ragd_-named.
    collectDefaultMetrics({ register: this.registry, prefix: 'ragd_' });
  }
}
