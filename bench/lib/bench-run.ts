/**
 * What every benchmark script needs around its measurements: the machine and its load, progress
 * lines with the time since start, running a command (the build) with its output kept quiet unless
 * it fails, and a main function that leaves no server process behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fmt } from './markdown';
import { killAllServers } from './server-process';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

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

const t0 = performance.now();

/** Seconds since the script started. */
export function elapsedSeconds(): number {
  return (performance.now() - t0) / 1000;
}

/** Prints a line prefixed with [mm:ss] since the script started. */
export function progress(message: string): void {
  const s = elapsedSeconds();
  console.log(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(0).padStart(2, '0')}] ${message}`,
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
