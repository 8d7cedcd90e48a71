/**
 * Ingestion through the job API (POST /v1/collections/{name}/jobs), measured on the built server
 * as a process with the random-weight all-MiniLM-L6-v2-shaped encoder of bench/.models:
 *
 *   1. Cranfield's 1,400 abstracts as 1,400 uploaded files in one job (the "1,000-file batch"):
 *      documents/s, chunks/s, time in parsing, chunking, storing and embedding, peak memory.
 *   2. The three PDFs of ../shared/datasets/pdfs in one job: the same figures.
 *   3. /search (hybrid) p50/p95 idle, then while the Cranfield job runs again into another
 *      collection.
 *   4. The raw library on the same chunks, in this process with the server stopped: transformers.js
 *      in length-sorted batches of 32 (what the server's queue does), and a naive fixed batch of 32
 *      in arrival order. Targets: job API >= 0.9x raw, >= 1.2x naive.
 *   5. A 100 MB text file (the essay of ../shared/datasets/text repeated) in a fresh server: peak
 *      memory until every chunk is stored and --embed-seconds of embedding after.
 *
 * Usage: npm run bench:ingest [-- --big-mb 100] [-- --embed-seconds 30] [-- --skip-build]
 * Writes bench/results/ingest.{md,json}. Exits 2 when ../shared or the bench model is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  elapsedSeconds,
  intArg,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  BENCH_MODELS_DIR,
} from './lib/bench-run';
import { loadDataset, missingFiles } from './lib/datasets';
import { fmt, table } from './lib/markdown';
import { RawEmbedder } from './lib/raw-embedder';
import { ServerProcess } from '../test/support/server-process';
import { summarize } from './lib/stats';

const MODELS_DIR = BENCH_MODELS_DIR;
const MODEL = 'bench/all-MiniLM-L6-v2';
const SHARED = path.resolve(ROOT, '..', 'shared', 'datasets');
const BATCH = 32;

/** The fields of GET /v1/jobs/{id} this benchmark reads (a benchmark is a client: it declares what it reads). */
interface Job {
  id: string;
  state: string;
  items: { total: number; done: number; failed: number; embedding: number };
  chunks: { total: number; embedded: number };
  timings: {
    queuedMs: number;
    elapsedMs: number;
    parseMs: number;
    chunkMs: number;
    storeMs: number;
    embedMs: number;
  };
  errors: { source: string | null; stage: string; code: string; message: string }[];
}

