/**
 * The server side of one bench/online.bench.ts round: the built server as a process with the bench
 * encoder only (no generator, no reranker), the corpus ingested through the jobs API, dense
 * searches one at a time and from concurrent clients, its peak RSS.
 */
import * as path from 'node:path';
import { ServerProcess } from '../../test/support/server-process';
import { ROOT } from './bench-run';

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

export interface ServerRoundOptions {
  modelsDir: string;
  modelId: string;
  storageDir: string;
  logFile: string;
  documents: CorpusDocument[];
  queries: string[];
  concurrentQueries: string[];
  clients: number;
  topK: number;
  /** Extra settings for the server (EMBED_QUERY_WORKER=false, ...). */
  env: Record<string, string>;
  /** Whether to read back the stored chunks (the raw pipeline embeds the same ones). */
  readChunks: boolean;
}

export interface ServerRound {
  ingestMs: number;
  /** The job's own elapsed time. */
  jobElapsedMs: number;
  chunks: number;
  /** Per sequential search: client time, the server's timings.embedMs and totalMs, hit keys. */
  searchMs: number[];
  embedMs: number[];
  totalMs: number[];
  hits: string[][];
  concurrent: { wallMs: number; latencies: number[]; errors: number };
  rss: { idleMb: number; peakMb: number };
  /** Chunk texts in `${documentId}#${ordinal}` order of the documents, when asked for. */
  chunkTexts?: { key: string; text: string }[];
}

interface Job {
  id: string;
  state: string;
  chunks: { total: number; embedded: number };
  timings: { elapsedMs: number };
  errors: unknown[];
}

interface SearchBody {
  results: { documentId: string; ordinal: number }[];
  timings: { embedMs: number; totalMs: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const hitKey = (documentId: string, ordinal: number) => `${documentId}#${ordinal}`;

export async function serverRound(o: ServerRoundOptions): Promise<ServerRound> {
  const server = await ServerProcess.start(
    ROOT,
    {
      MODELS_DIR: o.modelsDir,
      ALLOW_REMOTE_MODELS: 'false',
      EMBEDDING_MODEL: o.modelId,
      EMBEDDING_DTYPE: 'fp32',
      GENERATION_MODEL: 'none/none',
      RERANK_MODEL: 'none/none',
      STORAGE_DIR: o.storageDir,
      MAX_DOCUMENTS_PER_REQUEST: '2000',
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    o.logFile,
  );
  try {
    await server.waitForEmbeddingReady(120_000);
    const idleMb = server.memory().vmRssMb;
    for (const name of ['warm', 'corpus']) {
      const r = await server.post('/v1/collections', { name });
      if (r.status !== 201)
        throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    // Warm-up (not counted): a passage batch, then queries (the query worker loads after the first).
    await runJob(server, 'warm', o.documents.slice(0, 4));
    for (let i = 0; i < 20; i++) await search(server, 'warm', o.queries[i % o.queries.length]!, 10);

    const t0 = performance.now();
    const job = await runJob(server, 'corpus', o.documents);
    const ingestMs = performance.now() - t0;

    const searchMs: number[] = [];
    const embedMs: number[] = [];
    const totalMs: number[] = [];
    const hits: string[][] = [];
    for (const q of o.queries) {
      const r = await search(server, 'corpus', q, o.topK);
      searchMs.push(r.ms);
      embedMs.push(r.body.timings.embedMs);
      totalMs.push(r.body.timings.totalMs);
      hits.push(r.body.results.map((h) => hitKey(h.documentId, h.ordinal)));
    }

    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const tc = performance.now();
    await Promise.all(
      Array.from({ length: o.clients }, async () => {
        while (next < o.concurrentQueries.length) {
          const q = o.concurrentQueries[next++]!;
          const r = await search(server, 'corpus', q, o.topK).catch(() => undefined);
          if (!r) errors++;
          else latencies.push(r.ms);
        }
      }),
    );
    const concurrent = { wallMs: performance.now() - tc, latencies, errors };
    const peakMb = server.memory().vmHwmMb;
    const chunkTexts = o.readChunks ? await readChunks(server, o.documents) : undefined;
    return {
      ingestMs,
      jobElapsedMs: job.timings.elapsedMs,
      chunks: job.chunks.total,
      searchMs,
      embedMs,
      totalMs,
      hits,
      concurrent,
      rss: { idleMb, peakMb },
      chunkTexts,
    };
  } finally {
    await server.stop();
  }
}

async function search(server: ServerProcess, collection: string, query: string, topK: number) {
  const r = await server.post<SearchBody>(`/v1/collections/${collection}/search`, {
    query,
    mode: 'dense',
    topK,
  });
  if (r.status !== 200) throw new Error(`search: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** POSTs the documents as one job and polls it every 20 ms until it ends. */
async function runJob(
  server: ServerProcess,
  collection: string,
  documents: CorpusDocument[],
): Promise<Job> {
  const accepted = await server.post<Job>(`/v1/collections/${collection}/jobs`, { documents });
  if (accepted.status !== 202)
    throw new Error(`POST jobs: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  for (;;) {
    const r = await server.get<Job>(`/v1/jobs/${accepted.body.id}`);
    if (['done', 'failed', 'cancelled'].includes(r.body.state)) {
      if (r.body.state !== 'done' || r.body.errors.length > 0)
        throw new Error(`job ${r.body.state}: ${JSON.stringify(r.body.errors)}`);
      return r.body;
    }
    await sleep(20);
  }
}

async function readChunks(
  server: ServerProcess,
  documents: CorpusDocument[],
): Promise<{ key: string; text: string }[]> {
  const out: { key: string; text: string }[] = [];
  for (const d of documents) {
    const r = await server.get<{ chunks: { ordinal: number; text: string }[] }>(
      `/v1/collections/corpus/documents/${encodeURIComponent(d.id)}`,
    );
    if (r.status !== 200) throw new Error(`GET document ${d.id}: ${r.status}`);
    for (const c of r.body.chunks.sort((a, b) => a.ordinal - b.ordinal))
      out.push({ key: hitKey(d.id, c.ordinal), text: c.text });
  }
  return out;
}

/** The path of a round's server log. */
export const serverLog = (workDir: string, round: number) =>
  path.join(workDir, `server-${round}.log`);
