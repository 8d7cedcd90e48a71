/**
 * Remote engines against in-process ones, on the same models and machine. Two set-ups of the built
 * server: "local", one ragd running its models; "remote", a front ragd with no models whose three
 * engines are a second ragd running the same models (EMBEDDING_ENDPOINT, GENERATION_ENDPOINT,
 * RERANK_ENDPOINT), with the models' tokenizers in its MODELS_DIR so that both cut the same chunks. Both set-ups stay up; rounds take turns between them (which side goes first
 * alternates), one request at a time, and the figures are medians over the rounds:
 *
 *   ingestion chunks/s   --docs synthetic documents (seeded random words, 2-4 chunks each) posted
 *                        50 a request into a fresh collection, each request answered once its
 *                        chunks are embedded; chunks / wall time              target remote >= 0.9x
 *   /search p50          --searches sequential hybrid searches (no rerank), and again with the
 *                        cross-encoder over 20 candidates; p50 and what the hop adds  target <= 2 ms
 *   generation           streaming /v1/chat/completions, --tokens new tokens: time to first text and
 *                        completion tokens / time to the finish chunk          target >= 0.95x
 *
 * Then failover: two backends behind one front, --clients concurrent clients sending searches and
 * /v1/embeddings for --seconds; the first backend is SIGKILLed a third of the way in. Counts the
 * requests that failed (target 0 for embeddings and search).
 *
 * Models: bench/all-MiniLM-L6-v2 and bench/ms-marco-MiniLM-L-6-v2 (random weights of the real
 * shapes, bench/models/make-bench-models.ts) for embedding and reranking; generation on the tiny
 * test model tiny/chat (npm run test:models), the SmolLM-shaped decoder being too slow to take turns
 * with on two shared cores.
 *
 * Usage: npm run bench:remote [-- --rounds 3] [-- --docs 300] [-- --searches 200] [-- --tokens 32]
 *          [-- --clients 4] [-- --seconds 15] [-- --skip-build]
 * Writes bench/results/remote.{md,json}. Exits 2 when a model is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BENCH_MODELS_DIR,
  elapsedSeconds,
  intArg,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  writeResults,
} from './lib/bench-run';
import { streamChat } from './lib/chat-stream';
import { fmt, table } from './lib/markdown';
import { summarize } from './lib/stats';
import { ServerProcess } from '../test/support/server-process';
import { SeededRandom } from '../test/support/seeded-random';
import { TINY_MODELS_DIR } from '../test/support/tiny-models';

const EMBED = 'bench/all-MiniLM-L6-v2';
const RERANK = 'bench/ms-marco-MiniLM-L-6-v2';
const CHAT = 'tiny/chat';

const median = (xs: number[]) => summarize(xs).p50;

/** Seeded documents of common English words, each 2-4 chunks of the server's default size. */
function documents(n: number, seed: number): { id: string; text: string }[] {
  const words = (
    'the of and to in is was for on that with as by at from his her they this which one had not but ' +
    'are were been have their has would what will there all more when time new some could made after ' +
    'river garden train kitchen mountain doctor school music winter ocean forest market church island ' +
    'letter window city water light house night world power paper money story field morning country'
  ).split(' ');
  const rnd = new SeededRandom(seed);
  return Array.from({ length: n }, (_, d) => {
    const sentences = Array.from({ length: 12 + Math.floor(rnd.next() * 24) }, () => {
      const len = 8 + Math.floor(rnd.next() * 10);
      const s = Array.from({ length: len }, () => words[Math.floor(rnd.next() * words.length)]!);
      return `${s.join(' ')}.`;
    });
    return { id: `doc-${seed}-${d}`, text: sentences.join(' ') };
  });
}

interface Side {
  name: 'local' | 'remote';
  server: ServerProcess;
}

function modelsDir(workDir: string): string {
  // One MODELS_DIR with the bench models and the tiny chat model.
  const dir = path.join(workDir, 'models');
  fs.mkdirSync(dir, { recursive: true });
  for (const [link, target] of [
    ['bench', path.join(BENCH_MODELS_DIR, 'bench')],
    ['tiny', path.join(TINY_MODELS_DIR, 'tiny')],
  ] as const)
    if (!fs.existsSync(path.join(dir, link))) fs.symlinkSync(target, path.join(dir, link));
  return dir;
}

