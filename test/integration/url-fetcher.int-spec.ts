import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UrlFetchError, fetchUrl, refusedAddress } from '../../src/ingestion/url-fetcher';

/** A local web server the test controls (these machines have no outside network). */
function serve(
  handler: http.RequestListener,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        base: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

const reasonOf = (e: unknown) =>
  e instanceof UrlFetchError ? e.reason : `not a UrlFetchError: ${String(e)}`;

describe('fetching URLs for ingestion, safely (integration, local server)', () => {
  let site: { base: string; close: () => Promise<void> };
  const LOCAL = { maxBytes: 1024, timeoutMs: 2000, maxRedirects: 2, allow: ['127.0.0.1'] };

  beforeAll(async () => {
    site = await serve((req, res) => {
      const hops = /^\/hop\/(\d+)$/.exec(req.url ?? '');
      if (hops) {
        const n = Number(hops[1]);
        res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/page.html' }).end();
      } else if (req.url === '/page.html') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<h1>Hello</h1><p>A page.</p>');
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(5000)); // no content-length checked before streaming: chunked
      } else if (req.url === '/declared-big') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '999999' }).end();
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial'); // never ends
      } else if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/report.pdf') {
        res
          .writeHead(200, {
            'content-type': 'application/pdf',
            'content-disposition': 'attachment; filename="q3 report.pdf"',
          })
          .end('%PDF-1.4');
      } else if (req.url === '/notes%E0%A4%A.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('notes');
      } else {
        res.writeHead(404).end();
      }
    });
  });

  afterAll(() => site.close());

  it('refuses loopback, private, link-local, metadata and unspecified addresses by default', async () => {
    for (const url of [
      `${site.base}/page.html`,
      'http://localhost:1/',
      'http://[::1]:1/',
      'http://[::ffff:127.0.0.1]:1/',
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/',
      'http://metadata.google.internal/',
    ]) {
      const e = await fetchUrl(url, { ...LOCAL, allow: [] }).catch((x: unknown) => x);
      expect([url, reasonOf(e)]).toEqual([url, 'address']);
    }
    expect(refusedAddress('93.184.216.34', 'example.com', [])).toBeUndefined();
    expect(refusedAddress('100.64.1.1', 'cgnat', [])).toMatch(/carrierGradeNat/);
    // Not globally routable IPv6: IPv4-compatible (::/96, as [::127.0.0.1] parses), NAT64, 6to4, Teredo.
    expect(refusedAddress('::7f00:1', '[::127.0.0.1]', [])).toMatch(/not global unicast/);
    expect(refusedAddress('64:ff9b::7f00:1', 'nat64', [])).toMatch(/rfc6052/);
    expect(refusedAddress('2002:7f00:1::1', '6to4', [])).toMatch(/6to4/);
    expect(refusedAddress('2001:0:7f00:1::', 'teredo', [])).toMatch(/teredo/);
    expect(refusedAddress('2606:4700::1', 'public6', [])).toBeUndefined();
  });

  it('fetches from an allowed host, following redirects up to the limit', async () => {
    const page = await fetchUrl(`${site.base}/hop/1`, LOCAL);
    expect(page).toMatchObject({
      url: `${site.base}/page.html`,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      fileName: 'page.html',
    });
    expect(page.body.toString()).toContain('<h1>Hello</h1>');
    expect(reasonOf(await fetchUrl(`${site.base}/hop/5`, LOCAL).catch((x: unknown) => x))).toBe(
      'redirects',
    );
  });

  it('checks every redirect again: an allowed site cannot bounce the fetch to the metadata service', async () => {
    expect(
      reasonOf(await fetchUrl(`${site.base}/to-metadata`, LOCAL).catch((x: unknown) => x)),
    ).toBe('address');
  });

  it('stops at the size limit, declared or streamed, and at the time limit', async () => {
    expect(reasonOf(await fetchUrl(`${site.base}/big`, LOCAL).catch((x: unknown) => x))).toBe(
      'too_large',
    );
    expect(
      reasonOf(await fetchUrl(`${site.base}/declared-big`, LOCAL).catch((x: unknown) => x)),
    ).toBe('too_large');
    const t0 = Date.now();
    expect(
      reasonOf(
        await fetchUrl(`${site.base}/slow`, { ...LOCAL, timeoutMs: 300 }).catch((x: unknown) => x),
      ),
    ).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('refuses other schemes and credentials, reports HTTP errors, and takes the file name from the response', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://127.0.0.1/x',
      'gopher://127.0.0.1/',
      `http://user:pw@127.0.0.1/`,
    ]) {
      expect(reasonOf(await fetchUrl(url, LOCAL).catch((x: unknown) => x))).toBe('scheme');
    }
    expect(reasonOf(await fetchUrl(`${site.base}/missing`, LOCAL).catch((x: unknown) => x))).toBe(
      'status',
    );
    const pdf = await fetchUrl(`${site.base}/report.pdf`, LOCAL);
    expect(pdf).toMatchObject({ contentType: 'application/pdf', fileName: 'q3 report.pdf' });
    // A path that is not valid percent-encoding keeps its name as written (it used to be a 500).
    const odd = await fetchUrl(`${site.base}/notes%E0%A4%A.txt`, LOCAL);
    expect(odd.fileName).toBe('notes%E0%A4%A.txt');
  });

  it('allows a private network by CIDR when configured', () => {
    expect(refusedAddress('10.1.2.3', 'intranet', ['10.0.0.0/8'])).toBeUndefined();
    expect(refusedAddress('10.1.2.3', 'intranet', ['192.168.0.0/16'])).toBe(
      'intranet resolves to 10.1.2.3 (private), which is not a public address',
    );
    expect(refusedAddress('10.1.2.3', 'intranet', ['intranet'])).toBeUndefined();
  });
});
