import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');

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

async function waitFor(url: string, ms: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > ms) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the built server as a user runs it (e2e, process)', () => {
  let proc: ChildProcess | undefined;
  let base: string;
  let output = '';

  beforeAll(async () => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...TINY_ENV,
        LOG_LEVEL: 'log',
        PORT: String(port),
        STORAGE_DIR: tempDir(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(`${base}/health`, 20_000);
  });

  afterAll(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  });

  const post = (p: string, body: unknown) =>
    fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('serves the curl quickstart: create, add, search, ask (compiled worker threads)', async () => {
    expect((await post('/v1/collections', { name: 'quick' })).status).toBe(201);
    const add = await post('/v1/collections/quick/documents', {
      documents: [
        { id: 'd1', text: 'The moon moves around the earth once a month. The sun is a star.' },
      ],
    });
    expect(add.status).toBe(201);
    expect(((await add.json()) as { embedding: { state: string } }).embedding.state).toBe('done');
    const search = (await (
      await post('/v1/collections/quick/search', { query: 'moon around the earth' })
    ).json()) as {
      mode: string;
      results: { documentId: string }[];
    };
    expect(search.mode).toBe('hybrid');
    expect(search.results[0]!.documentId).toBe('d1');
    const ask = (await (
      await post('/v1/collections/quick/ask', { question: 'What moves around the earth?' })
    ).json()) as {
      mode: string;
      citations: { documentId: string }[];
    };
    expect(ask.mode).toBe('generative');
    expect(ask.citations[0]!.documentId).toBe('d1');
    const docs = await fetch(`${base}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it('shuts down cleanly on SIGTERM, writing the index snapshot', async () => {
    const exited = new Promise<number | null>((resolve) =>
      proc!.on('exit', (code) => resolve(code)),
    );
    proc!.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(output).toMatch(/Listening on http:\/\/127\.0\.0\.1/);
  });
});

describe('the built server on a bad setting (e2e, process)', () => {
  it('refuses to start, exits 2 and names each bad variable, with no stack trace', () => {
    const sut = spawnSync(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PORT: 'abc',
        EMBED_BATCH_SIZE: '0',
        STORAGE_DIR: tempDir(),
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(sut.status).toBe(2);
    expect(sut.stderr).toContain('Invalid configuration:');
    expect(sut.stderr).toMatch(/PORT="abc": /);
    expect(sut.stderr).toMatch(/EMBED_BATCH_SIZE="0": Too small/);
    expect(sut.stderr).not.toMatch(/\n\s+at /);
  });
});