const BASE_ENV = (models: string): Record<string, string> => ({
  MODELS_DIR: models,
  ALLOW_REMOTE_MODELS: 'false',
  EMBEDDING_MODEL: EMBED,
  EMBEDDING_DTYPE: 'fp32',
  RERANK_MODEL: RERANK,
  RERANK_DTYPE: 'fp32',
  GENERATION_MODEL: CHAT,
  GENERATION_DTYPE: 'fp32',
  GENERATION_CONTEXT_TOKENS: '2048',
  LOG_LEVEL: 'warn',
});

async function startModels(
  label: string,
  workDir: string,
  models: string,
  port?: number,
): Promise<ServerProcess> {
  const s = await ServerProcess.start(
    ROOT,
    { ...BASE_ENV(models), STORAGE_DIR: path.join(workDir, `${label}-storage`) },
    path.join(workDir, `${label}.log`),
    undefined,
    port,
  );
  await s.waitForHealth(60_000);
  for (const task of ['embedding', 'generation', 'reranking'] as const)
    await s.waitForModelReady(task, 120_000);
  return s;
}

async function startFront(
  label: string,
  workDir: string,
  models: string,
  backends: ServerProcess[],
): Promise<ServerProcess> {
  const endpoints = backends.map((b) => `${b.baseUrl}/v1`).join(',');
  const s = await ServerProcess.start(
    ROOT,
    {
      // The same MODELS_DIR: the front loads none of these models (they are declared remote), but
      // counts tokens with their tokenizers, so both sides cut the same chunks.
      ...BASE_ENV(models),
      STORAGE_DIR: path.join(workDir, `${label}-storage`),
      EMBEDDING_ENDPOINT: endpoints,
      GENERATION_ENDPOINT: endpoints,
      RERANK_ENDPOINT: endpoints,
      REMOTE_PROBE_MAX_MS: '1000',
      MODEL_RETRY_MS: '1000',
    },
    path.join(workDir, `${label}.log`),
  );
  await s.waitForHealth(60_000);
  for (const task of ['embedding', 'generation', 'reranking'] as const)
    await s.waitForModelReady(task, 60_000);
  return s;
}

