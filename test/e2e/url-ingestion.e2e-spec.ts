import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { LocalSite, startLocalSite } from '../support/local-site';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const PAGE = `<!doctype html><html><head><title>Travel handbook</title><script>var tracking = 1;</script></head>
<body><nav>Home | About</nav><main><h1>Travel</h1><h2>Taxis</h2><p>Taxis need a receipt to be refunded.</p>
<h2>Trains</h2><p>The night train is allowed for trips over six hours.</p></main><footer>Copyright</footer></body></html>`;

describe('adding a document by URL (e2e, local web server)', () => {
  let site: LocalSite;
  let base: string;
  const apps: INestApplication<App>[] = [];

  beforeAll(async () => {
    tinyModelsPresent();
    site = await startLocalSite((req, res) => {
      if (req.url === '/handbook.html')
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      else if (req.url === '/big.txt')
        res.writeHead(200, { 'content-type': 'text/plain' }).end('word '.repeat(2000));
      else if (req.url === '/to-metadata')
        res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      else res.writeHead(404).end();
    });
    base = site.base;
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await site.close();
  });

  async function start(env: Record<string, string>): Promise<INestApplication<App>> {
    const app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), ...env });
    apps.push(app);
    await request(app.getHttpServer()).post('/v1/collections').send({ name: 'web' }).expect(201);
    return app;
  }

  it('refuses a local address unless URL_FETCH_ALLOW names it', async () => {
    const app = await start({});
    const res = await request(app.getHttpServer())
      .post('/v1/collections/web/documents')
      .send({ url: `${base}/handbook.html` })
      .expect(403);
    expect(res.body.error.code).toBe('url_not_allowed');
    expect(res.body.error.message).toContain('127.0.0.1');
    const meta = await request(app.getHttpServer())
      .post('/v1/collections/web/documents')
      .send({ url: 'http://169.254.169.254/latest/meta-data/' })
      .expect(403);
    expect(meta.body.error.code).toBe('url_not_allowed');
    await request(app.getHttpServer())
      .post('/v1/collections/web/documents')
      .send({ url: 'file:///etc/passwd' })
      .expect(400);
    await request(app.getHttpServer())
      .post('/v1/collections/web/documents')
      .send({ url: 42 })
      .expect(400);
  });

  it('fetches, parses and indexes an allowed page, with its headings as sections', async () => {
    const app = await start({ URL_FETCH_ALLOW: '127.0.0.1', MAX_FILE_BYTES: '4096' });
    const http_ = () => request(app.getHttpServer());
    const res = await http_()
      .post('/v1/collections/web/documents')
      .send({ url: `${base}/handbook.html`, id: 'handbook' })
      .expect(201);
    expect(res.body.documents[0]).toMatchObject({ id: 'handbook', status: 'created' });
    const doc = await http_().get('/v1/collections/web/documents/handbook').expect(200);
    expect(doc.body).toMatchObject({
      title: 'Travel handbook',
      source: `${base}/handbook.html`,
      metadata: { url: `${base}/handbook.html` },
    });
    expect(doc.body.text).not.toContain('tracking');
    expect(doc.body.text).not.toContain('Copyright');
    const hit = await http_()
      .post('/v1/collections/web/search')
      .send({ query: 'taxi receipt', mode: 'lexical' })
      .expect(200);
    expect(hit.body.results[0]).toMatchObject({
      documentId: 'handbook',
      sectionPath: 'Travel > Taxis',
    });

    const big = await http_()
      .post('/v1/collections/web/documents')
      .send({ url: `${base}/big.txt` })
      .expect(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const bounced = await http_()
      .post('/v1/collections/web/documents')
      .send({ url: `${base}/to-metadata` })
      .expect(403);
    expect(bounced.body.error.code).toBe('url_not_allowed');
    const missing = await http_()
      .post('/v1/collections/web/documents')
      .send({ url: `${base}/nothing` })
      .expect(502);
    expect(missing.body.error.code).toBe('url_fetch_failed');
  });
});