interface JobRun {
  label: string;
  job: Job;
  /** From the start of the upload to the job's end (or to `until`). */
  wallMs: number;
  uploadMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function postFiles(
  server: ServerProcess,
  collection: string,
  files: { name: string; blob: Blob }[],
): Promise<Job> {
  const form = new FormData();
  form.append('idFromFilename', 'true');
  for (const f of files) form.append('files', f.blob, f.name);
  const res = await fetch(`${server.baseUrl}/v1/collections/${collection}/jobs`, {
    method: 'POST',
    body: form,
  });
  const body = (await res.json()) as Job;
  if (res.status !== 202) throw new Error(`POST jobs: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Sends the job, then polls it (and the server's RSS) until it ends, or until `stop` says so. */
async function runJob(
  server: ServerProcess,
  label: string,
  send: () => Promise<Job>,
  stop: (job: Job) => boolean = (j) => ['done', 'failed', 'cancelled'].includes(j.state),
): Promise<JobRun> {
  const rssBeforeMb = server.memory().vmRssMb;
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(
    () => (rssPeakMb = Math.max(rssPeakMb, server.memory().vmRssMb)),
    100,
  );
  const t0 = performance.now();
  const accepted = await send();
  const uploadMs = performance.now() - t0;
  let job = accepted;
  for (;;) {
    const r = await server.get<Job>(`/v1/jobs/${accepted.id}`);
    job = r.body;
    if (stop(job)) break;
    await sleep(1000); // as a client would poll; RSS is sampled every 100 ms meanwhile
  }
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  rssPeakMb = Math.max(rssPeakMb, server.memory().vmRssMb);
  progress(
    `${label}: ${job.state}, ${job.items.done}/${job.items.total} items, ${job.chunks.total} chunks in ${(wallMs / 1000).toFixed(1)} s`,
  );
  return { label, job, wallMs, uploadMs, rssBeforeMb, rssPeakMb };
}

async function searchLatencies(
  server: ServerProcess,
  collection: string,
  queries: readonly string[],
  until?: () => boolean,
): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; ; i++) {
    if (until ? until() : i >= queries.length) break;
    const r = await server.post(`/v1/collections/${collection}/search`, {
      query: queries[i % queries.length],
      mode: 'hybrid',
      topK: 10,
    });
    if (r.status !== 200) throw new Error(`search: ${r.status} ${JSON.stringify(r.body)}`);
    ms.push(r.ms);
  }
  return ms;
}

async function chunkTexts(
  server: ServerProcess,
  collection: string,
  ids: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const r = await server.get<{ chunks: { ordinal: number; text: string }[] }>(
      `/v1/collections/${collection}/documents/${encodeURIComponent(id)}`,
    );
    if (r.status !== 200) throw new Error(`GET document ${id}: ${r.status}`);
    out.push(...r.body.chunks.sort((a, b) => a.ordinal - b.ordinal).map((c) => c.text));
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const bigMb = intArg(argv, 'big-mb', 100, 1);
  const embedSeconds = intArg(argv, 'embed-seconds', 30, 0);
  const missing = [
    ...missingFiles(SHARED, 'cranfield'),
    ...['pdfs/bert.pdf', 'pdfs/distilbert.pdf', 'pdfs/roberta.pdf', 'text/paul_graham_essay.txt']
      .map((f) => path.join(SHARED, f))
      .filter((f) => !fs.existsSync(f)),
  ];
  if (missing.length > 0) {
    console.error(`missing (../shared/datasets is not in this repository): ${missing.join(', ')}`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(MODELS_DIR, MODEL, 'onnx', 'model.onnx'))) {
    console.error(
      `missing: ${path.join(MODELS_DIR, MODEL)}; build it with: npx ts-node --transpile-only bench/models/make-bench-models.ts --only=minilm (needs ../shared/model-shapes)`,
    );
    process.exit(2);
  }
  const { m, workDir } = await startBench('ingest', argv.includes('--skip-build'));
  const env = (storage: string) => ({
    MODELS_DIR,
    ALLOW_REMOTE_MODELS: 'false',
    EMBEDDING_MODEL: MODEL,
    EMBEDDING_DTYPE: 'fp32',
    GENERATION_MODEL: 'none/none',
    RERANK_MODEL: 'none/none',
    STORAGE_DIR: path.join(workDir, storage),
    MAX_DOCUMENTS_PER_REQUEST: '2000',
    LOG_LEVEL: 'warn',
  });
  const cran = loadDataset(SHARED, 'cranfield');
  const cranFiles = cran.documents.map((d) => ({
    name: `cran-${d.id}.txt`,
    blob: new Blob([`${d.title}\n\n${d.text}\n`]),
  }));
  const pdfFiles = ['bert.pdf', 'distilbert.pdf', 'roberta.pdf'].map((name) => ({
    name,
    blob: new Blob([fs.readFileSync(path.join(SHARED, 'pdfs', name))]),
  }));
  const queries = cran.queries.map((q) => q.query);

  const server = await ServerProcess.start(
    ROOT,
    env('storage-a'),
    path.join(workDir, 'server-a.log'),
  );
  await server.waitForEmbeddingReady(120_000);
  const rssIdleMb = server.memory().vmRssMb;
  for (const c of ['cran', 'pdfs', 'cran2']) await server.post('/v1/collections', { name: c });
  // Warm-up: the model's first batches, not counted.
  await runJob(server, 'warm-up', () =>
    server
      .post<Job>('/v1/collections/cran2/jobs', {
        documents: [{ id: 'w', text: cran.documents[0]!.text }],
      })
      .then((r) => r.body),
  );

  progress(`Cranfield: ${cranFiles.length} files in one job`);
  const cranRun = await runJob(server, 'Cranfield', () => postFiles(server, 'cran', cranFiles));
  progress('PDFs: 3 files in one job');
  const pdfRun = await runJob(server, 'PDFs', () => postFiles(server, 'pdfs', pdfFiles));

  progress('/search idle');
  const idle = await searchLatencies(server, 'cran', queries.slice(0, 200));
  progress('/search while the Cranfield batch is ingested again into another collection');
  let busy: number[] = [];
  let jobOver = false;
  const [loadedRun] = await Promise.all([
    runJob(server, 'Cranfield under search load', () => postFiles(server, 'cran2', cranFiles)).then(
      (r) => {
        jobOver = true;
        return r;
      },
    ),
    sleep(300).then(
      async () => (busy = await searchLatencies(server, 'cran', queries, () => jobOver)),
    ),
  ]);
  const texts = await chunkTexts(
    server,
    'cran',
    cranFiles.map((f) => f.name),
  );
  await server.stop();

  progress(`raw transformers.js on the same ${texts.length} chunks (server stopped)`);
  const raw = await RawEmbedder.load(MODELS_DIR, MODEL);
  await raw.embedAll(texts.slice(0, 64), BATCH); // warm-up
  const byLength = texts
    .map((t, i) => [t.length, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);
  const sortedRun = await raw.embedAll(texts, BATCH, byLength);
  const naiveRun = await raw.embedAll(texts, BATCH);

  progress(`${bigMb} MB text file in a fresh server`);
  const essay = fs.readFileSync(path.join(SHARED, 'text', 'paul_graham_essay.txt'), 'utf8');
  const bigFile = path.join(workDir, 'big.txt');
  const fd = fs.openSync(bigFile, 'w');
  let written = 0;
  for (let i = 1; written < bigMb * 1024 * 1024; i++)
    written += fs.writeSync(fd, `Copy ${i}.\n\n${essay}\n\n`);
  fs.closeSync(fd);
  const big = await ServerProcess.start(ROOT, env('storage-b'), path.join(workDir, 'server-b.log'));
  await big.waitForEmbeddingReady(120_000);
  const bigIdleMb = big.memory().vmRssMb;
  await big.post('/v1/collections', { name: 'big' });
  // A small collection searched all along: how long a search waits while the big file is parsed, chunked and stored.
  await big.post('/v1/collections', { name: 'probe' });
  await big.post('/v1/collections/probe/documents', {
    documents: cran.documents.slice(0, 50).map((d) => ({ id: d.id, text: d.text })),
  });
  let storedAt: number | undefined;
  let bigOver = false;
  const probe = searchLatencies(big, 'probe', queries, () => bigOver);
  const bigRun = await runJob(
    big,
    `${bigMb} MB text`,
    async () => postFiles(big, 'big', [{ name: 'big.txt', blob: await fs.openAsBlob(bigFile) }]),
    (j) => {
      if (['done', 'failed', 'cancelled'].includes(j.state)) return true;
      if (j.state === 'embedding') storedAt ??= performance.now();
      return storedAt !== undefined && performance.now() - storedAt > embedSeconds * 1000;
    },
  );
  bigOver = true;
  const probeS = summarize(await probe);
  const bigSearch = summarize(await searchLatencies(big, 'big', queries.slice(0, 50)));
  await big.stop();
  m.uptimeAfter = shell('uptime', []);

  // ------------------------------------------------------------------------------------------
  const perS = (n: number, ms: number) => n / (ms / 1000);
  const share = (part: number, t: Job['timings']) =>
    `${fmt((100 * part) / (t.parseMs + t.chunkMs + t.storeMs + t.embedMs), 0)}%`;
  const runRow = (r: JobRun) => {
    const t = r.job.timings;
    return [
      r.label,
      `${r.job.items.done}/${r.job.items.total}`,
      String(r.job.chunks.total),
      fmt(r.wallMs / 1000, 1),
      fmt(perS(r.job.items.done, r.wallMs), 1),
      fmt(perS(r.job.chunks.total, r.wallMs), 1),
      `${fmt(t.parseMs / 1000, 1)} (${share(t.parseMs, t)})`,
      `${fmt(t.chunkMs / 1000, 1)} (${share(t.chunkMs, t)})`,
      `${fmt(t.storeMs / 1000, 1)} (${share(t.storeMs, t)})`,
      `${fmt(t.embedMs / 1000, 1)} (${share(t.embedMs, t)})`,
    ];
  };
  const apiChunksPerS = perS(cranRun.job.chunks.total, cranRun.wallMs);
  const sortedPerS = perS(texts.length, sortedRun.ms);
  const naivePerS = perS(texts.length, naiveRun.ms);
  const idleS = summarize(idle);
  const busyS = summarize(busy);
  const holds = (ok: boolean) => (ok ? 'holds' : '**falls short**');
  const md = [
    `## Ingestion through the job API (${new Date().toISOString().slice(0, 10)})`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Command: \`npm run bench:ingest -- --big-mb ${bigMb} --embed-seconds ${embedSeconds}\`. Model ${MODEL} (random weights, real shape), fp32, EMBED_BATCH_SIZE ${BATCH}; default chunk size (256 tokens, overlap 32). Wall time runs from the start of the upload to the job's end, every chunk embedded. Stage times are the job's own timings: parsing, chunking and storing summed over items, embedding = the model's time on the collection's passages while the job ran; they overlap (the model embeds one file's chunks while the next is parsed), so the shares are of their sum, not of the wall time.`,
    '',
    table(
      [
        'job',
        'items done',
        'chunks',
        'wall s',
        'documents/s',
        'chunks/s',
        'parse s',
        'chunk s',
        'store s',
        'embed s',
      ],
      [runRow(cranRun), runRow(pdfRun), runRow(loadedRun)],
    ),
    '',
    ...(pdfRun.job.errors.length + cranRun.job.errors.length > 0
      ? [`Failed items: ${JSON.stringify([...cranRun.job.errors, ...pdfRun.job.errors])}`, '']
      : []),
    `**Throughput against the raw library on the same ${texts.length} Cranfield chunks** (raw runs in this process after the server stopped):`,
    '',
    table(
      ['path', 'chunks/s', 'job API vs it', 'target', ''],
      [
        [
          'job API, end to end (upload, parse, chunk, store, embed)',
          fmt(apiChunksPerS, 1),
          '',
          '',
          '',
        ],
        [
          'raw transformers.js, length-sorted batches of 32',
          fmt(sortedPerS, 1),
          `${fmt(apiChunksPerS / sortedPerS, 2)}x`,
          '>= 0.9x',
          holds(apiChunksPerS >= 0.9 * sortedPerS),
        ],
        [
          'raw transformers.js, naive batches of 32 in arrival order',
          fmt(naivePerS, 1),
          `${fmt(apiChunksPerS / naivePerS, 2)}x`,
          '>= 1.2x',
          holds(apiChunksPerS >= 1.2 * naivePerS),
        ],
      ],
    ),
    '',
    `**/search (hybrid, top 10, Cranfield queries one at a time) idle and while the 1,400-file job runs** into another collection:`,
    '',
    table(
      ['', 'searches', 'p50 ms', 'p95 ms', 'max ms'],
      [
        ['idle', String(idleS.n), fmt(idleS.p50, 1), fmt(idleS.p95, 1), fmt(idleS.max, 1)],
        [
          'during the job',
          String(busyS.n),
          fmt(busyS.p50, 1),
          fmt(busyS.p95, 1),
          fmt(busyS.max, 1),
        ],
        [
          'ratio',
          '',
          `${fmt(busyS.p50 / idleS.p50, 2)}x`,
          `${fmt(busyS.p95 / idleS.p95, 2)}x (target <= 2x: ${holds(busyS.p95 <= 2 * idleS.p95)})`,
          '',
        ],
      ],
    ),
    '',
    `**Searches during the ${bigMb} MB file** (hybrid, on a 50-document collection, one at a time, from upload to ${embedSeconds} s after storing): ${probeS.n} searches, p50 ${fmt(probeS.p50, 1)} ms, p95 ${fmt(probeS.p95, 1)} ms, max ${fmt(probeS.max, 0)} ms (chunking yields every 20 ms and the chunks are stored 2,000 per transaction; the first of those transactions also writes the 100 MB text).`,
    '',
    '**Peak memory** (VmRSS of the server process, sampled every 100 ms; idle = model loaded, nothing ingested):',
    '',
    table(
      ['job', 'RSS idle MB', 'RSS before MB', 'peak RSS MB', 'peak - idle MB', 'note'],
      [
        [
          'Cranfield, 1,400 files',
          fmt(rssIdleMb, 0),
          fmt(cranRun.rssBeforeMb, 0),
          fmt(cranRun.rssPeakMb, 0),
          fmt(cranRun.rssPeakMb - rssIdleMb, 0),
          `${fmt(cranRun.uploadMs / 1000, 1)} s to upload and acknowledge`,
        ],
        [
          `${bigMb} MB text file`,
          fmt(bigIdleMb, 0),
          fmt(bigRun.rssBeforeMb, 0),
          fmt(bigRun.rssPeakMb, 0),
          fmt(bigRun.rssPeakMb - bigIdleMb, 0),
          `${bigRun.job.chunks.total} chunks stored (state ${bigRun.job.state}, ${bigRun.job.chunks.embedded} embedded when measuring stopped, ${embedSeconds} s after storing); upload ${fmt(bigRun.uploadMs / 1000, 1)} s, parse ${fmt(bigRun.job.timings.parseMs / 1000, 1)} s, chunk ${fmt(bigRun.job.timings.chunkMs / 1000, 1)} s, store ${fmt(bigRun.job.timings.storeMs / 1000, 1)} s; /search on it afterwards p95 ${fmt(bigSearch.p95, 0)} ms`,
        ],
      ],
    ),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  const out = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'ingest.md'), md);
  fs.writeFileSync(
    path.join(out, 'ingest.json'),
    JSON.stringify(
      {
        machine: m,
        model: MODEL,
        cranRun,
        pdfRun,
        loadedRun,
        raw: { chunks: texts.length, sortedMs: sortedRun.ms, naiveMs: naiveRun.ms },
        search: { idle: idleS, busy: busyS, duringBigFile: probeS },
        bigRun,
        rssIdleMb,
        bigIdleMb,
      },
      null,
      2,
    ),
  );
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
