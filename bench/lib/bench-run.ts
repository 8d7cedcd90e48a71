/**
 * What every benchmark script needs around its measurements: the machine and its load, progress
 * lines with the time since start, running a command (the build) with its output kept quiet unless
 * it fails, and a main function that leaves no server process behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fmt } from './markdown';
import { killAllServers } from '../../test/support/server-process';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Where bench/models/make-bench-models.ts puts the random-weight models of real shapes (git-ignored). */
export const BENCH_MODELS_DIR = path.join(ROOT, 'bench', '.models');

export interface Machine {
  cpu: string;
  cores: number;
  totalMemoryGb: number;
  node: string;
  platform: string;
  date: string;
  uptimeBefore: string;
  uptimeAfter?: string;
  gitCommit: string;
  srcModified: boolean;
}

/** A command's trimmed output, or '?' if it fails. */
export function shell(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '?';
  }
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? '?',
    cores: cpus.length,
    totalMemoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    uptimeBefore: shell('uptime', []),
    gitCommit: shell('git', ['rev-parse', '--short', 'HEAD']),
    srcModified: shell('git', ['status', '--porcelain', '--', 'src']) !== '',
  };
}

/** The machine, the commit and the load before and after, as report lines (markdown). */
export function machineLines(m: Machine, totalSeconds: number): string[] {
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.totalMemoryGb, 1)} GB RAM, Node ${m.node}, ${m.platform}. ` +
      `Commit ${m.gitCommit}${m.srcModified ? ' (src/ had uncommitted changes)' : ''}. Whole run: ${fmt(totalSeconds / 60, 1)} min.`,
    '',
    `Load: before \`${m.uptimeBefore}\`; after \`${m.uptimeAfter ?? '?'}\` (other work on the machine makes timings noisy).`,
  ];
}

/** The value of `--name value` or `--name=value`, if given. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** An integer option of at least `min`, `fallback` when not given. */
export function intArg(
  argv: readonly string[],
  name: string,
  fallback: number,
  min: number,
): number {
  const n = Number(argValue(argv, name) ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

const t0 = performance.now();

/** Seconds since the script started. */
export function elapsedSeconds(): number {
  return (performance.now() - t0) / 1000;
}

/** Prints a line prefixed with [mm:ss] since the script started. */
export function progress(message: string): void {
  const s = elapsedSeconds();
  console.log(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}] ${message}`,
  );
}

/** Runs a command, its output shown only if it fails. Rejects with the exit code. */
export function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          Object.assign(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`), {
            exitCode: code,
          }),
        );
    });
  });
}

/**
 * Runs a benchmark's main function: every server it started is SIGKILLed when the script ends,
 * however it ends (an error, Ctrl-C, SIGTERM), and an error exits with status 1 after its stack.
 */
export function runMain(main: () => Promise<void>): void {
  process.on('exit', killAllServers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    killAllServers();
    process.exit(1);
  });
}

/**
 * Prints the machine and its load, then builds dist/ (unless `skipBuild` and it exists) and makes
 * a work folder bench/.work/<name>-<date>/. Returns the machine (its date names the folder).
 */
export async function startBench(
  name: string,
  skipBuild: boolean,
): Promise<{ m: Machine; workDir: string }> {
  const m = machine();
  progress(`${m.cpu}, ${m.cores} cores, Node ${m.node}; ${m.uptimeBefore}`);
  if (skipBuild && fs.existsSync(path.join(ROOT, 'dist', 'main.js'))) {
    progress('--skip-build: using the existing dist/');
  } else {
    progress('npm run build');
    await run('npm', ['run', 'build']);
  }
  const workDir = path.join(ROOT, 'bench', '.work', `${name}-${m.date.replace(/[:.]/g, '-')}`);
  fs.mkdirSync(workDir, { recursive: true });
  return { m, workDir };
}

/** Writes a report as bench/results/<name>.md and its data as bench/results/<name>.json. */
export function writeResults(name: string, md: string, data: unknown): void {
  const out = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, `${name}.md`), md);
  fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(data, null, 2));
}
