/**
 * The web app as the built server serves it (no browser needed): index.html at / and at client
 * routes, hashed assets, the server's own paths untouched, and the bundle's size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ServerProcess, killAllServers } from '../support/server-process';
import { TINY_ENV, tempDir } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const WEB = path.join(ROOT, 'dist/web');
const PAGE = { accept: 'text/html,application/xhtml+xml' };

describe('the web app served by the built server (e2e, process)', () => {
  let server: ServerProcess;
  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${p}`, { headers });

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB, 'index.html')))
      throw new Error('dist/web is missing: run `npm run build` first');
    server = await ServerProcess.start(
      ROOT,
      { ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' },
      path.join(tempDir(), 'server.log'),
    );
    await server.waitForHealth(30_000);
  });

  afterAll(async () => {
    await server?.stop();
    killAllServers();
  });

  it('answers / and client routes with the app page, under a same-origin policy', async () => {
    const index = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
    for (const p of ['/', '/collections', '/collections/handbook/ask?session=x']) {
      const res = await get(p, p === '/' ? {} : PAGE);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(
        /default-src 'self'.*frame-ancestors 'none'/,
      );
      expect(await res.text()).toBe(index);
    }
  });

  it('serves the hashed assets for good, and a missing one is a 404', async () => {
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(
      fs.readFileSync(path.join(WEB, 'index.html'), 'utf8'),
    )?.[1];
    expect(script).toBeDefined();
    const res = await get(script!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/missing-0000.js', PAGE)).status).toBe(404);
  });

  it('leaves the API, Swagger and health where they are', async () => {
    const api = await get('/v1/nothing', PAGE);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await get('/v1/collections')).headers.get('content-type')).toMatch(/json/);
    const docs = await get('/docs', PAGE);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
    expect((await get('/docs-json')).headers.get('content-type')).toMatch(/json/);
    expect((await get('/health', PAGE)).headers.get('content-type')).toMatch(/json/);
    // Without a page's Accept header an unknown path is the API's 404, not the app.
    const curl = await get('/collections/handbook', { accept: '*/*' });
    expect(curl.status).toBe(404);
  });

  it('ships at most 500 kB gzipped of scripts and styles, the pdf.js worker aside', () => {
    const assets = fs.readdirSync(path.join(WEB, 'assets'));
    const counted = assets.filter((f) => /\.(js|css)$/.test(f) && !f.startsWith('pdf.worker'));
    expect(counted.some((f) => f.startsWith('pdf.renderer'))).toBe(true); // pdf.js is counted
    const gzipped = counted.reduce(
      (n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(WEB, 'assets', f))).length,
      0,
    );
    expect(gzipped).toBeLessThan(500 * 1024);
  });
});
