/**
 * What the trust boundary costs a search: /search p50 with no key configured (open) against keys
 * on, searched with a key scoped `read:<pattern>` (Host and Origin middleware, bearer parsing,
 * SHA-256 of the key, constant-time comparison, scope match and the per-key rate limit of
 * @nestjs/throttler all run; RATE_LIMIT_PER_MINUTE is set high so that no request is refused).
 *
 * One built server, one client sending one search at a time, in rounds of two phases whose order
 * alternates: open (no key exists), and keys on (an admin key and a reader key made with POST
 * /v1/keys: on loopback the first key turns auth on; both revoked after the phase, so the server
 * is open again). One process for both phases, because two servers differ from each other by more
 * than 3% (two identical open servers, 30 rounds: median p50 ratio 1.05 and 1.32). The overhead is
 * the median over rounds of (p50 with keys / p50 open). The server's CPU time per search (the
 * scheduler's count over all its threads) is compared too, and the global guard alone is timed in
 * this process on both kinds of app in interleaved batches, which scheduling noise hardly blurs.
 * The tiny test models make a search cheap, so the share measured is larger than with a real model.
 *
 * Usage: npm run bench:auth [-- --rounds N] [-- --requests N] [-- --skip-build]
 * Run it under the bench lock: flock /tmp/ragd-bench.lock npm run bench:auth
 * Writes bench/results/auth-overhead.{md,json}.
 */
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SearchController } from '../src/retrieval/search.controller';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { AuthGuard } from '../src/auth/auth.guard';
import { createTestApp } from '../test/support/test-app';
import { TINY_ENV, tinyModelsPresent } from '../test/support/tiny-models';
import {
  ROOT,
  elapsedSeconds,
  intArg,
  machineLines,
  progress,
  runMain,
  shell,
  startBench,
  writeResults,
} from './lib/bench-run';
import { ServerProcess } from '../test/support/server-process';
import { shortQuestions } from './lib/short-questions';
import { summarize } from './lib/stats';

const ADMIN = 'bench-admin-key-0123456789abcdef0123456789';
const COLLECTION = 'bench-notes';

type Phase = 'open' | 'keys';

interface Round {
  round: number;
  first: Phase;
  openP50: number;
  keysP50: number;
  ratio: number;
}

/**
 * CPU time the process has used so far, all its threads (event loop, model workers, libuv pool),
 * in ms: the scheduler's own count in ns (/proc/<pid>/task/<tid>/schedstat), not tick samples.
 */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

async function call(
  server: ServerProcess,
  method: string,
  pathname: string,
  body: unknown,
  key?: string,
): Promise<{ status: number; ms: number; json: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${server.baseUrl}${pathname}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t0, json: text ? JSON.parse(text) : null };
}

