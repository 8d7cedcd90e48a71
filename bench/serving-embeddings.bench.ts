/**
 * /v1/embeddings under concurrency: queries/s and latency at 1, 4, 16 and 64 clients, each sending
 * one short text per request, against the baseline of one client sending one text at a time. What
 * the server gains over the baseline comes from micro-batching (concurrent requests coalesced into
 * one model call). The model is the random-weight all-MiniLM-L6-v2-shaped encoder of bench/.models
 * (bench/models/make-bench-models.ts --only=minilm), which costs what the real one costs.
 *
 * Usage: npm run bench:serving [-- --requests N] [-- --skip-build]
 * Writes bench/results/serving-embeddings.{md,json}.
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
  writeResults,
  BENCH_MODELS_DIR,
} from './lib/bench-run';
import { ServerProcess } from '../test/support/server-process';
import { shortQuestions } from './lib/short-questions';
import { summarize } from './lib/stats';

const MODELS_DIR = BENCH_MODELS_DIR;
const MODEL = 'bench/all-MiniLM-L6-v2';
const CLIENTS = [1, 4, 16, 64];

interface Row {
  clients: number;
  requests: number;
  seconds: number;
  qps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(server: ServerProcess, texts: string[], clients: number): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < texts.length; i = next++) {
        const r = await server.post<unknown>('/v1/embeddings', {
          model: MODEL,
          input: texts[i],
          encoding_format: 'float',
        });
        if (r.status !== 200) errors++;
        latencies.push(r.ms);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
  return {
    clients,
    requests: texts.length,
    seconds,
    qps: texts.length / seconds,
    p50: summarize(latencies).p50,
    p99,
    errors,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const requests = intArg(argv, 'requests', 400, 10);
  if (!fs.existsSync(path.join(MODELS_DIR, MODEL, 'onnx', 'model.onnx'))) {
    console.error(
      `missing: ${path.join(MODELS_DIR, MODEL)}; build it with: npx ts-node --transpile-only bench/models/make-bench-models.ts --only=minilm (needs ../shared/model-shapes)`,
    );
    process.exit(2);
  }
  const { m, workDir } = await startBench('serving', argv.includes('--skip-build'));
  const env = {
    MODELS_DIR,
    ALLOW_REMOTE_MODELS: 'false',
    EMBEDDING_MODEL: MODEL,
    EMBEDDING_DTYPE: 'fp32',
    GENERATION_MODEL: 'none/none',
    STORAGE_DIR: path.join(workDir, 'storage'),
    LOG_LEVEL: 'warn',
  };
  const server = await ServerProcess.start(ROOT, env, path.join(workDir, 'server.log'));
  await server.waitForEmbeddingReady(120_000);
  const texts = shortQuestions(requests);
  await load(server, texts.slice(0, 40), 4); // warm-up
  progress('baseline: one client, one text at a time');
  const baseline = await load(server, texts, 1);
  const rows: Row[] = [];
  for (const c of CLIENTS) {
    progress(`${c} clients`);
    rows.push(await load(server, texts, c));
  }
  await server.stop();
  m.uptimeAfter = shell('uptime', []);

  const f = (x: number, d = 1) => x.toFixed(d);
  const md = [
    `## /v1/embeddings under concurrency (${new Date().toISOString().slice(0, 10)})`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Command: \`npm run bench:serving -- --requests ${requests}\`. Model ${MODEL} (random weights, real shape), fp32; ${requests} questions of 6-13 words, one per request; EMBED_BATCH_SIZE 32, EMBED_BATCH_WAIT_MS 2 (defaults).`,
    '',
    '| clients | requests | queries/s | vs one client one at a time | p50 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|---|',
    `| 1 (baseline) | ${baseline.requests} | ${f(baseline.qps)} | 1.00x | ${f(baseline.p50)} | ${f(baseline.p99)} | ${baseline.errors} |`,
    ...rows.map(
      (r) =>
        `| ${r.clients} | ${r.requests} | ${f(r.qps)} | ${f(r.qps / baseline.qps, 2)}x | ${f(r.p50)} | ${f(r.p99)} | ${r.errors} |`,
    ),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('serving-embeddings', md, { machine: m, model: MODEL, baseline, rows });
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
