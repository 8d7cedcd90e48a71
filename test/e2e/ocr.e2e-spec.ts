import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { App } from 'supertest/types';
import { characterErrorRate, makeFormPdf, makeMixedPdf } from '../support/scanned-documents';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

interface Hit {
  documentId: string;
  text: string;
  pageStart: number | null;
  pageEnd: number | null;
  ocrConfidence: number | null;
}

const PAGE_3 = [
  'Grey herons were seen nesting on the east bank in April.',
  'Seven nests held eggs and two were abandoned after the storm.',
];

describe('documents as people have them: scans, forms and tables (e2e, OCR on)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const upload = (name: string, data: Buffer, fields: Record<string, string> = {}) => {
    let req = http().post('/v1/collections/paper/documents');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', data, name);
  };
  const search = async (query: string): Promise<Hit[]> =>
    (
      await http()
        .post('/v1/collections/paper/search')
        .send({ query, mode: 'lexical', topK: 3 })
        .expect(200)
    ).body.results as Hit[];

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      OCR: 'on',
      OCR_SYNC_MAX_PAGES: '1',
      OCR_DPI: '200',
    });
    await http().post('/v1/collections').send({ name: 'paper' }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('finds a sentence of a scanned page 3 of a mixed PDF, citing page 3 with its OCR confidence', async () => {
    const pdf = await makeMixedPdf([
      { text: ['The report opens with a typed page that has a text layer.'] },
      { text: ['Its second page is typed too, about the weather of the spring.'] },
      { scan: PAGE_3, options: { rotate: 0.8 } },
    ]);
    await upload('survey.pdf', pdf, { id: 'survey' }).expect(201);
    const [hit] = await search('herons nesting east bank');
    expect(hit).toMatchObject({ documentId: 'survey', pageStart: 3, pageEnd: 3 });
    expect(hit!.ocrConfidence).toBeGreaterThan(60);
    expect(characterErrorRate(PAGE_3.join(' '), hit!.text)).toBeLessThanOrEqual(0.03);
    const doc = (await http().get('/v1/collections/paper/documents/survey').expect(200)).body as {
      metadata: { ocr: { pages: number[] } };
      chunks: { pageEnd: number; ocrConfidence: number | null }[];
    };
    expect(doc.metadata.ocr.pages).toEqual([3]);
    // Chunks of the text pages have none; those reaching the scanned page carry its confidence.
    expect(doc.chunks.length).toBeGreaterThan(1);
    for (const c of doc.chunks) expect(c.ocrConfidence !== null).toBe(c.pageEnd === 3);
  });

  it('answers a synchronous upload with more scanned pages than OCR_SYNC_MAX_PAGES with 413, and reads it as a job, page by page', async () => {
    const pdf = await makeMixedPdf([
      { scan: ['The minutes of the meeting of the allotment society.'] },
      { scan: ['Members agreed to plant beans along the northern fence.'] },
    ]);
    const refused = await upload('minutes.pdf', pdf).expect(413);
    expect(refused.body.error).toMatchObject({
      code: 'ocr_needs_job',
      message: expect.stringMatching(/POST \/v1\/collections\/\{name\}\/jobs/),
    });
    const accepted = (
      await http()
        .post('/v1/collections/paper/jobs')
        .field('idFromFilename', 'true')
        .attach('files', pdf, 'minutes.pdf')
        .expect(202)
    ).body as { id: string };
    const seen: { pagesDone: number; pages: number }[] = [];
    const end = Date.now() + 120_000;
    let state = '';
    while (!['done', 'failed', 'cancelled'].includes(state) && Date.now() < end) {
      const job = (await http().get(`/v1/jobs/${accepted.id}`).expect(200)).body as {
        state: string;
        current: { ocr?: { pagesDone: number; pages: number } } | null;
      };
      state = job.state;
      if (job.current?.ocr) seen.push(job.current.ocr);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('done');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.pages === 2 && p.pagesDone <= 2)).toBe(true);
    const [hit] = await search('beans northern fence');
    expect(hit).toMatchObject({ documentId: 'minutes.pdf', pageEnd: 2 });
    expect(hit!.ocrConfidence).toBeGreaterThan(60);
  });

  it('finds the values of a filled PDF form by search, with their field names', async () => {
    const form = await makeFormPdf({
      printed: ['Insurance claim', 'Claimant name', 'What happened'],
      fields: [
        { name: 'claimant', value: 'Grace Hopper', top: 120 },
        {
          name: 'narrative',
          value: 'I was traveling eastbound on J St in the right lane when a van reversed.',
          top: 240,
          multiline: true,
        },
      ],
    });
    await upload('claim.pdf', form, { id: 'claim' }).expect(201);
    const [hit] = await search('eastbound reversed van');
    expect(hit).toMatchObject({ documentId: 'claim', pageStart: 1 });
    expect(hit!.text).toContain('narrative: I was traveling eastbound on J St');
    expect((await search('Grace Hopper'))[0]!.text).toContain('claimant: Grace Hopper');
  });

  it('repeats the header row in every chunk of a long HTML table after the first', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) =>
        `<tr><td>Plot ${i}</td><td>Tenant ${i}</td><td>${i % 2 ? 'beans' : 'leeks'}</td></tr>`,
    ).join('');
    const html = `<!doctype html><html><body><main><h1>Plots</h1><table><tr><th>Plot</th><th>Tenant</th><th>Crop</th></tr>${rows}</table></main></body></html>`;
    await upload('plots.html', Buffer.from(html), { id: 'plots' }).expect(201);
    const doc = (await http().get('/v1/collections/paper/documents/plots').expect(200)).body as {
      chunks: { text: string }[];
    };
    expect(doc.chunks.length).toBeGreaterThan(2);
    for (const c of doc.chunks) expect(c.text).toMatch(/^(Plots\n\n)?Plot \| Tenant \| Crop\n/);
    // No row is cut between chunks.
    for (let i = 0; i < 40; i++)
      expect(doc.chunks.some((c) => c.text.includes(`Plot ${i} | Tenant ${i} |`))).toBe(true);
    const [hit] = await search('Plot 37 Tenant 37');
    expect(hit!.text.startsWith('Plot | Tenant | Crop\n')).toBe(true);
  });
});
