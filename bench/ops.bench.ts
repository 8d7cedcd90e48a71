/**
 * What the operator surface costs (issue #15): /search p50 with metrics and request logging on
 * (METRICS_ENABLED=true, LOG_LEVEL=log: a JSON line per request, read by this script through a
 * pipe as a log collector would) against off (METRICS_ENABLED=false, LOG_LEVEL=error), two servers
 * on the same corpus, rounds interleaved (ABBA) so that drifting load falls on both; medians of the
 * round p50s. Then a scrape of /metrics with 1,000 collections: its time and size, with the
 * default label cap (METRICS_MAX_COLLECTIONS=100) and with every collection labelled.
 *
 * The models are the tiny generated ones (test/fixtures/models): a search costs little, so the
 * fixed cost of metrics and logging weighs more than it would with a real embedding model. This
 * is the worst case for the ratio.
 *
 * Usage: npm run bench:ops [-- --rounds N] [-- --searches N] [-- --collections N] [-- --skip-build]
 * Writes bench/results/ops.{md,json}.
 */
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
} from './lib/bench-run';
import { fmt, table } from './lib/markdown';
import { summarize } from './lib/stats';
import { ServerProcess } from '../test/support/server-process';
import { SeededRandom } from '../test/support/seeded-random';
import { TINY_ENV, tinyModelsPresent } from '../test/support/tiny-models';

const WORDS = (
  'orbit moon planet star comet galaxy nebula telescope gravity rocket engine fuel wing lift drag ' +
  'pressure wave shock flow boundary layer turbulence vortex heat shield satellite signal antenna ' +
  'crew mission launch landing surface crater dust ice rock metal cloud storm wind ocean tide'
).split(' ');

function corpus(n: number, rnd: SeededRandom): { id: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 3 }, () =>
      Array.from({ length: 12 }, () => WORDS[rnd.int(WORDS.length)]).join(' '),
    ).join('. '),
  }));
}

