/**
 * The built server at twice its capacity. For each scenario: the capacity is measured first (closed
 * loop: clients sending without pause for a while, requests/s), then requests arrive at twice that
 * rate for a fixed time whether or not earlier ones were answered (open loop, Poisson arrivals,
 * seeded). Reported: the share refused with 503 and whether each carried Retry-After, latency of
 * the accepted requests, the server's RSS every second (start, peak, end, the trend over the last
 * half of the overload), GET /health latency during the overload (the event loop stays free while
 * the models work in worker threads), that every request was answered and the server still
 * answers /health afterwards.
 *
 * Scenarios (the random-weight models of bench/.models, built by bench/models/make-bench-models.ts):
 *   embeddings, EMBED_QUEUE_LIMIT at its default (256 texts waiting) and at 8192 (the default
 *     before commit 79a23ec): POST
 *     /v1/embeddings, one short question per request, bench/all-MiniLM-L6-v2 fp32
 *   generation, GENERATION_QUEUE_LIMIT at its default (4): POST /v1/chat/completions, not
 *     streaming, max_tokens 16, bench/SmolLM-360M-Instruct q4 (skipped if that model is missing)
 *
 * The load generator runs on the same machine as the server and shares its cores; the delay
 * between a request's planned and actual send time is reported so that its own saturation shows.
 *
 * Usage: npm run bench:saturation [-- --seconds 60] [-- --only NAME] [-- --out NAME] [-- --skip-build]
 *   --only: run just the scenario of that name (embeddings, embeddings-8192, generation)
 *   --out: the report's name (default saturation)
 * Writes bench/results/<out>.{md,json}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  argValue,
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
import { fmt, table } from './lib/markdown';
import { ServerProcess } from '../test/support/server-process';
import { shortQuestions } from './lib/short-questions';
import { SeededRandom } from '../test/support/seeded-random';
import { percentile } from './lib/stats';

const MODELS_DIR = BENCH_MODELS_DIR;
const EMBEDDING_MODEL = 'bench/all-MiniLM-L6-v2';
const GENERATION_MODEL = 'bench/SmolLM-360M-Instruct';

interface Scenario {
  name: string;
  /** Server settings besides MODELS_DIR, STORAGE_DIR and the like. */
  env: Record<string, string>;
  /** What the report says about the queue limit. */
  limit: string;
  task: 'embedding' | 'generation';
  path: string;
  body: (i: number) => unknown;
  capacityClients: number;
  capacitySeconds: number;
}

interface Outcome {
  /** Planned send time, ms since the overload began. */
  plannedMs: number;
  /** Actual send time minus planned (the load generator's own delay). */
  lagMs: number;
  /** HTTP status; 0 when the request failed without one (connection refused or reset). */
  status: number;
  ms: number;
  retryAfter?: string;
  /** Why a request got no answer. */
  error?: string;
}

interface Sample {
  /** Seconds since the overload began. */
  t: number;
  rssMb: number;
  healthMs: number;
  healthStatus: number;
  healthError?: string;
  /** Requests sent and not answered yet. */
  open: number;
}

async function timedPost(
  url: string,
  body: unknown,
): Promise<Omit<Outcome, 'plannedMs' | 'lagMs'>> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    const retryAfter = res.headers.get('retry-after') ?? undefined;
    return { status: res.status, ms: performance.now() - t0, retryAfter };
  } catch (e) {
    return { status: 0, ms: performance.now() - t0, error: errorText(e) };
  }
}

/** A fetch failure's message with its cause (undici puts the socket error there). */
function errorText(e: unknown): string {
  const cause =
    e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  return `${String(e)}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`;
}

async function timedGet(url: string): Promise<{ status: number; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  } catch (e) {
    return { status: 0, ms: performance.now() - t0, error: errorText(e) };
  }
}