/** The JSON of a call that must answer `status`. */
async function expect(
  what: string,
  status: number,
  pending: Promise<{ status: number; json: unknown }>,
): Promise<unknown> {
  const r = await pending;
  if (r.status !== status)
    throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

/** `queries` searches one after another; their latencies (ms). */
async function searches(
  server: ServerProcess,
  queries: readonly string[],
  key?: string,
): Promise<number[]> {
  const ms: number[] = [];
  for (const query of queries) {
    const path = `/v1/collections/${COLLECTION}/search`;
    const r = await call(server, 'POST', path, { query, topK: 5 }, key);
    if (r.status !== 200) throw new Error(`search answered ${r.status}: ${JSON.stringify(r.json)}`);
    ms.push(r.ms);
  }
  return ms;
}

interface Keys {
  admin: string;
  reader: string;
  /** Revoked in this order: the admin key last. */
  ids: string[];
}

/** Turns auth on: an admin key (the first key, made while open), then a reader key. */
async function keysOn(server: ServerProcess): Promise<Keys> {
  const admin = (await expect(
    'POST /v1/keys while open',
    201,
    call(server, 'POST', '/v1/keys', { name: 'bench admin', scopes: ['admin'] }),
  )) as { id: string; key: string };
  const reader = (await expect(
    'POST /v1/keys',
    201,
    call(
      server,
      'POST',
      '/v1/keys',
      { name: 'bench reader', scopes: ['write:other-*', 'read:bench-*'] },
      admin.key,
    ),
  )) as { id: string; key: string };
  return { admin: admin.key, reader: reader.key, ids: [reader.id, admin.id] };
}

/** Revokes the keys: the server runs open again. */
async function keysOff(server: ServerProcess, keys: Keys): Promise<void> {
  for (const id of keys.ids)
    await expect(
      'DELETE /v1/keys/{id}',
      204,
      call(server, 'DELETE', `/v1/keys/${id}`, undefined, keys.admin),
    );
}

/**
 * µs per AuthGuard.canActivate for a search route, on an open app and on one with keys (a key
 * scoped read:bench-*), in interleaved batches of `calls`; the first two batches warm up.
 */
async function guardAlone(workDir: string, batches: number, calls: number) {
  const make = async (keys: boolean) => {
    const app = await createTestApp({
      ...TINY_ENV,
      PRELOAD_MODELS: 'false',
      STORAGE_DIR: path.join(workDir, keys ? 'guard-keys' : 'guard-open'),
      ...(keys ? { RAGD_API_KEY: ADMIN, RATE_LIMIT_PER_MINUTE: '10000000' } : {}),
    });
    const key = keys
      ? app.get(ApiKeysService).create('r', ['write:other-*', 'read:bench-*'], undefined).key
      : 'unused';
    return { app, guard: app.get(AuthGuard), key, us: [] as number[] };
  };
  const arms = [await make(false), await make(true)];
  const context = (key: string) =>
    new ExecutionContextHost(
      [
        {
          headers: { authorization: `Bearer ${key}` },
          params: { name: COLLECTION },
          query: {},
          body: {},
        },
        Object.assign(new EventEmitter(), { header: () => undefined }),
        () => undefined,
      ],
      SearchController,
      SearchController.prototype.search,
    );
  for (let b = 0; b < batches + 2; b++) {
    for (const arm of b % 2 === 0 ? arms : [...arms].reverse()) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await arm.guard.canActivate(context(arm.key));
      if (b >= 2) arm.us.push(Number(process.hrtime.bigint() - t0) / calls / 1000);
    }
  }
  for (const arm of arms) await arm.app.close();
  return { open: summarize(arms[0]!.us).p50, keys: summarize(arms[1]!.us).p50 };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = intArg(argv, 'rounds', 30, 2);
  const requests = intArg(argv, 'requests', 150, 20);
  tinyModelsPresent();
  const { m, workDir } = await startBench('auth-overhead', argv.includes('--skip-build'));
  const server = await ServerProcess.start(
    ROOT,
    {
      ...TINY_ENV,
      PRELOAD_MODELS: 'true',
      LOG_LEVEL: 'warn',
      STORAGE_DIR: path.join(workDir, 'storage'),
      RATE_LIMIT_PER_MINUTE: '10000000',
    },
    path.join(workDir, 'server.log'),
  );
  await server.waitForHealth(60_000);
  progress('ingesting 400 documents');
  await expect(
    'POST /v1/collections',
    201,
    call(server, 'POST', '/v1/collections', { name: COLLECTION }),
  );
  for (let i = 0; i < 400; i += 50) {
    const documents = Array.from({ length: 50 }, (_, j) => ({
      id: `d${i + j}`,
      text: shortQuestions(6, 1000 + i + j).join(' '),
    }));
    const path = `/v1/collections/${COLLECTION}/documents`;
    await expect('POST .../documents', 201, call(server, 'POST', path, { documents }));
  }
  const queries = shortQuestions(requests, 99);
  progress('warm-up');
  await searches(server, queries.slice(0, 100));
  const warm = await keysOn(server);
  await searches(server, queries.slice(0, 100), warm.reader);
  const path1 = `/v1/collections/${COLLECTION}/search`;
  await expect('a search without a key, keys on', 401, call(server, 'POST', path1, { query: 'x' }));
  await keysOff(server, warm);

  const rows: Round[] = [];
  const cpu: Record<Phase, number> = { open: 0, keys: 0 };
  const phase = async (name: Phase): Promise<number> => {
    const keys = name === 'keys' ? await keysOn(server) : undefined;
    const before = cpuMs(server.pid);
    const p50 = summarize(await searches(server, queries, keys?.reader)).p50;
    cpu[name] += cpuMs(server.pid) - before;
    if (keys) await keysOff(server, keys);
    return p50;
  };
  for (let round = 0; round < rounds; round++) {
    const order: Phase[] = round % 2 === 0 ? ['open', 'keys'] : ['keys', 'open'];
    const p50: Partial<Record<Phase, number>> = {};
    for (const name of order) p50[name] = await phase(name);
    const openP50 = p50.open!;
    const keysP50 = p50.keys!;
    rows.push({ round: round + 1, first: order[0]!, openP50, keysP50, ratio: keysP50 / openP50 });
    progress(
      `round ${round + 1}/${rounds}: open p50 ${openP50.toFixed(3)} ms, keys p50 ${keysP50.toFixed(3)} ms`,
    );
  }
  await server.stop();
  progress('the guard alone, in this process');
  const guard = await guardAlone(workDir, 20, 5000);
  m.uptimeAfter = shell('uptime', []);

  const median = (xs: number[]) => summarize(xs).p50;
  const medianRatio = median(rows.map((r) => r.ratio));
  const searchesPerArm = rounds * requests;
  const cpuOpen = cpu.open / searchesPerArm;
  const cpuKeys = cpu.keys / searchesPerArm;
  const f = (x: number, d = 3) => x.toFixed(d);
  const md = [
    `## Auth overhead on /search (${new Date().toISOString().slice(0, 10)})`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Command: \`flock /tmp/ragd-bench.lock npm run bench:auth -- --rounds ${rounds} --requests ${requests}\`. Tiny test models, 400 documents, hybrid search, topK 5, one server, one client, ${requests} searches per phase, ${rounds} rounds alternating which phase goes first.`,
    '',
    '| round | first | open p50 ms | keys p50 ms | keys / open |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.round} | ${r.first} | ${f(r.openP50)} | ${f(r.keysP50)} | ${f(r.ratio)} |`,
    ),
    '',
    `Median p50: open ${f(median(rows.map((r) => r.openP50)))} ms, keys ${f(median(rows.map((r) => r.keysP50)))} ms; median of the per-round ratios ${f(medianRatio)} (overhead ${((medianRatio - 1) * 100).toFixed(1)}%; target <= 3%).`,
    '',
    `Server CPU time per search (all threads, scheduler count; ${searchesPerArm} searches each): open ${f(cpuOpen)} ms, keys ${f(cpuKeys)} ms (${((cpuKeys / cpuOpen - 1) * 100).toFixed(1)}%).`,
    '',
    `The global guard alone (AuthGuard.canActivate on the search route, in process, median of 20 interleaved batches of 5,000 calls): open ${f(guard.open, 2)} µs, keys ${f(guard.keys, 2)} µs a request; the difference, ${f(guard.keys - guard.open, 2)} µs, is ${(((guard.keys - guard.open) / 1000 / median(rows.map((r) => r.openP50))) * 100).toFixed(2)}% of the open /search p50 above.`,
    '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('auth-overhead', md, {
    machine: m,
    rounds: rows,
    medianRatio,
    cpuMsPerSearch: { open: cpuOpen, keys: cpuKeys },
    guardMicroseconds: guard,
  });
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