async function ingest(side: Side, round: number, docs: { id: string; text: string }[]) {
  const name = `ingest-${round}`;
  const created = await side.server.post('/v1/collections', { name });
  if (created.status !== 201) throw new Error(`${side.name}: create ${created.status}`);
  const t0 = performance.now();
  let chunks = 0;
  for (let i = 0; i < docs.length; i += 50) {
    const r = await side.server.post<{
      documents: { chunks: number }[];
      embedding: { state: string };
    }>(`/v1/collections/${name}/documents`, { documents: docs.slice(i, i + 50) });
    if (r.status !== 201 || r.body.embedding.state !== 'done')
      throw new Error(`${side.name}: ingest ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    chunks += r.body.documents.reduce((n, d) => n + d.chunks, 0);
  }
  return { chunks, chunksPerSecond: chunks / ((performance.now() - t0) / 1000) };
}

async function searches(side: Side, collection: string, n: number, rerank: boolean) {
  const queries = documents(n, 99).map((d) =>
    d.text.split('.')[0]!.split(' ').slice(0, 5).join(' '),
  );
  const ms: number[] = [];
  for (const query of queries) {
    const r = await side.server.post<{ mode: string; reranked: boolean }>(
      `/v1/collections/${collection}/search`,
      { query, topK: 10, rerank, ...(rerank ? { rerankCandidates: 20 } : {}) },
    );
    if (r.status !== 200 || r.body.mode !== 'hybrid' || r.body.reranked !== rerank)
      throw new Error(`${side.name}: search ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    ms.push(r.ms);
  }
  return median(ms);
}

async function generate(side: Side, tokens: number) {
  const out = await streamChat(side.server.baseUrl, {
    model: CHAT,
    messages: [{ role: 'user', content: 'Tell me about the river and the mountain.' }],
    max_tokens: tokens,
    temperature: 0,
  });
  if (out.status !== 200 || !out.usage || out.firstTextMs === undefined || !out.finishMs)
    throw new Error(`${side.name}: generation ${out.status} ${out.error ?? ''}`);
  return {
    firstTextMs: out.firstTextMs,
    tokensPerSecond: out.usage.completion_tokens / (out.finishMs / 1000),
    tokens: out.usage.completion_tokens,
    text: out.text,
  };
}

/** Clients sending searches and /v1/embeddings without pause while the first backend is killed. */
async function failover(workDir: string, models: string, clients: number, seconds: number) {
  const b1 = await startModels('failover-b1', workDir, models);
  const b2 = await startModels('failover-b2', workDir, models);
  const front = await startFront('failover-front', workDir, models, [b1, b2]);
  await front.post('/v1/collections', { name: 'f' });
  const add = await front.post('/v1/collections/f/documents', { documents: documents(40, 7) });
  if (add.status !== 201) throw new Error(`failover ingest ${add.status}`);
  const counts = { search: { ok: 0, failed: 0 }, embeddings: { ok: 0, failed: 0 } };
  const failures: string[] = [];
  const end = performance.now() + seconds * 1000;
  const queries = documents(50, 3).map((d) => d.text.slice(0, 60));
  const loop = async (kind: 'search' | 'embeddings', k: number) => {
    for (let i = k; performance.now() < end; i++) {
      const q = queries[i % queries.length]!;
      const r =
        kind === 'search'
          ? await front.post('/v1/collections/f/search', {
              query: q,
              rerank: true,
              rerankCandidates: 10,
            })
          : await front.post('/v1/embeddings', { model: EMBED, input: [q, `${q} again`] });
      if (r.status === 200) counts[kind].ok++;
      else {
        counts[kind].failed++;
        if (failures.length < 5)
          failures.push(`${kind} ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    }
  };
  const killer = (async () => {
    await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
    progress('failover: SIGKILL the first backend');
    await b1.kill();
  })();
  await Promise.all([
    ...Array.from({ length: clients }, (_, k) => loop('search', k)),
    ...Array.from({ length: clients }, (_, k) => loop('embeddings', k)),
    killer,
  ]);
  const health = await front.get<{
    models: { task: string; remote?: { replicas: { state: string; requests: number }[] } }[];
  }>('/health');
  await Promise.all([front.stop(), b2.stop()]);
  return {
    counts,
    failures,
    replicas: health.body.models.map((m) => ({ task: m.task, replicas: m.remote?.replicas })),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = intArg(argv, 'rounds', 3, 1);
  const nDocs = intArg(argv, 'docs', 300, 50);
  const nSearches = intArg(argv, 'searches', 200, 10);
  const tokens = intArg(argv, 'tokens', 32, 2);
  const clients = intArg(argv, 'clients', 4, 1);
  const seconds = intArg(argv, 'seconds', 15, 3);
  for (const m of [EMBED, RERANK])
    if (!fs.existsSync(path.join(BENCH_MODELS_DIR, m, 'onnx', 'model.onnx'))) {
      console.error(
        `${m} is missing: run ts-node --transpile-only bench/models/make-bench-models.ts`,
      );
      process.exit(2);
    }
  if (!fs.existsSync(path.join(TINY_MODELS_DIR, CHAT, 'onnx', 'model.onnx'))) {
    console.error(`${CHAT} is missing: run npm run test:models`);
    process.exit(2);
  }
  const { m, workDir } = await startBench('remote', argv.includes('--skip-build'));
  const models = modelsDir(workDir);
  progress('starting local, backend and front');
  const local: Side = { name: 'local', server: await startModels('local', workDir, models) };
  const backend = await startModels('backend', workDir, models);
  const remote: Side = {
    name: 'remote',
    server: await startFront('front', workDir, models, [backend]),
  };

  type Row = {
    ingest: number;
    chunks: number;
    search: number;
    searchRerank: number;
    ttft: number;
    tps: number;
    tokens: number;
  };
  const results: Record<'local' | 'remote', Row[]> = { local: [], remote: [] };
  const texts = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const docs = documents(nDocs, round + 1);
    const order = round % 2 === 0 ? [local, remote] : [remote, local];
    const row = new Map<Side, Partial<Row>>(order.map((s) => [s, {}]));
    for (const side of order) {
      const r = await ingest(side, round, docs);
      Object.assign(row.get(side)!, { ingest: r.chunksPerSecond, chunks: r.chunks });
    }
    for (const side of order)
      row.get(side)!.search = await searches(side, `ingest-${round}`, nSearches, false);
    for (const side of order)
      row.get(side)!.searchRerank = await searches(
        side,
        `ingest-${round}`,
        Math.ceil(nSearches / 4),
        true,
      );
    for (const side of order) {
      await generate(side, tokens); // warm-up
      const g = await generate(side, tokens);
      texts.add(g.text);
      Object.assign(row.get(side)!, {
        ttft: g.firstTextMs,
        tps: g.tokensPerSecond,
        tokens: g.tokens,
      });
    }
    for (const side of order) results[side.name].push(row.get(side) as Row);
    if (row.get(local)!.chunks !== row.get(remote)!.chunks)
      throw new Error(
        `the two sides cut different chunks: ${row.get(local)!.chunks} and ${row.get(remote)!.chunks}`,
      );
    progress(
      `round ${round + 1}/${rounds}: ${JSON.stringify(results.local.at(-1))} | ${JSON.stringify(results.remote.at(-1))}`,
    );
  }
  if (texts.size !== 1)
    throw new Error(`the two sides generated different texts: ${[...texts].join(' | ')}`);
  await Promise.all([local.server.stop(), remote.server.stop(), backend.stop()]);

  progress(`failover: ${clients} search and ${clients} embedding clients for ${seconds} s`);
  const fo = await failover(workDir, models, clients, seconds);
  m.uptimeAfter = shell('uptime', []);

  const med = (side: 'local' | 'remote', k: keyof Row) => median(results[side].map((r) => r[k]));
  const L = (k: keyof Row) => med('local', k);
  const R = (k: keyof Row) => med('remote', k);
  const md = [
    '# Remote engines against in-process (bench:remote)',
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Embedding ${EMBED} and reranking ${RERANK} (random weights, real shapes), generation ${CHAT} (tiny test model); fp32. ` +
      `${rounds} rounds, sides taking turns, medians; ${nDocs} documents (${L('chunks')} chunks) a round, ${nSearches} searches (${Math.ceil(nSearches / 4)} reranked), ${tokens} new tokens asked (${L('tokens')} made).`,
    '',
    table(
      [
        'figure',
        'in-process',
        'remote (through a second ragd)',
        'remote speed / in-process speed',
        'target',
      ],
      [
        [
          'ingestion chunks/s',
          fmt(L('ingest')),
          fmt(R('ingest')),
          fmt(R('ingest') / L('ingest'), 2),
          '>= 0.9x',
        ],
        [
          '/search p50 (hybrid), ms',
          fmt(L('search'), 2),
          fmt(R('search'), 2),
          `+${fmt(R('search') - L('search'), 2)} ms`,
          '<= +2 ms',
        ],
        [
          '/search p50 (hybrid + rerank 20), ms',
          fmt(L('searchRerank'), 2),
          fmt(R('searchRerank'), 2),
          `+${fmt(R('searchRerank') - L('searchRerank'), 2)} ms`,
          '',
        ],
        [
          'generation: time to first text, ms',
          fmt(L('ttft'), 1),
          fmt(R('ttft'), 1),
          fmt(L('ttft') / R('ttft'), 2),
          '>= 0.95x',
        ],
        [
          'generation: tokens/s',
          fmt(L('tps')),
          fmt(R('tps')),
          fmt(R('tps') / L('tps'), 2),
          '>= 0.95x',
        ],
      ],
    ),
    '',
    `Failover: two backends behind one front, ${clients} search (hybrid + rerank) and ${clients} /v1/embeddings clients without pause for ${seconds} s, the first backend SIGKILLed at ${fmt(seconds / 3, 1)} s.`,
    '',
    table(
      ['requests', 'ok', 'failed', 'target'],
      [
        ['search', String(fo.counts.search.ok), String(fo.counts.search.failed), '0 failed'],
        [
          'embeddings',
          String(fo.counts.embeddings.ok),
          String(fo.counts.embeddings.failed),
          '0 failed',
        ],
      ],
    ),
    ...(fo.failures.length ? ['', 'First failures:', '', ...fo.failures.map((f) => `- ${f}`)] : []),
    '',
  ].join('\n');
  writeResults('remote', md, { machine: m, results, failover: fo });
  console.log(md);
}

runMain(main);
