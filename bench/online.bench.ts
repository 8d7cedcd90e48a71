/**
 * The online path against the raw libraries (issue #14), on the same corpus, model and chunks, in
 * interleaved rounds:
 *
 *   raw     transformers.js feature-extraction + hnswlib-node in a plain `node` process
 *           (bench/lib/raw-online.child.ts): ingestion at batch 1 (arrival order) and length-sorted
 *           batches of 4, 8 and 32; queries one at a time (embedding, embedding + HNSW); 16
 *           concurrent clients calling the pipeline each for its own query, and each wave of 16
 *           embedded in one call; peak RSS.
 *   server  the built server (`node dist/main.js`) with the embedding model only: the corpus
 *           through the jobs API (chunks/s from the POST to the job's end), dense /search one at a
 *           time (client p50/p95 and the server's timings.embedMs), 16 concurrent clients (q/s,
 *           p95), peak RSS (VmHWM).
 *
 * Corpus: XQuAD English's 240 paragraphs (../shared/datasets/xquad) as documents, chunked by the
 * server; the raw pipeline embeds the chunks the first server stored. Model: the random-weight
 * all-MiniLM-L6-v2-shaped encoder of bench/.models, fp32. Rounds alternate which side goes first.
 *
 * Usage: npm run bench:online [-- --rounds 3] [--queries 400] [--concurrent 480] [--skip-build]
 *          [--server-env KEY=VALUE,KEY=VALUE] [--raw-threads N] [--label text]
 * Writes bench/results/online.{md,json} (or online-<label>.*). Exits 2 without ../shared or the model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  argValue,
  BENCH_MODELS_DIR,
  elapsedSeconds,
  intArg,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  writeResults,
} from './lib/bench-run';
import { onlineReport, type RoundFigures } from './lib/online-report';
import { runRawChild, transpileRawChild } from './lib/online-raw';
import { serverLog, serverRound, type CorpusDocument } from './lib/online-server';
import type { RawReport } from './lib/raw-online.child';
import { summarize } from './lib/stats';
import { loadXquad } from './lib/xquad';

const MODEL = 'bench/all-MiniLM-L6-v2';
const XQUAD = path.resolve(ROOT, '..', 'shared', 'datasets', 'xquad', 'xquad.en.json');
const CLIENTS = 16;
const TOP_K = 10;
const BATCHES = [1, 4, 8, 32];

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function recallAt(found: readonly (readonly number[])[], truth: readonly (readonly number[])[]) {
  let sum = 0;
  truth.forEach((t, i) => {
    const f = new Set(found[i]);
    sum += t.filter((x) => f.has(x)).length / Math.max(1, t.length);
  });
  return sum / Math.max(1, truth.length);
}

function parseEnv(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (spec ?? '').split(',').filter((p) => p.trim() !== '')) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`--server-env: "${pair}" is not KEY=VALUE`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = intArg(argv, 'rounds', 3, 1);
  const nQueries = intArg(argv, 'queries', 400, 10);
  const nConcurrent = intArg(argv, 'concurrent', 480, CLIENTS);
  const rawThreads = intArg(argv, 'raw-threads', 0, 0);
  const serverEnv = parseEnv(argValue(argv, 'server-env'));
  const label = argValue(argv, 'label');
  if (!fs.existsSync(XQUAD)) {
    console.error(`missing: ${XQUAD} (../shared/datasets is not in this repository)`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(BENCH_MODELS_DIR, MODEL, 'onnx', 'model.onnx'))) {
    console.error(
      `missing: ${path.join(BENCH_MODELS_DIR, MODEL)}; build it with: npx ts-node --transpile-only bench/models/make-bench-models.ts --only=minilm (needs ../shared/model-shapes)`,
    );
    process.exit(2);
  }
  const { m, workDir } = await startBench('online', argv.includes('--skip-build'));
  const xquad = loadXquad(XQUAD);
  const documents: CorpusDocument[] = xquad.paragraphs.map((p) => ({
    id: `xquad-${p.index}`,
    title: p.title,
    text: p.context,
  }));
  const questions = xquad.questions.map((q) => q.question);
  const queries = questions.slice(0, nQueries);
  const concurrentQueries = Array.from(
    { length: nConcurrent },
    (_, i) => questions[(nQueries + i) % questions.length]!,
  );
  const rawScript = transpileRawChild(workDir);

  let chunkKeys: string[] | undefined;
  let chunks: string[] | undefined;
  let exact: number[][] | undefined;
  const perRound: RoundFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    const figures: RoundFigures = { round: r + 1, loadBefore: loadavg(), raw: {}, server: {} };
    const runServer = async () => {
      progress(`round ${r + 1}: server`);
      const s = await serverRound({
        modelsDir: BENCH_MODELS_DIR,
        modelId: MODEL,
        storageDir: path.join(workDir, `storage-${r}`),
        logFile: serverLog(workDir, r),
        documents,
        queries,
        concurrentQueries,
        clients: CLIENTS,
        topK: TOP_K,
        env: serverEnv,
        readChunks: chunks === undefined,
      });
      if (s.chunkTexts) {
        chunkKeys = s.chunkTexts.map((c) => c.key);
        chunks = s.chunkTexts.map((c) => c.text);
      }
      const search = summarize(s.searchMs);
      const embed = summarize(s.embedMs);
      const conc = summarize(s.concurrent.latencies);
      figures.server = {
        chunks: s.chunks,
        ingestChunksPerS: s.chunks / (s.ingestMs / 1000),
        jobChunksPerS: s.chunks / (s.jobElapsedMs / 1000),
        searchP50: search.p50,
        searchP95: search.p95,
        embedP50: embed.p50,
        embedP95: embed.p95,
        totalP50: summarize(s.totalMs).p50,
        concQps: s.concurrent.latencies.length / (s.concurrent.wallMs / 1000),
        concP95: conc.p95,
        concErrors: s.concurrent.errors,
        rssIdleMb: s.rss.idleMb,
        rssPeakMb: s.rss.peakMb,
      };
      return s;
    };
    const runRaw = async (): Promise<RawReport> => {
      progress(`round ${r + 1}: raw pipeline on ${chunks!.length} chunks`);
      const raw = await runRawChild(
        rawScript,
        {
          modelsDir: BENCH_MODELS_DIR,
          modelId: MODEL,
          chunks: chunks!,
          queries,
          concurrentQueries,
          clients: CLIENTS,
          batchSizes: BATCHES,
          topK: TOP_K,
          intraOpThreads: rawThreads,
        },
        workDir,
        r,
      );
      exact ??= raw.exactTopK;
      const rate = (b: number) => raw.ingest.find((i) => i.batch === b)?.chunksPerS ?? NaN;
      const each = summarize(raw.concurrentEach.latencies);
      const wave = summarize(raw.concurrentWave.latencies);
      figures.raw = {
        ...Object.fromEntries(BATCHES.map((b) => [`ingestB${b}`, rate(b)])),
        ingestBest: Math.max(...raw.ingest.map((i) => i.chunksPerS)),
        embedP50: summarize(raw.queryEmbedMs).p50,
        embedP95: summarize(raw.queryEmbedMs).p95,
        searchP50: summarize(raw.querySearchMs).p50,
        searchP95: summarize(raw.querySearchMs).p95,
        eachQps: each.n / (raw.concurrentEach.wallMs / 1000),
        eachP95: each.p95,
        waveQps: wave.n / (raw.concurrentWave.wallMs / 1000),
        waveP95: wave.p95,
        rssBatch1Mb: raw.rssMb.afterBatch1AndQueries,
        rssEndMb: raw.rssMb.end,
        recall: recallAt(raw.hnswTopK, raw.exactTopK),
      };
      return raw;
    };
    let server: Awaited<ReturnType<typeof runServer>>;
    if (r % 2 === 0 || chunks === undefined) {
      server = await runServer();
      await runRaw();
    } else {
      await runRaw();
      server = await runServer();
    }
    const index = new Map(chunkKeys!.map((k, i) => [k, i]));
    figures.server.recall = recallAt(
      server.hits.map((h) => h.map((k) => index.get(k) ?? -1)),
      exact!,
    );
    figures.loadAfter = loadavg();
    perRound.push(figures);
    progress(`round ${r + 1}: ${JSON.stringify(figures)}`);
  }
  m.uptimeAfter = shell('uptime', []);
  const command = `npm run bench:online -- ${argv.filter((a) => a !== '--skip-build').join(' ')}`;
  const md = onlineReport({
    m,
    seconds: elapsedSeconds(),
    command: command.trim(),
    model: MODEL,
    chunks: chunks!.length,
    documents: documents.length,
    queries: queries.length,
    concurrent: concurrentQueries.length,
    clients: CLIENTS,
    serverEnv,
    rawThreads,
    rounds: perRound,
  });
  console.log(`\n${md}`);
  writeResults(label ? `online-${label}` : 'online', md, {
    machine: m,
    model: MODEL,
    command,
    serverEnv,
    rawThreads,
    rounds: perRound,
  });
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
