import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { makeDocx, makePdf } from '../support/document-files';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

interface Hit {
  documentId: string;
  text: string;
  start: number;
  end: number;
  sectionPath: string | null;
  pageStart: number | null;
  pageEnd: number | null;
}

const MARKDOWN = `# Field guide

How to use this guide.

## Methods

### Training

The falcons train every morning on the northern ridge. Each session lasts two hours.

### Feeding

Quail is given after training. Water is always available.

## Results

Most falcons fly well after six weeks.
`;

/** A two-page PDF: the second page opens section 2 and talks about glaciers. */
const PAPER = makePdf([
  {
    texts: [
      { x: 150, y: 740, text: 'Ice and Rivers', size: 18, bold: true },
      { x: 72, y: 700, text: '1 Introduction', size: 12, bold: true },
      { x: 72, y: 680, text: 'Rivers carry melt water from the mountains to the sea.' },
      { x: 72, y: 668, text: 'This paper measures how fast that water moves.' },
    ],
  },
  {
    texts: [
      { x: 72, y: 740, text: '2 Glaciers', size: 12, bold: true },
      { x: 72, y: 720, text: 'Glaciers retreat about thirty metres every summer.' },
      { x: 72, y: 708, text: 'The retreat exposes moraines of grey gravel.' },
    ],
  },
]);

