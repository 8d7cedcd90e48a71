/**
 * The raw pipeline of bench/online.bench.ts, as its own process (so its peak RSS is its own):
 * transformers.js feature-extraction (mean pooling, normalised) and hnswlib-node, what a Node
 * developer writes in an afternoon, with no server, worker thread, HTTP or SQLite.
 *
 * Self-contained (package imports only): the benchmark transpiles it to plain JavaScript and runs
 * it with `node`, so no TypeScript compiler sits in the measured process. Reads a RawTask (JSON)
 * from argv[2], writes a RawReport (JSON) to argv[3].
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { HierarchicalNSW } from 'hnswlib-node';

export interface RawTask {
  modelsDir: string;
  modelId: string;
  chunks: string[];
  /** Asked one at a time, in order. */
  queries: string[];
  /** Asked by `clients` concurrent clients. */
  concurrentQueries: string[];
  clients: number;
  batchSizes: number[];
  topK: number;
  /** ONNX Runtime intra-op threads; 0 = its default. */
  intraOpThreads: number;
}

export interface RawIngest {
  batch: number;
  /** 'arrival' for batch 1, 'length-sorted' otherwise. */
  order: string;
  ms: number;
  chunksPerS: number;
}

export interface RawReport {
  loadMs: number;
  ingest: RawIngest[];
  /** Per sequential query: embedding alone, and embedding + HNSW search. */
  queryEmbedMs: number[];
  querySearchMs: number[];
  /** Per sequential query: the HNSW top-k (chunk indices), and the exact top-k. */
  hnswTopK: number[][];
  exactTopK: number[][];
  /** 16 clients each calling the pipeline for their own query. */
  concurrentEach: { wallMs: number; latencies: number[] };
  /** Each wave of `clients` queries embedded in one pipeline call, then searched one by one. */
  concurrentWave: { wallMs: number; latencies: number[] };
  /** VmHWM (MB) after the model load, after batch-1 ingestion and the queries, and at the end. */
  rssMb: { afterLoad: number; afterBatch1AndQueries: number; end: number };
}

function hwmMb(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const task = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RawTask;
  env.localModelPath = task.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const t0 = performance.now();
  const extractor: FeatureExtractionPipeline = await pipeline('feature-extraction', task.modelId, {
    dtype: 'fp32',
    local_files_only: true,
    ...(task.intraOpThreads > 0
      ? { session_options: { intraOpNumThreads: task.intraOpThreads } }
      : {}),
  });
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    const data = out.data as Float32Array;
    const dim = out.dims[out.dims.length - 1]!;
    const rows = texts.map((_, i) => data.slice(i * dim, (i + 1) * dim));
    out.dispose();
    return rows;
  };
  const dim = (await embed(['probe']))[0]!.length;
  const loadMs = performance.now() - t0;
  const afterLoad = hwmMb();
  await embed(task.chunks.slice(0, 8)); // warm-up, not counted

  const n = task.chunks.length;
  const ingestOnce = async (
    batch: number,
  ): Promise<{ ms: number; index: HierarchicalNSW; vectors: Float32Array[] }> => {
    const order = task.chunks.map((_, i) => i);
    if (batch > 1) order.sort((a, b) => task.chunks[a]!.length - task.chunks[b]!.length || a - b);
    const index = new HierarchicalNSW('cosine', dim);
    index.initIndex(n); // hnswlib-node's defaults: M 16, efConstruction 200, ef 10
    const vectors = new Array<Float32Array>(n);
    const t = performance.now();
    for (let b = 0; b < n; b += batch) {
      const ids = order.slice(b, b + batch);
      const rows = await embed(ids.map((i) => task.chunks[i]!));
      ids.forEach((id, j) => {
        vectors[id] = rows[j]!;
        index.addPoint(Array.from(rows[j]!), id);
      });
    }
    return { ms: performance.now() - t, index, vectors };
  };
  const ingest: RawIngest[] = [];
  const first = await ingestOnce(1);
  ingest.push({ batch: 1, order: 'arrival', ms: first.ms, chunksPerS: n / (first.ms / 1000) });
  const index = first.index;

  const queryEmbedMs: number[] = [];
  const querySearchMs: number[] = [];
  const hnswTopK: number[][] = [];
  const exactTopK: number[][] = [];
  const k = Math.min(task.topK, n);
  const queryVectors: Float32Array[] = [];
  for (const q of task.queries) {
    const t = performance.now();
    const [v] = await embed([q]);
    const te = performance.now();
    const hit = index.searchKnn(Array.from(v!), k);
    const ts = performance.now();
    queryEmbedMs.push(te - t);
    querySearchMs.push(ts - t);
    hnswTopK.push(hit.neighbors);
    queryVectors.push(v!);
  }

  const runClients = async (
    perQuery: (qs: string[]) => Promise<void>,
    wave: boolean,
  ): Promise<{ wallMs: number; latencies: number[] }> => {
    const latencies: number[] = [];
    const qs = task.concurrentQueries;
    const t = performance.now();
    if (wave) {
      for (let w = 0; w < qs.length; w += task.clients) {
        const tw = performance.now();
        await perQuery(qs.slice(w, w + task.clients));
        const ms = performance.now() - tw;
        for (let i = w; i < Math.min(qs.length, w + task.clients); i++) latencies.push(ms);
      }
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: task.clients }, async () => {
          while (next < qs.length) {
            const q = qs[next++]!;
            const tq = performance.now();
            await perQuery([q]);
            latencies.push(performance.now() - tq);
          }
        }),
      );
    }
    return { wallMs: performance.now() - t, latencies };
  };
  const search = async (qs: string[]) => {
    const vs = await embed(qs);
    for (const v of vs) index.searchKnn(Array.from(v), k);
  };
  const concurrentEach = await runClients(search, false);
  const concurrentWave = await runClients(search, true);
  const afterBatch1AndQueries = hwmMb();

  for (const batch of task.batchSizes.filter((b) => b > 1)) {
    const r = await ingestOnce(batch);
    ingest.push({ batch, order: 'length-sorted', ms: r.ms, chunksPerS: n / (r.ms / 1000) });
  }

  // The exact top-k of each sequential query over the chunk vectors (recall of the HNSW search).
  const vectors = first.vectors;
  for (const v of queryVectors) {
    const scored = vectors.map((c, i) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += c[d]! * v[d]!;
      return [s, i] as const;
    });
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    exactTopK.push(scored.slice(0, k).map(([, i]) => i));
  }

  const report: RawReport = {
    loadMs,
    ingest,
    queryEmbedMs,
    querySearchMs,
    hnswTopK,
    exactTopK,
    concurrentEach,
    concurrentWave,
    rssMb: { afterLoad, afterBatch1AndQueries, end: hwmMb() },
  };
  writeFileSync(process.argv[3]!, JSON.stringify(report));
  await extractor.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
