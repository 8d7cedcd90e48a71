/**
 * First run as a user sees it: the built server (dist/main.js) with an empty MODELS_DIR downloads
 * its default models from a hub on loopback (test/support/fake-hub.ts, selected with HF_ENDPOINT)
 * while it answers, shows the progress in /health, /v1/models and its log, and the ragd CLI
 * (dist/cli/main.js) pulls, lists and removes models, through the server or straight into a
 * folder. No test reaches the real hub.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeHub } from '../support/fake-hub';
import { ServerProcess, killAllServers } from '../support/server-process';
import { Samples, parsePrometheus, sample } from '../support/prometheus-text';
import { TINY_ENV, TINY_MODELS_DIR, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

interface ModelStatusBody {
  id: string;
  task: string;
  state: string;
  reason?: string;
  download?: {
    state: string;
    percent: number | null;
    bytesDone: number;
    bytesTotal: number | null;
  };
}
interface HealthBody {
  modes: { search: string; ask: string };
  models: ModelStatusBody[];
}
interface ModelView extends ModelStatusBody {
  dtype: string;
  dtypes: string[];
  source: string;
}

/** The CLI as a user runs it; async, so that the hub in this process keeps serving. */
function ragd(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir(), TZ: 'UTC', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const tiny = (name: string) => ({ dir: path.join(TINY_MODELS_DIR, 'tiny', name) });

describe('model downloads on first run: the built server and the ragd CLI against a hub on loopback (e2e, process)', () => {
  let hub: FakeHub;
  let server: ServerProcess;
  let modelsDir: string;

  beforeAll(async () => {
    tinyModelsPresent();
    for (const f of [path.join(ROOT, 'dist/main.js'), CLI])
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
    hub = await FakeHub.start({
      'tiny/embed': tiny('embed'),
      'tiny/chat': tiny('chat'),
      'tiny/rerank': tiny('rerank'),
      'tiny/embed-wide': tiny('embed-wide'),
    });
    hub.throttle(1_000_000); // a few seconds per model: long enough to watch
    modelsDir = tempDir('ragd-models-');
    server = await ServerProcess.start(
      ROOT,
      {
        ...TINY_ENV,
        STORAGE_DIR: tempDir(),
        MODELS_DIR: modelsDir,
        ALLOW_REMOTE_MODELS: 'true',
        HF_ENDPOINT: hub.url,
        EMBED_QUERY_WORKER: 'false',
        LOG_LEVEL: 'log',
      },
      path.join(tempDir(), 'server.log'),
    );
  });

  afterAll(async () => {
    await server?.stop();
    killAllServers();
    await hub?.close();
  });

  it('answers /health within 100 ms while the default models download, shows their progress, then serves with them', async () => {
    await server.waitForHealth(20_000);
    const healthMs: number[] = [];
    const states: string[] = [];
    let during: HealthBody | undefined;
    let listed: ModelView | undefined;
    let scraped: Samples | undefined;
    const t0 = Date.now();
    for (;;) {
      const { body, ms } = await server.get<HealthBody>('/health');
      healthMs.push(ms);
      const emb = body.models.find((m) => m.task === 'embedding')!;
      if (states[states.length - 1] !== emb.state) states.push(emb.state);
      const pct = emb.download?.percent;
      if (emb.state === 'downloading' && pct && pct > 0 && pct < 100 && !during) {
        during = body;
        listed = (await server.get<{ data: ModelView[] }>('/v1/models')).body.data.find(
          (m) => m.id === 'tiny/embed',
        );
        scraped = parsePrometheus(await (await fetch(`${server.baseUrl}/metrics`)).text());
      }
      if (body.models.filter((m) => m.id.startsWith('tiny/')).every((m) => m.state === 'ready'))
        break;
      if (Date.now() - t0 > 40_000) throw new Error(`not ready: ${JSON.stringify(body.models)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(Math.max(...healthMs)).toBeLessThan(100);
    expect(states).toContain('downloading');
    expect(states[states.length - 1]).toBe('ready');
    expect(states.indexOf('downloading')).toBeLessThan(states.indexOf('ready'));
    expect(during?.modes).toMatchObject({ search: 'lexical', ask: 'extractive' });
    expect(during?.modes).toMatchObject({
      searchReason: expect.stringMatching(
        /^embedding model tiny\/embed is downloading: downloading from http:\/\/127\.0\.0\.1:\d+: .* of 1\.8 MB \([\d.]+%\)/,
      ) as unknown,
    });
    const size = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']
      .map((f) => hub.file('tiny/embed', f).content.length)
      .reduce((a, b) => a + b);
    expect(listed).toMatchObject({ state: 'downloading', download: { bytesTotal: size } });
    const model = { model: 'tiny/embed', dtype: 'fp32' };
    expect(sample(scraped!, 'ragd_model_download_bytes', { ...model, kind: 'total' })).toBe(size);
    expect(sample(scraped!, 'ragd_model_download_bytes', { ...model, kind: 'done' })).toBeLessThan(
      size,
    );
    expect(
      sample(scraped!, 'ragd_model_state', { ...model, task: 'embedding', state: 'downloading' }),
    ).toBe(1);
    expect(server.log).toMatch(/Downloading tiny\/embed \(fp32\) from http:\/\/127\.0\.0\.1:\d+/);
    expect(server.log).toMatch(/Downloaded tiny\/embed \(fp32\): 1\.8 MB in \d+ s, verified/);
    const health = (await server.get<HealthBody>('/health')).body;
    expect(health.modes).toEqual({ search: 'hybrid', ask: 'generative' });
  }, 60_000);

  it('pulls with `ragd models pull` and a progress line, lists it, and removes it with `ragd models rm` unless loaded', async () => {
    const url = ['--url', server.baseUrl];
    const pull = await ragd(['models', 'pull', 'tiny/embed-wide', ...url]);
    expect(pull.out).toMatch(/^tiny\/embed-wide \(fp32\): [\d.]+ (kB|MB) of 2\.6 MB \([\d.]+%\)/m);
    expect(pull.out).toMatch(/tiny\/embed-wide \(fp32\): 2\.6 MB fetched and verified/);
    expect(pull.code).toBe(0);
    const view = await server.get<ModelView>('/v1/models/tiny/embed-wide?dtype=fp32');
    expect(view.body).toMatchObject({ state: 'available', source: 'models_dir', dtypes: ['fp32'] });

    const list = await ragd(['models', 'list', ...url]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^tiny\/embed-wide\s+embedding\s+fp32\s+2\.6 MB\s+available$/m);
    expect(list.out).toMatch(/^tiny\/embed\s+embedding\s+fp32\s+1\.7 MB\s+ready$/m);

    const busy = await ragd(['models', 'rm', 'tiny/embed', ...url]);
    expect(busy.code).toBe(2); // a 409: the server refused, not a usage error
    expect(busy.out).toMatch(/409 model_in_use: Model 'tiny\/embed' is in use: it is ready/);
    const rm = await ragd(['models', 'rm', 'tiny/embed-wide', ...url]);
    expect(rm.out).toBe('Removed tiny/embed-wide (2.6 MB freed)\n');
    expect(rm.code).toBe(0);
    expect(fs.existsSync(path.join(modelsDir, 'tiny', 'embed-wide'))).toBe(false);
  }, 30_000);

  it('explains a pull of a model the hub does not have, at once or in its state', async () => {
    const unknown = await server.post<{ error: { code: string; message: string } }>(
      '/v1/models/tiny/nope/pull',
      {},
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('model_hub_error');
    expect(unknown.body.error.message).toMatch(/no model 'tiny\/nope' on http:\/\/127\.0\.0\.1/);
    const asTask = await server.post<ModelView>('/v1/models/tiny/nope/pull', {
      task: 'embedding',
    });
    expect(asTask.status).toBe(202);
    let view = asTask.body;
    for (let i = 0; i < 100 && view.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      view = (await server.get<ModelView>('/v1/models/tiny/nope?dtype=fp32')).body;
    }
    expect(view).toMatchObject({ state: 'failed', download: { state: 'failed' } });
    expect(view.reason).toMatch(/^download failed: no model 'tiny\/nope' on .*: check the id/);
  });

  it('pulls into a folder with --models-dir, without a server, resuming a cut download', async () => {
    const dir = tempDir('ragd-offline-');
    const weights = 'onnx/model.onnx';
    hub.cutOnce('tiny/chat', weights, 500_000);
    const before = hub.contentRequests('tiny/chat', weights).length;
    const run = await ragd(
      ['models', 'pull', 'tiny/chat', '--dtype', 'fp32', '--models-dir', dir],
      {
        HF_ENDPOINT: hub.url,
        MODEL_DOWNLOAD_RETRY_MS: '100',
      },
    );
    expect(run.out).toMatch(/tiny\/chat: try 1 failed: the connection .* was cut after 500000 of/);
    expect(run.out).toMatch(/tiny\/chat: 2\.2 MB fetched and verified, in .*tiny\/chat/);
    expect(run.code).toBe(0);
    const ranges = hub
      .contentRequests('tiny/chat', weights)
      .slice(before)
      .filter((r) => r.server === 'cdn')
      .map((r) => r.range ?? 'none');
    expect(ranges).toEqual(['none', 'bytes=500000-']);
    const got = fs.readFileSync(path.join(dir, 'tiny', 'chat', weights));
    expect(got.equals(hub.file('tiny/chat', weights).content)).toBe(true);
    const list = await ragd(['models', 'list', '--models-dir', dir]);
    expect(list.out).toMatch(/^tiny\/chat\s+generation\s+fp32\s+2\.2 MB\s+on disk$/m);
  }, 30_000);
});
