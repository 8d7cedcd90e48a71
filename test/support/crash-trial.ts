/**
 * Crash trials against the built server (`node dist/main.js`), shared by `npm run crash`
 * (bench/crash.ts, the long form, which prints them with bench/lib/crash-tables.ts) and
 * test/e2e/crash.e2e-spec.ts (the short form in CI).
 *
 * One storage folder serves every trial, so each trial starts from the state the previous crash
 * left. A trial: concurrent clients write (crash-workload.ts); at a random moment the server is
 * killed with SIGKILL; sometimes the restarted server is killed again while it recovers; the last
 * restart embeds whatever is pending and readies its index; then crash-check.ts compares storage,
 * index and search with what the clients were told. Index snapshots are written every second
 * (INDEX_SNAPSHOT_INTERVAL_MS=1000, the lowest allowed) so kills land during snapshot writes too.
 * After the last trial the server is stopped cleanly and started once more, to check the snapshot
 * it wrote at shutdown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAfterRestart, CheckResult, IndexReport } from './crash-check';
import {
  COLLECTION,
  InFlightRequest,
  Ledger,
  runClient,
  TrackedDocument,
  WorkloadCounts,
} from './crash-workload';
import { ServerProcess } from './server-process';
import { SeededRandom } from './seeded-random';

export interface CrashOptions {
  /** The folder holding dist/main.js. */
  root: string;
  /** Model settings of the server (the tiny test models). */
  env: Record<string, string>;
  /** Storage and server logs go here. */
  workDir: string;
  trials: number;
  clients: number;
  seed: number;
  /** The server is killed this many ms (uniform in the range) after the clients start. */
  killAfterMs: readonly [number, number];
  /** Chance that the restarted server is killed again, 0-1.5 s after it was spawned. */
  recoveryKillChance: number;
  /** How long a (re)started server may take to be ready with nothing pending; default 120 s. */
  readyTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface TrialResult extends WorkloadCounts, CheckResult {
  trial: number;
  killAfterMs: number;
  /** When the recovering server was killed again: ms after it was spawned. */
  recoveryKillMs?: number;
  inFlight: number;
  inFlightRequests: InFlightRequest[];
  /** Every request and how it ended (status, or in flight at the kill). */
  requestLog: string[];
  /** 1 when the index did not hold exactly the stored vectors. */
  indexMismatches: number;
  /** How the restarted server opened the index (its log line). */
  recovery: string;
  /** From spawning the last restart to pending 0 and the index ready. */
  recoveryMs: number;
}

export interface CrashTotals {
  trials: number;
  requests: number;
  acknowledgedWrites: number;
  acknowledgedDeletes: number;
  inFlight: number;
  inFlightApplied: number;
  rejected: number;
  losses: number;
  resurrections: number;
  halfPresent: number;
  indexMismatches: number;
  recoveryKills: number;
}

