/**
 * The built server (`node dist/main.js`) as a child process, as a user runs it: started on
 * 127.0.0.1 and a free port, polled until it answers, measured (RSS from /proc) and stopped with
 * SIGTERM (or killed with SIGKILL, as a crash would). Used by the process-level e2e tests and by the
 * benchmarks (bench/ imports it from here; tests never import from bench/). Every server started
 * here is SIGKILLed by killAllServers() if the test or benchmark ends without stopping it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, WriteStream } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface ModelHealth {
  id: string;
  task: 'embedding' | 'generation' | 'reranking';
  state: 'not_loaded' | 'loading' | 'ready' | 'unavailable';
  reason?: string;
  loadMs?: number;
}

export interface Health {
  status: string;
  models: ModelHealth[];
}

export interface Memory {
  /** Resident set size now, MB. */
  vmRssMb: number;
  /** Peak resident set size since the process started, MB. */
  vmHwmMb: number;
}

export interface HttpResult<T> {
  status: number;
  body: T;
  /** Client-side time from sending the request to the parsed body, ms. */
  ms: number;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every server still running (for error paths and process exit). */
export function killAllServers(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ServerProcess {
  private output = '';
  /** Sent as `Authorization: Bearer` with every request of this class (a server with keys on). */
  apiKey?: string;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    /** performance.now() when the process was spawned. */
    readonly spawnedAt: number,
    logFile: WriteStream,
  ) {
    const collect = (d: Buffer) => {
      const text = d.toString();
      this.output += text;
      logFile.write(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(child);
        logFile.end();
        resolve();
      });
    });
  }

  /**
   * Spawns `node dist/main.js` in `root` with exactly `env` (plus PATH and HOME, not the rest of
   * the caller's environment, so no stray setting changes what is measured). HOST is forced to
   * 127.0.0.1 and PORT to a free port (or to `port`, to start a server again where it was). `as`
   * runs it as another user (root only).
   */
  static async start(
    root: string,
    env: Record<string, string>,
    logPath: string,
    as?: { uid: number; gid: number },
    port?: number,
  ): Promise<ServerProcess> {
    port ??= await freePort();
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TZ: 'UTC',
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
    };
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'dist', 'main.js')], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...as,
    });
    live.add(child);
    return new ServerProcess(
      child,
      `http://127.0.0.1:${port}`,
      spawnedAt,
      createWriteStream(logPath),
    );
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('server process has no pid');
    return this.child.pid;
  }

  get log(): string {
    return this.output;
  }

  /** Resolves when GET /health answers 200; returns ms since spawn. */
  async waitForHealth(timeoutMs: number): Promise<number> {
    await this.poll(
      'GET /health to answer',
      timeoutMs,
      async () => (await this.health()) !== undefined,
    );
    return performance.now() - this.spawnedAt;
  }

  /** Resolves when /health reports the embedding model ready; returns ms since spawn. */
  async waitForEmbeddingReady(timeoutMs: number): Promise<number> {
    return this.waitForModelReady('embedding', timeoutMs);
  }

  /** Resolves when /health reports the model of `task` ready; returns ms since spawn. */
  async waitForModelReady(task: ModelHealth['task'], timeoutMs: number): Promise<number> {
    await this.poll(`the ${task} model to be ready`, timeoutMs, async () => {
      const model = (await this.health())?.models.find((m) => m.task === task);
      if (model?.state === 'unavailable')
        throw new Error(`${task} model unavailable: ${model.reason ?? '?'}`);
      return model?.state === 'ready';
    });
    return performance.now() - this.spawnedAt;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Resolves with the first match of `pattern` in the server's output. */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    await this.poll(`a log line matching ${String(pattern)}`, timeoutMs, () => {
      match = this.output.match(pattern);
      return Promise.resolve(match !== null);
    });
    return match as unknown as RegExpMatchArray;
  }

  /** VmRSS and VmHWM of the server process (worker threads included: they share the process). */
  memory(): Memory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (key: string): number => {
      const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
      if (!m?.[1]) throw new Error(`${key} not found in /proc/${this.pid}/status`);
      return Number(m[1]);
    };
    return { vmRssMb: kb('VmRSS') / 1024, vmHwmMb: kb('VmHWM') / 1024 };
  }

  /** SIGTERM, then waits for exit (SIGKILL after timeoutMs). Returns ms to exit and the exit code. */
  async stop(timeoutMs = 60_000): Promise<{ ms: number; code: number | null }> {
    const t0 = performance.now();
    if (!this.exitInfo) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    return { ms: performance.now() - t0, code: this.exitInfo?.code ?? null };
  }

  /** SIGKILL, as a crash or a power cut would stop it (no shutdown hooks run); waits for exit. */
  async kill(): Promise<void> {
    if (!this.exitInfo) this.child.kill('SIGKILL');
    await this.exited;
  }

  async get<T>(pathname: string): Promise<HttpResult<T>> {
    return this.request<T>('GET', pathname);
  }

  async post<T>(pathname: string, body: unknown): Promise<HttpResult<T>> {
    return this.request<T>('POST', pathname, body);
  }

  async put<T>(pathname: string, body: unknown): Promise<HttpResult<T>> {
    return this.request<T>('PUT', pathname, body);
  }

  /** DELETE; the body is undefined for 204. */
  async delete<T = undefined>(pathname: string): Promise<HttpResult<T>> {
    return this.request<T>('DELETE', pathname);
  }

  private async request<T>(
    method: string,
    pathname: string,
    body?: unknown,
  ): Promise<HttpResult<T>> {
    const t0 = performance.now();
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: {
        ...this.authorization(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = (text === '' ? undefined : JSON.parse(text)) as T;
    return { status: res.status, body: parsed, ms: performance.now() - t0 };
  }

  private authorization(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }

  private async health(): Promise<Health | undefined> {
    try {
      const res = await fetch(`${this.baseUrl}/health`, { headers: this.authorization() });
      return res.ok ? ((await res.json()) as Health) : undefined;
    } catch {
      return undefined; // not listening yet
    }
  }

  private async poll(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
    const t0 = performance.now();
    for (;;) {
      if (await done()) return;
      if (this.exitInfo) {
        throw new Error(
          `server exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) while waiting for ${what}; output:\n${this.output.slice(-3000)}`,
        );
      }
      if (performance.now() - t0 > timeoutMs) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; output:\n${this.output.slice(-3000)}`,
        );
      }
      await sleep(25);
    }
  }
}
