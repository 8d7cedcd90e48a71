import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SETTING_NAMES } from '../../src/config/settings';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const ADMIN = 'an-admin-key-from-the-environment-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The built server as a user starts it, on HOST=0.0.0.0, with `env`. */
function start(
  env: Record<string, string>,
  port: number,
): { proc: ChildProcess; output: () => string } {
  let output = '';
  const proc = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !SETTING_NAMES.includes(k)),
      ),
      ...TINY_ENV,
      PRELOAD_MODELS: 'false',
      HOST: '0.0.0.0',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { proc, output: () => output };
}

async function waitFor(url: string, ms: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > ms) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exitOf = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.on('exit', (code) => resolve(code));
  });

describe('the built server beyond loopback (e2e, process)', () => {
  const running: ChildProcess[] = [];

  beforeAll(() => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
  });

  afterAll(() => {
    for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  });

  it('refuses to start on 0.0.0.0 with no key, naming RAGD_API_KEY', async () => {
    const { proc, output } = start({ STORAGE_DIR: tempDir() }, await freePort());
    running.push(proc);
    const code = await exitOf(proc);
    expect(code).not.toBe(0);
    expect(output()).toMatch(
      /Cannot start: HOST=0\.0\.0\.0 is not a loopback address.*RAGD_API_KEY/,
    );
  });

  it('starts on 0.0.0.0 with RAGD_API_KEY, and every request but the public ones needs it', async () => {
    const port = await freePort();
    const { proc } = start({ STORAGE_DIR: tempDir(), RAGD_API_KEY: ADMIN }, port);
    running.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health/live`, 20_000);
    expect((await fetch(`${base}/v1/collections`)).status).toBe(401);
    const ok = await fetch(`${base}/v1/collections`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(ok.status).toBe(200);
    proc.kill('SIGTERM');
    expect(await exitOf(proc)).toBe(0);
  });

  it('starts on 0.0.0.0 when a key exists in the database, without RAGD_API_KEY', async () => {
    const storage = tempDir();
    const app = await createTestApp({ ...TINY_ENV, PRELOAD_MODELS: 'false', STORAGE_DIR: storage });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const res = await fetch(`${url.replace('[::1]', '127.0.0.1')}/v1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', scopes: ['admin'] }),
    });
    expect(res.status).toBe(201);
    const { key } = (await res.json()) as { key: string };
    await app.close();

    const port = await freePort();
    const { proc } = start({ STORAGE_DIR: storage }, port);
    running.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/health/live`, 20_000);
    expect((await fetch(`${base}/v1/collections`)).status).toBe(401);
    expect(
      (await fetch(`${base}/v1/collections`, { headers: { Authorization: `Bearer ${key}` } }))
        .status,
    ).toBe(200);
    proc.kill('SIGTERM');
    expect(await exitOf(proc)).toBe(0);
  });
});
