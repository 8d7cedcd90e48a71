/**
 * Crash test: concurrent clients add, replace and delete documents through the built server while
 * it is killed with SIGKILL at a random moment, trial after trial on the same storage; after each
 * restart, every acknowledged write must be whole, nothing half-written, nothing deleted back, and
 * the index must hold exactly the stored vectors (see test/support/crash-trial.ts and test/support/crash-check.ts).
 *
 * Usage: npm run crash [-- --trials N] [-- --clients N] [-- --seed N] [-- --skip-build] [-- --keep-work]
 * Defaults: 20 trials, 4 clients. Uses the tiny test models (`npm run test:models`).
 * Writes bench/results/crash.json (every figure) and bench/results/crash.md (the tables).
 * Work files (storage, server logs) go to bench/.work/crash-<date>/, removed after a clean run
 * unless --keep-work. Exits 1 when a trial finds a loss, a resurrection, a half-present document or
 * an index mismatch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TINY_ENV, tinyModelsPresent } from '../test/support/tiny-models';
import {
  elapsedSeconds,
  intArg,
  Machine,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
} from './lib/bench-run';
import { CrashOptions, CrashRun, runCrashTrials } from '../test/support/crash-trial';
import { totalsTable, trialTable } from './lib/crash-tables';

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

function parseArgs(argv: readonly string[]): {
  trials: number;
  clients: number;
  seed: number;
  skipBuild: boolean;
  keepWork: boolean;
} {
  return {
    trials: intArg(argv, 'trials', 20, 1),
    clients: intArg(argv, 'clients', 4, 1),
    seed: intArg(argv, 'seed', 20261124, 0),
    skipBuild: argv.includes('--skip-build'),
    keepWork: argv.includes('--keep-work'),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  tinyModelsPresent();
  const { m, workDir } = await startBench('crash', args.skipBuild);
  const options: CrashOptions = {
    root: ROOT,
    env: TINY_ENV,
    workDir,
    trials: args.trials,
    clients: args.clients,
    seed: args.seed,
    killAfterMs: [300, 4000],
    recoveryKillChance: 0.25,
    log: progress,
  };
  progress(
    `${options.trials} trials, ${options.clients} clients, kill ${options.killAfterMs.join('-')} ms after the clients start; work in ${path.relative(ROOT, workDir)}`,
  );
  const crash = await runCrashTrials(options);
  m.uptimeAfter = shell('uptime', []);
  const totalSeconds = elapsedSeconds();
  const settings: Settings = {
    trials: options.trials,
    clients: options.clients,
    seed: options.seed,
    killAfterMs: options.killAfterMs,
    recoveryKillChance: options.recoveryKillChance,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'crash.json'),
    `${JSON.stringify({ machine: m, settings, totalSeconds, ...crash }, null, 2)}\n`,
  );
  const md = report(crash, settings, m, totalSeconds);
  fs.writeFileSync(path.join(RESULTS_DIR, 'crash.md'), md);
  console.log(`\n${md}`);
  const t = crash.totals;
  const failed =
    t.losses + t.resurrections + t.halfPresent + t.indexMismatches + t.rejected > 0 ||
    !crash.cleanRestart.index.consistent;
  if (!failed && !args.keepWork) fs.rmSync(workDir, { recursive: true, force: true });
  progress(
    `done in ${(totalSeconds / 60).toFixed(1)} min; ${m.uptimeAfter}${failed ? `; FAILED, work kept in ${path.relative(ROOT, workDir)}` : ''}`,
  );
  if (failed) process.exitCode = 1;
}

type Settings = Pick<
  CrashOptions,
  'trials' | 'clients' | 'seed' | 'killAfterMs' | 'recoveryKillChance'
>;

function report(crash: CrashRun, settings: Settings, m: Machine, totalSeconds: number): string {
  const problems = crash.trials.flatMap((t) => t.problems.map((p) => `- trial ${t.trial}: ${p}`));
  return [
    `## Crash test (${m.date.slice(0, 10)})`,
    '',
    ...machineLines(m, totalSeconds),
    '',
    `Command: \`npm run crash -- --trials ${settings.trials} --clients ${settings.clients} --seed ${settings.seed}\`. ` +
      `The built server with the tiny test models, snapshots every second, ${settings.clients} clients writing without pause ` +
      `(POST of 1-3 documents with wait, PUT replace, PUT create, DELETE), SIGKILL ${settings.killAfterMs.join('-')} ms after the clients start, ` +
      `and in about ${Math.round(settings.recoveryKillChance * 100)}% of trials a second SIGKILL 0-1.5 s into the restart. One storage folder for all trials.`,
    '',
    '### Totals',
    '',
    totalsTable(crash.totals),
    '',
    '### Trials',
    '',
    trialTable(crash.trials),
    '',
    `Clean stop and start after the last trial: index opened from ${crash.cleanRestart.recovery}; ` +
      `${crash.cleanRestart.index.size} vectors, ${crash.cleanRestart.index.storedVectors} stored, consistent: ${crash.cleanRestart.index.consistent ? 'yes' : '**no**'}.`,
    '',
    '### Problems',
    '',
    ...(problems.length > 0 ? problems : ['None.']),
    '',
  ].join('\n');
}

runMain(main);
