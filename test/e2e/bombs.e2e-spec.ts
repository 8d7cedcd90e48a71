/**
 * Bombs against the built server as a process: each is refused as one file with its reason,
 * quickly, without the server's peak memory (VmHWM, worker threads included) climbing far, and a
 * tiny text file uploaded while the bomb is on its way is not held up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deepHtml, pdfBomb, wideCsv, zipBombDocx } from '../support/bomb-files';
import { hugePng, pdfWithHugeImage } from '../support/image-bombs';
import { ServerProcess, killAllServers } from '../support/server-process';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');

interface Upload {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  ms: number;
}

async function upload(base: string, data: Buffer, filename: string): Promise<Upload> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), filename);
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/collections/bombs/documents`, { method: 'POST', body: form });
  const body = (await res.json()) as Upload['body'];
  return { status: res.status, body, ms: performance.now() - t0 };
}

/** The bomb and, 50 ms later, a tiny text file; both results. */
async function bombAndBystander(base: string, data: Buffer, filename: string, n: number) {
  const bomb = upload(base, data, filename);
  await new Promise((r) => setTimeout(r, 50));
  const tiny = await upload(base, Buffer.from(`A small note number ${n}.`), `note${n}.txt`);
  return { bomb: await bomb, tiny };
}

describe('bombs as fast refusals (e2e, process)', () => {
  let sut: ServerProcess;
  let baselineMb: number;
  const figures: string[] = [];

  beforeAll(async () => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
    sut = await ServerProcess.start(
      ROOT,
      // OCR on (TINY_ENV has it off) for the image bombs; no file here gets as far as recognition.
      { ...TINY_ENV, OCR: 'on', STORAGE_DIR: tempDir(), MAX_FILE_BYTES: String(24 * 1024 * 1024) },
      path.join(tempDir('ragd-logs-'), 'bombs.log'),
    );
    await sut.waitForEmbeddingReady(60_000);
    expect((await sut.post('/v1/collections', { name: 'bombs' })).status).toBe(201);
    // Warm the parser workers (both lanes) with ordinary files.
    expect((await upload(sut.baseUrl, Buffer.from('Warm up.'), 'w.txt')).status).toBe(201);
    baselineMb = sut.memory().vmHwmMb;
  }, 90_000);

  afterAll(() => {
    // The figures for bench/RESULTS.md.
    console.log(`bombs (baseline peak RSS ${baselineMb.toFixed(0)} MB):\n${figures.join('\n')}`);
    killAllServers();
  });

  it.each([
    [
      'DOCX zip bomb (1 GB of spaces)',
      () => zipBombDocx(1024),
      'bomb.docx',
      413,
      /ARCHIVE_MAX_UNCOMPRESSED_BYTES/,
    ],
    ['DOCX lying about its size', () => zipBombDocx(300, true), 'liar.docx', 413, /declares/],
    ['HTML 30,000 divs deep', () => deepHtml(30_000), 'deep.html', 422, /MARKUP_MAX_DEPTH/],
    [
      'PDF compression bomb (160 MiB page)',
      () => pdfBomb(160),
      'bomb.pdf',
      413,
      /PDF_MAX_DECOMPRESSED_BYTES/,
    ],
    [
      'PNG declaring 900 megapixels',
      () => hugePng(30_000, 30_000),
      'huge.png',
      413,
      /OCR_MAX_PIXELS/,
    ],
    [
      'PDF painting a 900-megapixel image (not decoded)',
      () => pdfWithHugeImage(30_000, 30_000),
      'huge-image.pdf',
      422,
      /no extractable text/,
    ],
  ])(
    '%s: refused fast, memory flat, a tiny file meanwhile not delayed',
    async (name, make, filename, status, reason) => {
      const data = await make();
      const { bomb, tiny } = await bombAndBystander(sut.baseUrl, data, filename, figures.length);
      const peakMb = sut.memory().vmHwmMb;
      figures.push(
        `| ${name} | ${(data.length / 1024).toFixed(0)} KB | ${bomb.status} | ${bomb.ms.toFixed(0)} ms | ${peakMb.toFixed(0)} MB | ${tiny.ms.toFixed(0)} ms |`,
      );
      expect(bomb.status).toBe(status);
      expect(bomb.body.error?.message).toMatch(reason);
      expect(bomb.ms).toBeLessThan(3000);
      expect(peakMb).toBeLessThan(baselineMb + 200);
      expect(tiny.status).toBe(201);
      expect(tiny.ms).toBeLessThan(1500);
    },
  );

  it('a CSV with a million columns (values in ten) is stored with its column names capped, and its hits are small', async () => {
    const data = wideCsv(1_000_000);
    const { bomb, tiny } = await bombAndBystander(sut.baseUrl, data, 'wide.csv', figures.length);
    const peakMb = sut.memory().vmHwmMb;
    figures.push(
      `| CSV, 1,000,000 columns | ${(data.length / 1024).toFixed(0)} KB | ${bomb.status} | ${bomb.ms.toFixed(0)} ms | ${peakMb.toFixed(0)} MB | ${tiny.ms.toFixed(0)} ms |`,
    );
    expect(tiny.status).toBe(201);
    expect(tiny.ms).toBeLessThan(1500);
    expect(bomb.status).toBe(201);
    expect(bomb.ms).toBeLessThan(30_000);
    // csv-parse holds the million names while it reads them; the worker's heap limit bounds that.
    expect(peakMb).toBeLessThan(baselineMb + 400);
    const search = await fetch(`${sut.baseUrl}/v1/collections/bombs/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'v1', topK: 10, mode: 'lexical' }),
    });
    const text = await search.text();
    expect(search.status).toBe(200);
    // Each hit's metadata is at most 64 KB: ten hits stay far from the 99 MB of before.
    expect(text.length).toBeLessThan(10 * 70_000);
    {
      const doc = await sut.get<{ metadata: Record<string, unknown> }>(
        `/v1/collections/bombs/documents/${(bomb.body.documents as { id: string }[])[0]!.id}`,
      );
      expect(doc.body.metadata.columnCount).toBe(1_000_000);
    }
  }, 120_000);

  it('is alive and answers /health after all of them', async () => {
    expect((await sut.get('/health')).status).toBe(200);
  });
});