/** Requests/s with `clients` clients sending without pause for `seconds`. */
async function capacity(server: ServerProcess, s: Scenario): Promise<number> {
  let done = 0;
  let next = 0;
  const t0 = performance.now();
  const until = t0 + s.capacitySeconds * 1000;
  await Promise.all(
    Array.from({ length: s.capacityClients }, async () => {
      while (performance.now() < until) {
        const r = await timedPost(`${server.baseUrl}${s.path}`, s.body(next++));
        if (r.status !== 200) throw new Error(`capacity run: status ${r.status}`);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - t0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Poisson arrivals at `rate`/s for `seconds`, each sent without waiting for the others; samples the
 * server once a second until every request has been answered.
 */
async function overload(
  server: ServerProcess,
  s: Scenario,
  rate: number,
  seconds: number,
): Promise<{ outcomes: Outcome[]; samples: Sample[]; drainSeconds: number }> {
  const rnd = new SeededRandom(20261124);
  const outcomes: Outcome[] = [];
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  let sampling = true;
  const sampler = (async () => {
    for (let tick = 1; sampling; tick++) {
      await sleep(tick * 1000 - now());
      const health = await timedGet(`${server.baseUrl}/health`);
      const rssMb = server.running ? server.memory().vmRssMb : NaN;
      samples.push({
        t: now() / 1000,
        rssMb,
        healthMs: health.ms,
        healthStatus: health.status,
        healthError: health.error,
        open: pending.size,
      });
    }
  })();
  let plannedMs = 0;
  let i = 0;
  while (plannedMs < seconds * 1000) {
    const wait = plannedMs - now();
    if (wait > 1) await sleep(wait);
    const planned = plannedMs;
    const lagMs = Math.max(0, now() - planned);
    const p = timedPost(`${server.baseUrl}${s.path}`, s.body(i++)).then((r) => {
      outcomes.push({ plannedMs: planned, lagMs, ...r });
      pending.delete(p);
    });
    pending.add(p);
    plannedMs += (-Math.log(1 - rnd.next()) / rate) * 1000;
  }
  const sentAll = now();
  while (pending.size > 0) await Promise.race(pending);
  const drainSeconds = (now() - sentAll) / 1000;
  sampling = false;
  await sampler;
  return { outcomes, samples, drainSeconds };
}

interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank p50 and p99, and the largest value. */
function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

interface ScenarioResult {
  name: string;
  limit: string;
  capacityRps: number;
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  /** Requests answered 200 per second, from the start of the overload to the last answer. */
  servedRps: number;
  refused: number;
  refusedWithRetryAfter: number;
  /** Answers other than 200 and 503, and requests without an answer. */
  other: Record<string, number>;
  /** Latency of the requests answered 200, ms. */
  accepted: Spread;
  /** Latency of the 503s, ms. */
  refusedMs: Spread;
  /** Delay between planned and actual send, ms. */
  lag: Spread;
  drainSeconds: number;
  rss: { beforeMb: number; maxMb: number; endMb: number; idleMb: number; mbPerMinute: number };
  /** GET /health latency, once a second from the start of the overload to the last answer, ms; answers other than 200; the status after. */
  health: Spread & { failures: number; after: number };
  exited: boolean;
  samples: Sample[];
}

async function runScenario(s: Scenario, seconds: number, workDir: string): Promise<ScenarioResult> {
  progress(`${s.name}: starting the server (${s.limit})`);
  const server = await ServerProcess.start(
    ROOT,
    {
      MODELS_DIR,
      ALLOW_REMOTE_MODELS: 'false',
      EMBEDDING_MODEL: 'none/none',
      GENERATION_MODEL: 'none/none',
      RERANK_MODEL: 'none/none',
      STORAGE_DIR: path.join(workDir, `storage-${s.name}`),
      LOG_LEVEL: 'warn',
      ...s.env,
    },
    path.join(workDir, `server-${s.name}.log`),
  );
  try {
    await server.waitForModelReady(s.task, 300_000);
    for (let i = 0; i < 4; i++) await timedPost(`${server.baseUrl}${s.path}`, s.body(i)); // warm-up
    progress(`${s.name}: capacity, ${s.capacityClients} clients for ${s.capacitySeconds} s`);
    const capacityRps = await capacity(server, s);
    const rate = 2 * capacityRps;
    const beforeMb = server.memory().vmRssMb;
    progress(
      `${s.name}: ${fmt(capacityRps, 1)} requests/s; now ${fmt(rate, 1)}/s for ${seconds} s`,
    );
    const { outcomes, samples, drainSeconds } = await overload(server, s, rate, seconds);
    const healthAfter = await timedGet(`${server.baseUrl}/health`);
    const endMb = server.running ? server.memory().vmRssMb : NaN;
    await sleep(10_000);
    const idleMb = server.running ? server.memory().vmRssMb : NaN;
    const exited = !server.running;
    progress(
      `${s.name}: ${outcomes.length} requests answered, ${drainSeconds.toFixed(1)} s after the last was sent`,
    );
    const accepted = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 503);
    const other: Record<string, number> = {};
    for (const o of outcomes)
      if (o.status !== 200 && o.status !== 503) other[o.status] = (other[o.status] ?? 0) + 1;
    const overloadSamples = samples.filter((x) => x.t <= seconds);
    const lastHalf = overloadSamples
      .filter((x) => x.t > seconds / 2)
      .map((x) => ({ x: x.t / 60, y: x.rssMb }));
    return {
      name: s.name,
      limit: s.limit,
      capacityRps,
      rate,
      seconds,
      sent: outcomes.length,
      ok: accepted.length,
      servedRps: accepted.length / (seconds + drainSeconds),
      refused: refused.length,
      refusedWithRetryAfter: refused.filter((o) => o.retryAfter !== undefined).length,
      other,
      accepted: spread(accepted.map((o) => o.ms)),
      refusedMs: spread(refused.map((o) => o.ms)),
      lag: spread(outcomes.map((o) => o.lagMs)),
      drainSeconds,
      rss: {
        beforeMb,
        maxMb: Math.max(beforeMb, ...samples.map((x) => x.rssMb)),
        endMb,
        idleMb,
        mbPerMinute: slope(lastHalf),
      },
      health: {
        ...spread(samples.map((x) => x.healthMs)),
        failures: samples.filter((x) => x.healthStatus !== 200).length,
        after: healthAfter.status,
      },
      exited,
      samples,
    };
  } finally {
    await server.stop();
  }
}

function scenarios(): Scenario[] {
  const texts = shortQuestions(5000);
  const embeddings = (name: string, limit: number | undefined): Scenario => ({
    name,
    env: {
      EMBEDDING_MODEL,
      EMBEDDING_DTYPE: 'fp32',
      ...(limit === undefined ? {} : { EMBED_QUEUE_LIMIT: String(limit) }),
    },
    limit: `EMBED_QUEUE_LIMIT ${limit ?? '256 (default)'}`,
    task: 'embedding',
    path: '/v1/embeddings',
    body: (i) => ({
      model: EMBEDDING_MODEL,
      input: texts[i % texts.length],
      encoding_format: 'float',
    }),
    capacityClients: 64,
    capacitySeconds: 15,
  });
  const list = [embeddings('embeddings', undefined), embeddings('embeddings-8192', 8192)];
  if (fs.existsSync(path.join(MODELS_DIR, GENERATION_MODEL, 'onnx', 'model_q4.onnx'))) {
    list.push({
      name: 'generation',
      env: { GENERATION_MODEL, GENERATION_DTYPE: 'q4' },
      limit: 'GENERATION_QUEUE_LIMIT 4 (default)',
      task: 'generation',
      path: '/v1/chat/completions',
      body: (i) => ({
        model: GENERATION_MODEL,
        messages: [{ role: 'user', content: texts[i % texts.length] }],
        max_tokens: 16,
        temperature: 0,
      }),
      // As many as the queue admits: the capacity run must not be refused.
      capacityClients: 4,
      capacitySeconds: 30,
    });
  } else {
    progress(`no ${GENERATION_MODEL} q4 in bench/.models: the generation scenario is skipped`);
  }
  return list;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seconds = intArg(argv, 'seconds', 60, 5);
  if (!fs.existsSync(path.join(MODELS_DIR, EMBEDDING_MODEL, 'onnx', 'model.onnx'))) {
    console.error(
      `missing: ${path.join(MODELS_DIR, EMBEDDING_MODEL)}; build it with: npx ts-node --transpile-only bench/models/make-bench-models.ts --only=minilm (needs ../shared/model-shapes)`,
    );
    process.exit(2);
  }
  const { m, workDir } = await startBench('saturation', argv.includes('--skip-build'));
  const only = argValue(argv, 'only');
  const out = argValue(argv, 'out') ?? 'saturation';
  const results: ScenarioResult[] = [];
  for (const s of scenarios().filter((x) => only === undefined || x.name === only))
    results.push(await runScenario(s, seconds, workDir));
  m.uptimeAfter = shell('uptime', []);

  const share = (n: number, of: number) => `${fmt((100 * n) / of, 1)}%`;
  const md = [
    `## Twice the capacity (${m.date.slice(0, 10)})`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Command: \`npm run bench:saturation -- --seconds ${seconds}${only ? ` --only ${only}` : ''}${out !== 'saturation' ? ` --out ${out}` : ''}\`. Capacity: clients sending without pause (embeddings: 64 clients for 15 s; generation: 4 for 30 s); then Poisson arrivals at twice that rate for ${seconds} s, open loop. ` +
      `Embeddings: ${EMBEDDING_MODEL} fp32, one question of 6-13 words per request. Generation: ${GENERATION_MODEL} q4, a question of 6-13 words, max_tokens 16, not streaming. The load generator shares the 2 cores with the server.`,
    '',
    table(
      [
        'scenario',
        'queue limit',
        'capacity req/s',
        'offered req/s',
        'served req/s',
        'requests',
        '200',
        '503 (with Retry-After)',
        'other',
        'accepted p50 / p99 / max ms',
        '503 p99 ms',
        'all answered after',
      ],
      results.map((r) => [
        r.name,
        r.limit,
        fmt(r.capacityRps, 1),
        fmt(r.rate, 1),
        fmt(r.servedRps, 1),
        String(r.sent),
        `${r.ok} (${share(r.ok, r.sent)})`,
        `${r.refused} (${share(r.refused, r.sent)}) (${r.refusedWithRetryAfter})`,
        Object.entries(r.other)
          .map(([status, n]) => `${n} x ${status === '0' ? 'no answer' : status}`)
          .join(', ') || '0',
        `${fmt(r.accepted.p50, 0)} / ${fmt(r.accepted.p99, 0)} / ${fmt(r.accepted.max, 0)}`,
        fmt(r.refusedMs.p99, 0),
        `${fmt(r.drainSeconds, 1)} s`,
      ]),
    ),
    '',
    table(
      [
        'scenario',
        'RSS before MB',
        'peak',
        'end',
        '10 s later',
        'trend, last half of the overload',
        'GET /health p50 / p99 / max ms, until all answered',
        '/health failures',
        '/health after',
        'server still running',
        'send delay p99 ms',
      ],
      results.map((r) => [
        r.name,
        fmt(r.rss.beforeMb, 0),
        fmt(r.rss.maxMb, 0),
        fmt(r.rss.endMb, 0),
        fmt(r.rss.idleMb, 0),
        `${fmt(r.rss.mbPerMinute, 1)} MB/min`,
        `${fmt(r.health.p50, 1)} / ${fmt(r.health.p99, 1)} / ${fmt(r.health.max, 1)}`,
        String(r.health.failures),
        String(r.health.after),
        r.exited ? '**no**' : 'yes',
        fmt(r.lag.p99, 1),
      ]),
    ),
    '',
    ...results.flatMap((r) =>
      r.samples
        .filter((x) => x.healthStatus !== 200)
        .map(
          (x) =>
            `- ${r.name}: GET /health at ${fmt(x.t, 0)} s: ${x.healthStatus === 0 ? `no answer after ${fmt(x.healthMs, 0)} ms: ${x.healthError ?? '?'}` : `status ${x.healthStatus}`}`,
        ),
    ),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults(out, md, { machine: m, seconds, results });
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