async function searchRound(server: ServerProcess, queries: string[]): Promise<number[]> {
  const ms: number[] = [];
  for (const q of queries) {
    const r = await server.post<unknown>('/v1/collections/bench/search', { query: q, topK: 5 });
    if (r.status !== 200) throw new Error(`search answered ${r.status}`);
    ms.push(r.ms);
  }
  return ms;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = intArg(argv, 'rounds', 12, 2);
  const searches = intArg(argv, 'searches', 250, 10);
  const collections = intArg(argv, 'collections', 1000, 1);
  tinyModelsPresent();
  const { m, workDir } = await startBench('ops', argv.includes('--skip-build'));
  const base = { ...TINY_ENV, PRELOAD_MODELS: 'true', RERANK_MODEL: 'tiny/rerank' };
  const on = await ServerProcess.start(
    ROOT,
    { ...base, STORAGE_DIR: path.join(workDir, 'on'), METRICS_ENABLED: 'true', LOG_LEVEL: 'log' },
    path.join(workDir, 'server-on.log'),
  );
  const off = await ServerProcess.start(
    ROOT,
    {
      ...base,
      STORAGE_DIR: path.join(workDir, 'off'),
      METRICS_ENABLED: 'false',
      LOG_LEVEL: 'error',
    },
    path.join(workDir, 'server-off.log'),
  );
  const docs = corpus(300, new SeededRandom(15));
  for (const s of [on, off]) {
    await s.waitForEmbeddingReady(60_000);
    await s.post('/v1/collections', { name: 'bench' });
    for (let i = 0; i < docs.length; i += 50)
      await s.post('/v1/collections/bench/documents', { documents: docs.slice(i, i + 50) });
  }
  progress(
    `corpus of ${docs.length} documents in both servers; ${rounds} rounds of ${searches} searches`,
  );
  const rnd = new SeededRandom(7);
  const queries = Array.from({ length: searches }, () =>
    Array.from({ length: 3 }, () => WORDS[rnd.int(WORDS.length)]).join(' '),
  );
  await searchRound(on, queries.slice(0, 50)); // warm-up
  await searchRound(off, queries.slice(0, 50));
  const p50 = { on: [] as number[], off: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order) {
      const s = summarize(await searchRound(which === 'on' ? on : off, queries));
      p50[which].push(s.p50);
    }
    progress(`round ${r + 1}: on ${fmt(p50.on.at(-1), 2)} ms, off ${fmt(p50.off.at(-1), 2)} ms`);
  }
  const median = (v: number[]) => summarize(v).p50;
  const onMs = median(p50.on);
  const offMs = median(p50.off);
  const overhead = (onMs / offMs - 1) * 100;
  const logLines = on.log
    .split('\n')
    .filter((l) => l.includes('"msg":"POST /v1/collections/bench/search 200"')).length;
  await off.stop();

  // 1,000 collections, one small document each, on the metrics server.
  progress(`creating ${collections} collections`);
  for (let i = 0; i < collections; i++) {
    const name = `c${String(i).padStart(4, '0')}`;
    await on.post('/v1/collections', { name });
    await on.post(`/v1/collections/${name}/documents`, { documents: [docs[i % docs.length]] });
  }
  const scrape = async (server: ServerProcess) => {
    const times: number[] = [];
    let bytes = 0;
    let series = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.baseUrl}/metrics`);
      const text = await res.text();
      times.push(performance.now() - t0);
      bytes = Buffer.byteLength(text);
      series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    }
    return { ...summarize(times), bytes, series };
  };
  const capped = await scrape(on);
  progress(`scrape, cap 100: ${fmt(capped.p50, 1)} ms, ${capped.bytes} bytes`);
  await on.stop();
  const all = await ServerProcess.start(
    ROOT,
    {
      ...base,
      STORAGE_DIR: path.join(workDir, 'on'),
      METRICS_MAX_COLLECTIONS: String(collections + 1),
    },
    path.join(workDir, 'server-all.log'),
  );
  await all.waitForHealth(120_000);
  const uncapped = await scrape(all);
  progress(
    `scrape, every collection labelled: ${fmt(uncapped.p50, 1)} ms, ${uncapped.bytes} bytes`,
  );
  await all.stop();

  m.uptimeAfter = shell('uptime', []);
  const md = [
    '# Operator surface: cost of metrics and logging, and a scrape with many collections',
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `POST /v1/collections/bench/search (hybrid, topK 5, tiny models, ${docs.length} documents), one client, ${rounds} interleaved rounds of ${searches} searches per server; the median of the round p50s:`,
    '',
    table(
      ['server', 'p50 ms (median of rounds)', 'round p50s ms'],
      [
        ['metrics + request logs on', fmt(onMs, 2), p50.on.map((v) => fmt(v, 2)).join(', ')],
        ['both off', fmt(offMs, 2), p50.off.map((v) => fmt(v, 2)).join(', ')],
      ],
    ),
    '',
    `Overhead: ${fmt(overhead, 1)}% (target <= 3%). ${logLines} request log lines were written by the server with logs on.`,
    '',
    `GET /metrics with ${collections} collections (20 scrapes):`,
    '',
    table(
      ['labels', 'p50 ms', 'max ms', 'bytes', 'samples'],
      [
        [
          'METRICS_MAX_COLLECTIONS=100 (default)',
          fmt(capped.p50, 1),
          fmt(capped.max, 1),
          String(capped.bytes),
          String(capped.series),
        ],
        [
          `every collection (${collections + 1})`,
          fmt(uncapped.p50, 1),
          fmt(uncapped.max, 1),
          String(uncapped.bytes),
          String(uncapped.series),
        ],
      ],
    ),
    '',
  ].join('\n');
  writeResults('ops', md, {
    rounds,
    searches,
    p50,
    onMs,
    offMs,
    overhead,
    capped,
    uncapped,
    machine: m,
  });
  console.log(`\n${md}`);
}

runMain(main);