export interface CrashRun {
  trials: TrialResult[];
  totals: CrashTotals;
  /** The start after a clean stop following the last trial. */
  cleanRestart: { recovery: string; index: IndexReport };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runCrashTrials(opts: CrashOptions): Promise<CrashRun> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const storage = path.join(opts.workDir, 'storage');
  const logs = path.join(opts.workDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const sqliteFile = path.join(storage, 'ragd.sqlite');
  const env = {
    ...opts.env,
    STORAGE_DIR: storage,
    LOG_LEVEL: 'log',
    NO_COLOR: '1',
    INDEX_SNAPSHOT_INTERVAL_MS: '1000',
  };
  const start = (name: string) =>
    ServerProcess.start(opts.root, env, path.join(logs, `${name}.log`));
  const schedule = new SeededRandom(opts.seed); // kill times: the same for a seed, whatever happens
  const sampling = new SeededRandom(opts.seed + 2);
  const ledger = new Ledger(new SeededRandom(opts.seed + 1));
  const mine: TrackedDocument[][] = Array.from({ length: opts.clients }, () => []);
  let nextId = 0;

  let server = await start('0-first');
  await server.waitForEmbeddingReady(readyTimeoutMs);
  const created = await server.post(`/v1/collections`, { name: COLLECTION });
  if (created.status !== 201) throw new Error(`creating the collection: HTTP ${created.status}`);

  const trials: TrialResult[] = [];
  for (let t = 1; t <= opts.trials; t++) {
    const counts: WorkloadCounts = {
      requests: 0,
      acknowledgedWrites: 0,
      acknowledgedDeletes: 0,
      rejected: 0,
    };
    const inFlight: InFlightRequest[] = [];
    const requestLog: string[] = [];
    const problems: string[] = [];
    let stopped = false;
    const running = server;
    const ctx = {
      server: () => running,
      ledger,
      counts,
      inFlight,
      requestLog,
      problems,
      stopped: () => stopped,
    };
    const killAfterMs = schedule.uniform(opts.killAfterMs[0], opts.killAfterMs[1]);
    const clients = mine.map((docs, k) =>
      runClient(ctx, k, docs, new SeededRandom(opts.seed * 1000 + t * 100 + k), () => nextId++),
    );
    await sleep(killAfterMs);
    stopped = true;
    await running.kill();
    await Promise.all(clients);

    const recoveryKillMs =
      schedule.next() < opts.recoveryKillChance ? schedule.uniform(0, 1500) : undefined;
    if (recoveryKillMs !== undefined) {
      const interrupted = await start(`${t}-interrupted`);
      await sleep(recoveryKillMs);
      await interrupted.kill();
    }
    server = await start(`${t}-restart`);
    const recoveryMs = await waitRecovered(server, readyTimeoutMs);
    const check = await checkAfterRestart(server, sqliteFile, ledger, inFlight, sampling);
    const result: TrialResult = {
      trial: t,
      killAfterMs,
      ...(recoveryKillMs === undefined ? {} : { recoveryKillMs }),
      ...counts,
      inFlight: inFlight.length,
      inFlightRequests: inFlight,
      requestLog,
      ...check,
      indexMismatches: check.index.consistent ? 0 : 1,
      recovery: recoveryLine(server.log),
      recoveryMs,
      problems: [...problems, ...check.problems],
    };
    trials.push(result);
    opts.log?.(trialLine(result));
  }

  await server.stop();
  server = await start('clean-restart');
  await waitRecovered(server, readyTimeoutMs);
  const index = (await server.get<IndexReport>(`/v1/collections/${COLLECTION}/index`)).body;
  const cleanRestart = { recovery: recoveryLine(server.log), index };
  await server.stop();
  return { trials, totals: totalsOf(trials), cleanRestart };
}

/** Waits until the embedding model is ready, nothing is pending and the index is ready. */
async function waitRecovered(server: ServerProcess, timeoutMs: number): Promise<number> {
  await server.waitForEmbeddingReady(timeoutMs);
  for (;;) {
    const c = await server.get<{ counts: { pending: number }; index: { state: string } }>(
      `/v1/collections/${COLLECTION}`,
    );
    if (c.status === 200 && c.body.counts.pending === 0 && c.body.index.state === 'ready') break;
    if (performance.now() - server.spawnedAt > timeoutMs) {
      throw new Error(
        `not recovered within ${timeoutMs} ms: ${JSON.stringify(c.body)}\n${server.log.slice(-3000)}`,
      );
    }
    await sleep(50);
  }
  return performance.now() - server.spawnedAt;
}

/** How the server opened the collection's index, from its log (JSON lines: the message ends at its closing quote). */
function recoveryLine(log: string): string {
  const lines = [...log.matchAll(/Index of collection \d+: ([^"\n]*)/g)].map((m) => m[1]!.trim());
  const first = lines[0];
  if (!first) return 'no index (no vectors yet)';
  const rebuild = first.match(/rebuilding from (\d+) stored vectors in the background \((.*)\)/);
  if (rebuild) return `rebuilt from ${rebuild[1]} vectors (${rebuild[2]})`;
  const snapshot = first.match(
    /snapshot \(watermark \d+\) \+ (\d+) replayed, (\d+) deletions re-applied, (\d+) filled/,
  );
  return snapshot
    ? `snapshot + ${snapshot[1]} replayed, ${snapshot[2]} deletions, ${snapshot[3]} filled`
    : first;
}

export function totalsOf(trials: readonly TrialResult[]): CrashTotals {
  const sum = (f: (t: TrialResult) => number) => trials.reduce((a, t) => a + f(t), 0);
  return {
    trials: trials.length,
    requests: sum((t) => t.requests),
    acknowledgedWrites: sum((t) => t.acknowledgedWrites),
    acknowledgedDeletes: sum((t) => t.acknowledgedDeletes),
    inFlight: sum((t) => t.inFlight),
    inFlightApplied: sum((t) => t.inFlightApplied),
    rejected: sum((t) => t.rejected),
    losses: sum((t) => t.losses),
    resurrections: sum((t) => t.resurrections),
    halfPresent: sum((t) => t.halfPresent),
    indexMismatches: sum((t) => t.indexMismatches),
    recoveryKills: sum((t) => (t.recoveryKillMs === undefined ? 0 : 1)),
  };
}

function trialLine(t: TrialResult): string {
  return (
    `trial ${t.trial}: killed at ${t.killAfterMs.toFixed(0)} ms${t.recoveryKillMs === undefined ? '' : ` and at ${t.recoveryKillMs.toFixed(0)} ms into recovery`}; ` +
    `${t.acknowledgedWrites} writes and ${t.acknowledgedDeletes} deletes acknowledged, ${t.inFlight} in flight (${t.inFlightApplied} applied); ` +
    `losses ${t.losses}, resurrections ${t.resurrections}, half-present ${t.halfPresent}, index ${t.index.consistent ? 'consistent' : 'MISMATCH'}; ${t.recovery}` +
    (t.problems.length > 0 ? `\n  ${t.problems.slice(0, 10).join('\n  ')}` : '')
  );
}
