/**
 * Model downloads against a hub on loopback (test/support/fake-hub.ts) serving the tiny generated
 * models: progress, resume after a cut, refusal of a corrupted file, explained 404/401, and a
 * downloaded model that loads and embeds. No test reaches the real hub.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSettings, type Settings } from '../../src/config/settings';
import type { DownloadEvent } from '../../src/engines/adapters/transformers/download/download-job';
import { HubClient } from '../../src/engines/adapters/transformers/download/hub-client';
import { ModelDownloads } from '../../src/engines/adapters/transformers/download/model-downloads.service';
import { LocalModelPool } from '../../src/engines/adapters/transformers/local-model-pool';
import type { ModelStatus } from '../../src/engines/model-status';
import { ConnectProxy } from '../support/connect-proxy';
import { FakeHub } from '../support/fake-hub';
import { TINY_ENV, TINY_MODELS_DIR, tempDir, tinyModelsPresent } from '../support/test-app';

const EMBED = 'tiny/embed';
const WEIGHTS = 'onnx/model.onnx';

describe('Model downloads from a hub on loopback (integration)', () => {
  let hub: FakeHub;

  beforeAll(async () => {
    tinyModelsPresent();
    hub = await FakeHub.start({
      [EMBED]: { dir: path.join(TINY_MODELS_DIR, 'tiny/embed') },
      'tiny/chat': { dir: path.join(TINY_MODELS_DIR, 'tiny/chat') },
      'gated/embed': { dir: path.join(TINY_MODELS_DIR, 'tiny/embed'), token: 'hf_secret' },
    });
  });

  afterAll(() => hub.close());

  /** A pool and its downloads on an empty MODELS_DIR, downloading from the fake hub. */
  function setup(env: Record<string, string> = {}) {
    const modelsDir = tempDir('ragd-models-');
    const settings: Settings = loadSettings({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      MODELS_DIR: modelsDir,
      ALLOW_REMOTE_MODELS: 'true',
      HF_ENDPOINT: hub.url,
      EMBED_QUERY_WORKER: 'false',
      MODEL_DOWNLOAD_RETRY_MS: '50',
      PRELOAD_MODELS: 'false',
      ...env,
    });
    const downloads = new ModelDownloads(settings);
    const pool = new LocalModelPool(settings, downloads);
    pool.onApplicationBootstrap();
    const events: DownloadEvent[] = [];
    downloads.subscribe((e) => events.push(e));
    return {
      modelsDir,
      downloads,
      pool,
      events,
      close: async () => {
        await pool.onApplicationShutdown();
        await downloads.onApplicationShutdown();
      },
    };
  }

  /** Samples the model's state every 10 ms until it is no longer downloading (or `until`). */
  async function follow(
    pool: LocalModelPool,
    id: string,
    until: (s: ModelStatus) => boolean = (s) => s.state === 'ready',
    timeoutMs = 20_000,
  ): Promise<ModelStatus[]> {
    const seen: ModelStatus[] = [];
    const t0 = Date.now();
    for (;;) {
      const s = await pool.ensure('embedding', id, 'fp32');
      seen.push(s);
      if (until(s)) return seen;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`timed out; last state: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('downloads a missing model with progress rising to 100%, then loads it and it embeds', async () => {
    hub.throttle(2_000_000);
    const { pool, downloads, modelsDir, events, close } = setup();
    try {
      const first = await pool.ensure('embedding', EMBED, 'fp32');
      expect(first.state).toBe('downloading'); // not waited for: callers fall back meanwhile
      const seen = await follow(pool, EMBED);
      const percents = seen
        .map((s) => s.download?.percent)
        .filter((p): p is number => typeof p === 'number');
      expect(percents.length).toBeGreaterThan(3);
      expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(percents[percents.length - 1]).toBeGreaterThan(90);
      expect(downloads.job(EMBED, 'fp32')?.view()).toMatchObject({ state: 'done', percent: 100 });
      const during = seen.find((s) => s.download?.state === 'downloading' && s.download.bytesDone);
      expect(during?.reason).toMatch(/^downloading from http:\/\/127\.0\.0\.1:\d+: .* of .*%/);
      expect(during?.download?.bytesTotal).toBe(
        ['config.json', 'tokenizer.json', 'tokenizer_config.json', WEIGHTS]
          .map((f) => hub.file(EMBED, f).content.length)
          .reduce((a, b) => a + b),
      );
      expect(seen[seen.length - 1]!.state).toBe('ready');
      expect(events.map((e) => e.type)).toEqual(['started', 'done']);
      const weights = fs.readFileSync(path.join(modelsDir, EMBED, WEIGHTS));
      expect(weights.equals(hub.file(EMBED, WEIGHTS).content)).toBe(true);
      expect(fs.readdirSync(path.join(modelsDir, EMBED, 'onnx'))).toEqual(['model.onnx']);
      const { vectors } = await pool.embed(EMBED, 'fp32', ['hello world'], 'query');
      expect(vectors[0]!.length).toBeGreaterThan(0);
    } finally {
      hub.throttle(0);
      await close();
    }
  });

  it('resumes a download cut in the middle with a Range request, where it stopped', async () => {
    const cutAt = 700_000;
    hub.cutOnce(EMBED, WEIGHTS, cutAt);
    const before = hub.contentRequests(EMBED, WEIGHTS).length;
    const { pool, events, close } = setup();
    try {
      const seen = await follow(pool, EMBED);
      expect(seen[seen.length - 1]!.state).toBe('ready');
      const waiting = events.find((e) => e.type === 'waiting');
      expect(waiting && 'error' in waiting ? waiting.error.message : '').toMatch(
        new RegExp(`cut after ${cutAt} of \\d+ bytes of onnx/model.onnx of 'tiny/embed'`),
      );
      const cdn = hub
        .contentRequests(EMBED, WEIGHTS)
        .slice(before)
        .filter((r) => r.server === 'cdn');
      expect(cdn.map((r) => r.range ?? 'none')).toEqual(['none', `bytes=${cutAt}-`]);
    } finally {
      await close();
    }
  });

  it('refuses a file that does not match the published hash and leaves nothing under its name', async () => {
    const corruptHub = await FakeHub.start({
      [EMBED]: { dir: path.join(TINY_MODELS_DIR, 'tiny/embed') },
    });
    corruptHub.corrupt(EMBED, WEIGHTS);
    const { pool, modelsDir, close } = setup({
      HF_ENDPOINT: corruptHub.url,
      MODEL_DOWNLOAD_RETRY_MS: '600000',
    });
    try {
      const seen = await follow(pool, EMBED, (s) => s.state === 'unavailable');
      const last = seen[seen.length - 1]!;
      expect(last.reason).toMatch(
        /^download failed \(try 1\): onnx\/model\.onnx of 'tiny\/embed' does not match the sha256 the hub publishes .*refused and deleted; trying again in (\d+ s|1 min)$/,
      );
      expect(last.download?.state).toBe('waiting');
      const onnx = path.join(modelsDir, EMBED, 'onnx');
      expect(fs.readdirSync(onnx)).toEqual([]); // neither model.onnx nor model.onnx.part
      // The small files were verified and kept: the next try fetches only the weights.
      expect(fs.existsSync(path.join(modelsDir, EMBED, 'tokenizer.json'))).toBe(true);
    } finally {
      await close();
      await corruptHub.close();
    }
  });

  it('explains a model the hub does not have, and a precision it lacks, without retrying', async () => {
    const { pool, events, close } = setup();
    try {
      const missing = (await follow(pool, 'tiny/nope', (s) => s.state === 'unavailable')).pop()!;
      expect(missing.reason).toBe(
        `download failed: no model 'tiny/nope' on ${hub.url} (401 RepoNotFound): check the id; a private model also needs HF_TOKEN`,
      );
      const q8 = await (async () => {
        await pool.ensure('embedding', EMBED, 'q8');
        for (;;) {
          const s = pool.statusOf('embedding', EMBED, 'q8');
          if (s.state === 'unavailable') return s;
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      expect(q8.reason).toBe(
        `download failed: 'tiny/embed' has no q8 weights on ${hub.url} (no onnx/model_quantized.onnx); it has: fp32`,
      );
      expect(events.filter((e) => e.type === 'waiting')).toEqual([]);
      expect(events.filter((e) => e.type === 'failed')).toHaveLength(2);
    } finally {
      await close();
    }
  });

  it('says a gated model needs HF_TOKEN, and downloads it with the token, never sent to the CDN', async () => {
    const anonymous = setup();
    try {
      const s = (
        await follow(anonymous.pool, 'gated/embed', (x) => x.state === 'unavailable')
      ).pop()!;
      expect(s.reason).toBe(
        `download failed: 'gated/embed' is a gated model (401 from ${hub.url}, no HF_TOKEN): accept its terms on its page on the hub, then set HF_TOKEN to a token of that account`,
      );
    } finally {
      await anonymous.close();
    }
    const before = hub.requests.length;
    const withToken = setup({ HF_TOKEN: 'hf_secret' });
    try {
      const seen = await follow(withToken.pool, 'gated/embed');
      expect(seen[seen.length - 1]!.state).toBe('ready');
      const sent = hub.requests.slice(before);
      const toHub = sent.filter((r) => r.server === 'hub');
      const toCdn = sent.filter((r) => r.server === 'cdn');
      expect(toHub.length).toBeGreaterThan(0);
      expect(toCdn.length).toBeGreaterThan(0);
      expect(toHub.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
      expect(toCdn.every((r) => r.authorization === undefined)).toBe(true);
    } finally {
      await withToken.close();
    }
  });

  it('says the disk is full when a write fails with ENOSPC, keeps nothing under the final name, and tries again', async () => {
    const { pool, modelsDir, close } = setup({ MODEL_DOWNLOAD_RETRY_MS: '600000' });
    // The weights' partial file is /dev/full: every write to it fails with ENOSPC, as on a full disk.
    const onnx = path.join(modelsDir, EMBED, 'onnx');
    fs.mkdirSync(onnx, { recursive: true });
    fs.symlinkSync('/dev/full', path.join(onnx, 'model.onnx.part'));
    try {
      const last = (await follow(pool, EMBED, (s) => s.state === 'unavailable')).pop()!;
      expect(last.reason).toMatch(
        /^download failed \(try 1\): no space left in MODELS_DIR \(writing onnx\/model\.onnx of 'tiny\/embed'\): free some space or point MODELS_DIR at a larger disk; the download resumes where it stopped; trying again in (\d+ s|1 min)$/,
      );
      expect(last.download?.state).toBe('waiting');
      expect(fs.existsSync(path.join(onnx, 'model.onnx'))).toBe(false);
    } finally {
      await close();
    }
  });

  it('goes through HTTP_PROXY, and around it for hosts in NO_PROXY', async () => {
    const proxy = await ConnectProxy.start();
    const client = (noProxy?: string) =>
      new HubClient({
        endpoint: hub.url,
        timeoutMs: 5000,
        proxy: { http: proxy.url, ...(noProxy ? { noProxy } : {}) },
        userAgent: 'ragd-test',
      });
    const proxied = client();
    const direct = client('127.0.0.1');
    try {
      const repo = await proxied.repo(EMBED, 'main');
      expect(repo.commit).toBe(hub.commit(EMBED));
      expect(proxy.tunnels).toEqual([new URL(hub.url).host]);
      await direct.repo(EMBED, 'main');
      expect(proxy.tunnels).toHaveLength(1);
    } finally {
      await proxied.close();
      await direct.close();
      await proxy.close();
    }
  });
});
