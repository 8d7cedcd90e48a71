/**
 * The web app as the built server serves it (no browser needed): index.html at / and at client
 * routes, hashed assets, the server's own paths untouched, and the bundle's size. API keys are on
 * (RAGD_API_KEY): the page and its files load without one, so that the app can ask for it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ServerProcess, killAllServers } from '../support/server-process';
import { TINY_ENV, tempDir } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const WEB = path.join(ROOT, 'dist/web');
const PAGE = { accept: 'text/html,application/xhtml+xml' };
const ADMIN_KEY = 'web-serving-admin-key-0123456789abcdef';

describe('the web app served by the built server (e2e, process)', () => {
  let server: ServerProcess;
  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${p}`, { headers });

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB, 'index.html')))
      throw new Error('dist/web is missing: run `npm run build` first');
    server = await ServerProcess.start(
      ROOT,
      { ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false', RAGD_API_KEY: ADMIN_KEY },
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

  it('serves the page and its files without a key while the API needs one', async () => {
    const index = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
    const files = [...index.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    const worker = fs.readdirSync(path.join(WEB, 'assets')).find((f) => f.startsWith('pdf.worker'));
    expect(worker).toBeDefined();
    files.push(`/assets/${worker}`);
    expect(files.length).toBeGreaterThanOrEqual(3); // the script, the styles, the pdf.js worker
    for (const f of files) expect({ f, status: (await get(f)).status }).toEqual({ f, status: 200 });
    expect((await get('/collections/handbook', PAGE)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/`, { method: 'HEAD' })).status).toBe(200);

    const anonymous = await get('/v1/collections');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
      'unauthorized',
    );
    expect((await get('/v1/collections', { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(
      200,
    );
    // The app only reads: a state-changing request to its paths is not taken by it.
    expect((await fetch(`${server.baseUrl}/collections`, { method: 'POST' })).status).toBe(404);
  });

  it("lets the page's own requests change state, and refuses another origin's", async () => {
    const create = (origin: string, name: string) =>
      fetch(`${server.baseUrl}/v1/collections`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
          origin,
          'sec-fetch-site': origin === server.baseUrl ? 'same-origin' : 'cross-site',
        },
        body: JSON.stringify({ name }),
      });
    expect((await create(server.baseUrl, 'from-the-app')).status).toBe(201);
    const other = await create('http://127.0.0.1:1', 'from-elsewhere');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      'cross_site_request',
    );
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