describe('uploading each format: structure kept in chunks, search results and citations (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const upload = (name: string, data: Buffer | string, fields: Record<string, string> = {}) => {
    let req = http().post('/v1/collections/library/documents');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', Buffer.from(data), name);
  };
  const search = async (query: string, mode = 'lexical'): Promise<Hit[]> =>
    (await http().post('/v1/collections/library/search').send({ query, mode, topK: 3 }).expect(200))
      .body.results as Hit[];

  beforeAll(async () => {
    tinyModelsPresent();
    // No generator: answers are extractive, so their citations are deterministic.
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: tempDir(),
      GENERATION_MODEL: 'tiny/absent',
    });
    await http().post('/v1/collections').send({ name: 'library' }).expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('Markdown: chunks, search hits and citations carry their section path', async () => {
    const res = await upload('guide.md', MARKDOWN, { id: 'guide' }).expect(201);
    expect(res.body.embedding.state).toBe('done');
    const doc = await http().get('/v1/collections/library/documents/guide').expect(200);
    expect(doc.body).toMatchObject({
      title: 'Field guide',
      contentType: 'text/markdown',
      text: MARKDOWN,
    });
    for (const c of doc.body.chunks) {
      expect(MARKDOWN.slice(c.start, c.end)).toBe(c.text);
      expect(c).toMatchObject({ pageStart: null, pageEnd: null });
    }
    const feeding = doc.body.chunks.find((c: Hit) => c.text.includes('Quail'));
    expect(feeding.sectionPath).toBe('Field guide > Methods > Feeding');
    expect(feeding.text).not.toMatch(/falcons train|six weeks/);

    for (const mode of ['lexical', 'hybrid']) {
      const [top] = await search('falcons train northern ridge', mode);
      expect(top).toMatchObject({
        documentId: 'guide',
        sectionPath: 'Field guide > Methods > Training',
        pageStart: null,
      });
    }
    const ask = await http()
      .post('/v1/collections/library/ask')
      .send({ question: 'How long does each training session last?' })
      .expect(200);
    expect(ask.body.mode).toBe('extractive');
    expect(ask.body.citations[0]).toMatchObject({
      documentId: 'guide',
      sectionPath: 'Field guide > Methods > Training',
      pageStart: null,
      pageEnd: null,
    });
  });

  it('PDF: search hits and citations carry their pages and section', async () => {
    await upload('ice.pdf', PAPER, { id: 'ice' }).expect(201);
    const doc = await http().get('/v1/collections/library/documents/ice').expect(200);
    expect(doc.body).toMatchObject({
      title: 'Ice and Rivers',
      contentType: 'application/pdf',
      metadata: { pages: 2, filename: 'ice.pdf' },
    });
    // In document order, each section on its page (a section may take several chunks).
    const places = doc.body.chunks.map((c: Hit) => `${c.sectionPath} p${c.pageStart}-${c.pageEnd}`);
    expect([...new Set(places)]).toEqual(['null p1-1', '1 Introduction p1-1', '2 Glaciers p2-2']);
    const [top] = await search('glaciers retreat summer');
    expect(top).toMatchObject({
      documentId: 'ice',
      sectionPath: '2 Glaciers',
      pageStart: 2,
      pageEnd: 2,
    });
    const ask = (neighbors: number) =>
      http()
        .post('/v1/collections/library/ask')
        .send({ question: 'How far do glaciers retreat every summer?', neighbors })
        .expect(200);
    const cited = (await ask(0)).body.citations.find((c: Hit) => c.documentId === 'ice');
    expect(cited).toMatchObject({ sectionPath: '2 Glaciers', pageStart: 2, pageEnd: 2 });
    // Widened by neighbouring chunks back to page 1: the citation spans both pages.
    const widened = (await ask(3)).body.citations.find((c: Hit) => c.documentId === 'ice');
    expect(widened).toMatchObject({ sectionPath: '2 Glaciers', pageStart: 1, pageEnd: 2 });
  });

  it('HTML and DOCX: headings become section paths; plain text has none', async () => {
    await upload(
      'page.html',
      '<html><body><nav>Menu</nav><main><h1>Bees</h1><h2>Hives</h2><p>A hive holds one queen bee.</p></main></body></html>',
      { id: 'bees' },
    ).expect(201);
    const docx = makeDocx([
      { text: 'Boats', style: 'Title' },
      { text: 'Sails', style: 'Heading1' },
      { text: 'The mainsail is hoisted before leaving the harbour.' },
    ]);
    await upload('boats.docx', docx, { id: 'boats' }).expect(201);
    expect((await search('hive queen bee'))[0]).toMatchObject({
      documentId: 'bees',
      sectionPath: 'Bees > Hives',
    });
    expect((await search('mainsail hoisted harbour'))[0]).toMatchObject({
      documentId: 'boats',
      sectionPath: 'Sails',
    });
    const boats = await http().get('/v1/collections/library/documents/boats').expect(200);
    expect(boats.body).toMatchObject({
      title: 'Boats',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });

    await upload('notes.txt', '# not a heading in plain text\n\nCopper kettles whistle loudly.', {
      id: 'notes',
    }).expect(201);
    expect((await search('copper kettles whistle'))[0]).toMatchObject({
      documentId: 'notes',
      sectionPath: null,
      pageStart: null,
      pageEnd: null,
    });
  });

  it('CSV: each chunk holds whole rows with their header; JSON: text fields chosen per upload', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i},Station ${i},${i % 2 ? 'river' : 'lake'} gauge reading ${i * 3}`,
    );
    await upload('stations.csv', `id,name,note\n${rows.join('\n')}\n`, { id: 'stations' }).expect(
      201,
    );
    const csv = await http().get('/v1/collections/library/documents/stations').expect(200);
    expect(csv.body.chunks.length).toBeGreaterThan(1);
    for (const c of csv.body.chunks) {
      expect(c.text).toMatch(/^id: \d+\nname: Station \d+\nnote: /);
      expect(c.sectionPath).toBeNull();
    }
    expect(csv.body.metadata).toMatchObject({ columns: ['id', 'name', 'note'], rows: 30 });

    const json = {
      headline: 'Tides',
      story: { body: 'The tide turns twice a day at the old pier.' },
      author: 'Ann',
    };
    await upload('tides.json', JSON.stringify(json), {
      id: 'tides',
      textFields: 'story.body',
    }).expect(201);
    const tides = await http().get('/v1/collections/library/documents/tides').expect(200);
    expect(tides.body).toMatchObject({
      text: 'The tide turns twice a day at the old pier.',
      metadata: { headline: 'Tides', author: 'Ann' },
    });
    await upload('bad.json', '{}', { textFields: ',,' }).expect(400);
  });

  it('refuses a PDF with no text layer with 422 no_extractable_text, and stores nothing', async () => {
    const before = (await http().get('/v1/collections/library').expect(200)).body.counts.documents;
    const res = await upload('scan.pdf', makePdf([{ image: true }]), { id: 'scan' }).expect(422);
    expect(res.body.error).toMatchObject({
      code: 'no_extractable_text',
      message: expect.stringMatching(/no extractable text.*OCR is off/),
    });
    await http().get('/v1/collections/library/documents/scan').expect(404);
    expect((await http().get('/v1/collections/library').expect(200)).body.counts.documents).toBe(
      before,
    );
  });

  it('refuses password-protected and damaged files with 422, an unknown collection with 404, and reads a PDF by its signature whatever its name', async () => {
    const locked = await upload(
      'locked.pdf',
      makePdf([{ texts: [{ x: 72, y: 700, text: 'Secret.' }] }], { encrypted: true }),
    ).expect(422);
    expect(locked.body.error.code).toBe('encrypted_document');
    const damaged = await upload(
      'notes.docx',
      Buffer.concat([makeDocx([{ text: 'x' }]).subarray(0, 300), Buffer.from('word/document.xml')]),
    ).expect(422);
    expect(damaged.body.error.code).toBe('corrupt_document');
    await http()
      .post('/v1/collections/nowhere/documents')
      .attach('file', PAPER, 'ice.pdf')
      .expect(404);
    await upload(
      'renamed.txt',
      makePdf([{ texts: [{ x: 72, y: 700, text: 'Owls hunt at dusk.' }] }]),
      { id: 'owls' },
    ).expect(201);
    expect(
      (await http().get('/v1/collections/library/documents/owls').expect(200)).body,
    ).toMatchObject({ contentType: 'application/pdf', text: 'Owls hunt at dusk.' });
  });

  it('documents the new fields in the OpenAPI schemas', async () => {
    const { schemas } = (await http().get('/docs-json').expect(200)).body.components;
    for (const name of ['ChunkDto', 'SearchHitDto', 'CitationDto']) {
      expect(Object.keys(schemas[name].properties)).toEqual(
        expect.arrayContaining(['sectionPath', 'pageStart', 'pageEnd']),
      );
      expect(schemas[name].properties.pageStart).toMatchObject({ nullable: true });
    }
  });
});

describe('documents chunked by estimate keep their structure when chunked again with the tokenizer (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const storage = tempDir();

  afterAll(async () => {
    await app?.close();
  });

  it('re-chunks along the stored sections once the model is available', async () => {
    tinyModelsPresent();
    app = await createTestApp({
      ...TINY_ENV,
      STORAGE_DIR: storage,
      MODELS_DIR: tempDir('ragd-empty-models-'),
    });
    await http().post('/v1/collections').send({ name: 'later' }).expect(201);
    await http()
      .post('/v1/collections/later/documents')
      .attach('file', Buffer.from(MARKDOWN), 'guide.md')
      .field('id', 'guide')
      .expect(201);
    const estimated = await http().get('/v1/collections/later/documents/guide').expect(200);
    expect(
      estimated.body.chunks.every((c: { tokenCounter: string }) => c.tokenCounter === 'estimate'),
    ).toBe(true);
    await app.close();

    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage });
    const t0 = Date.now();
    let counts = (await http().get('/v1/collections/later').expect(200)).body.counts;
    while (counts.pending > 0 && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      counts = (await http().get('/v1/collections/later').expect(200)).body.counts;
    }
    expect(counts.pending).toBe(0);
    const doc = await http().get('/v1/collections/later/documents/guide').expect(200);
    expect(
      doc.body.chunks.every((c: { tokenCounter: string }) => c.tokenCounter === 'tiny/embed'),
    ).toBe(true);
    const paths = doc.body.chunks.map((c: Hit) => c.sectionPath);
    expect(paths).toEqual(
      expect.arrayContaining([
        'Field guide > Methods > Training',
        'Field guide > Methods > Feeding',
        'Field guide > Results',
      ]),
    );
    expect(doc.body.chunks.find((c: Hit) => c.text.includes('Quail')).sectionPath).toBe(
      'Field guide > Methods > Feeding',
    );
  });
});
