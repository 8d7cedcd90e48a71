import {
  DocumentTooLargeError,
  InvalidInputError,
  NoExtractableTextError,
  OcrNeedsJobError,
  ParseTimeoutError,
} from '../../src/common/errors';
import { loadSettings } from '../../src/config/settings';
import { OcrProgress, ParsingService } from '../../src/ingestion/parsing.service';
import { makeDocx } from '../support/document-files';
import { hugePng, pdfWithHugeImage } from '../support/image-bombs';
import {
  characterErrorRate,
  makeFormPdf,
  makeMixedPdf,
  scanImage,
} from '../support/scanned-documents';
import { tempDir } from '../support/test-app';

const PAGE_2 = [
  'The second page was scanned from a typed letter in 1987.',
  'Its author asks the council to repair the bridge at Millford',
  'before the winter floods arrive, as they did two years ago.',
];
const PAGE_3 = [
  'Grey herons were seen nesting on the east bank in April.',
  'Seven nests held eggs; two were abandoned after the storm.',
  'The survey will be repeated next spring by the same team.',
];

/** The text of page n of a parsed document. */
const pageText = (
  doc: { text: string; pages: { page: number; start: number; end: number }[] },
  n: number,
) => {
  const p = doc.pages.find((x) => x.page === n)!;
  return doc.text.slice(p.start, p.end);
};

describe('OCR, forms and tables in the parse worker (integration: real tesseract.js, pdf.js, canvas)', () => {
  const storage = tempDir();
  const sut = new ParsingService(
    loadSettings({ STORAGE_DIR: storage, OCR: 'on', OCR_SYNC_MAX_PAGES: '1', OCR_DPI: '200' }),
  );

  afterAll(async () => {
    await sut.onApplicationShutdown();
  });

  it('reads a mixed PDF page by page: the text layer where there is one, OCR where there is none', async () => {
    const pdf = await makeMixedPdf([
      { text: ['A first page with a real text layer.', 'It is read as text, not by OCR.'] },
      { scan: PAGE_2 },
      { scan: PAGE_3, options: { rotate: 1.2, heading: 'Heron Survey', format: 'jpeg' } },
    ]);
    const progress: OcrProgress[] = [];
    const doc = await sut.parseStored(await writeTemp(pdf), 'mixed.pdf', 'application/pdf', {
      onProgress: (p) => progress.push(p),
    });
    expect(pageText(doc, 1)).toBe(
      'A first page with a real text layer.\nIt is read as text, not by OCR.',
    );
    const cer2 = characterErrorRate(PAGE_2.join(' '), pageText(doc, 2));
    const cer3 = characterErrorRate(['Heron Survey', ...PAGE_3].join(' '), pageText(doc, 3));
    expect(cer2).toBeLessThanOrEqual(0.03);
    expect(cer3).toBeLessThanOrEqual(0.03);
    // The scanned page's larger first line is its heading.
    expect(doc.sections.map((s) => s.path)).toEqual([['Heron Survey']]);
    expect(doc.pages.map((p) => [p.page, p.ocrConfidence !== undefined])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
    for (const p of doc.pages.slice(1)) expect(p.ocrConfidence).toBeGreaterThan(60);
    expect(doc.metadata).toMatchObject({
      pages: 3,
      ocr: { languages: ['eng'], pages: [2, 3], confidence: { 2: expect.any(Number) } },
    });
    expect(progress).toEqual([
      { ocrPagesDone: 0, ocrPages: 2 },
      { ocrPagesDone: 1, ocrPages: 2 },
      { ocrPagesDone: 2, ocrPages: 2 },
    ]);
  });

  it('reads an image upload as one page with its confidence', async () => {
    const png = await scanImage(PAGE_2, { dpi: 150 });
    const doc = await sut.parse({ data: png, filename: 'letter.png', mimeType: 'image/png' });
    expect(doc.contentType).toBe('image/png');
    expect(characterErrorRate(PAGE_2.join(' '), doc.text)).toBeLessThanOrEqual(0.03);
    expect(doc.pages).toEqual([
      { page: 1, start: 0, end: doc.text.length, ocrConfidence: expect.any(Number) },
    ]);
  });

  it('tells a synchronous upload with more pages to OCR than OCR_SYNC_MAX_PAGES to use a job, before reading any', async () => {
    const pdf = await makeMixedPdf([{ scan: ['one'] }, { scan: ['two'] }]);
    const progress: OcrProgress[] = [];
    const failure = sut.parse(
      { data: pdf, filename: 'two-scans.pdf', mimeType: 'application/pdf' },
      { synchronous: true, onProgress: (p) => progress.push(p) },
    );
    await expect(failure).rejects.toThrow(OcrNeedsJobError);
    await expect(failure).rejects.toMatchObject({
      status: 413,
      code: 'ocr_needs_job',
      message: expect.stringMatching(/2 scanned pages.*at most 1 \(OCR_SYNC_MAX_PAGES\).*\/jobs/),
      details: { ocrPages: 2, limit: 1 },
    });
    expect(progress).toEqual([]);
  });

  it('refuses OCR languages that are not installed, naming the package to install', async () => {
    const png = await scanImage(['Bonjour'], { dpi: 100 });
    const failure = sut.parse(
      { data: png, filename: 'x.png', mimeType: 'image/png' },
      { ocrLanguages: ['eng', 'xyz'] },
    );
    await expect(failure).rejects.toThrow(InvalidInputError);
    await expect(failure).rejects.toThrow(/xyz is not installed.*@tesseract\.js-data\/xyz/);
  });

  it('reads a filled form as "Name: value" lines on its page, and a blank one as printed text only', async () => {
    const spec = {
      printed: ['Motor claim form', 'Claimant', 'Description of the accident'],
      fields: [
        { name: 'claimant.name', value: 'Ada Lovelace', top: 120 },
        { name: 'claimant.phone', value: '', top: 150 },
        {
          name: 'narrative',
          value: 'I was traveling eastbound on J St in the right lane\nwhen the truck turned.',
          top: 260,
          multiline: true,
        },
      ],
      checks: [
        { name: 'injured', checked: true, top: 300 },
        { name: 'towed', checked: false, top: 320 },
      ],
    };
    const filled = await sut.parse({
      data: await makeFormPdf(spec),
      filename: 'claim.pdf',
      mimeType: 'application/pdf',
    });
    expect(filled.text).toBe(
      [
        'Motor claim form\nClaimant\nDescription of the accident',
        'claimant.name: Ada Lovelace\nnarrative: I was traveling eastbound on J St in the right lane when the truck turned.\ninjured: Yes',
      ].join('\n\n'),
    );
    expect(filled.pages).toEqual([{ page: 1, start: 0, end: filled.text.length }]);
    const blank = await sut.parse({
      data: await makeFormPdf({
        ...spec,
        fields: spec.fields.map((f) => ({ ...f, value: '' })),
        checks: [],
      }),
      filename: 'blank.pdf',
      mimeType: 'application/pdf',
    });
    expect(blank.text).toBe('Motor claim form\nClaimant\nDescription of the accident');
  });

  it('keeps the rows of a DOCX table, its first row the header', async () => {
    const docx = makeDocx(
      [{ text: 'Before the table.' }],
      [
        ['Site', 'Patients'],
        ['Leeds', '120'],
        ['York', '95'],
      ],
    );
    const doc = await sut.parse({ data: docx, filename: 't.docx', mimeType: '' });
    expect(doc.text).toBe('Before the table.\n\nSite | Patients\n\nLeeds | 120\n\nYork | 95');
    expect(doc.tables).toEqual([
      { start: 19, end: doc.text.length, headerEnd: 19 + 'Site | Patients'.length },
    ]);
  });

  async function writeTemp(data: Buffer): Promise<string> {
    const { writeFile } = await import('node:fs/promises');
    const file = `${tempDir()}/upload.pdf`;
    await writeFile(file, data);
    return file;
  }
});

describe('OCR within the parser limits (integration: real workers)', () => {
  const sut = new ParsingService(
    loadSettings({
      STORAGE_DIR: tempDir(),
      OCR: 'on',
      OCR_MAX_PAGES: '1',
      OCR_MAX_PIXELS: '1000000',
    }),
  );
  const hasty = new ParsingService(
    loadSettings({ STORAGE_DIR: tempDir(), OCR: 'on', OCR_PAGE_TIMEOUT_MS: '1000' }),
  );

  afterAll(async () => {
    await sut.onApplicationShutdown();
    await hasty.onApplicationShutdown();
  });

  it('refuses an image declaring more pixels than OCR_MAX_PIXELS from its header, before decoding it', async () => {
    const started = performance.now();
    const failure = sut.parse({
      data: hugePng(30_000, 30_000),
      filename: 'huge.png',
      mimeType: '',
    });
    await expect(failure).rejects.toThrow(DocumentTooLargeError);
    await expect(failure).rejects.toMatchObject({
      status: 413,
      message: expect.stringContaining('OCR_MAX_PIXELS'),
      details: { width: 30_000, height: 30_000, limit: 1_000_000 },
    });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('does not decode an image inside a PDF past OCR_MAX_PIXELS (900 megapixels declared)', async () => {
    const started = performance.now();
    const failure = sut.parse({
      data: await pdfWithHugeImage(30_000, 30_000),
      filename: 'huge-image.pdf',
      mimeType: 'application/pdf',
    });
    await expect(failure).rejects.toThrow(NoExtractableTextError);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a file with more pages to OCR than OCR_MAX_PAGES before reading any, jobs included', async () => {
    const pdf = await makeMixedPdf([
      { scan: ['one'], options: { dpi: 72 } },
      { scan: ['two'], options: { dpi: 72 } },
    ]);
    const progress: OcrProgress[] = [];
    const failure = sut.parse(
      { data: pdf, filename: 'two-scans.pdf', mimeType: 'application/pdf' },
      { onProgress: (p) => progress.push(p) },
    );
    await expect(failure).rejects.toThrow(DocumentTooLargeError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringMatching(/2 scanned pages.*at most 1 are read \(OCR_MAX_PAGES\)/),
      details: { ocrPages: 2, limit: 1 },
    });
    expect(progress).toEqual([]);
  });

  it('stops a page read past OCR_PAGE_TIMEOUT_MS (its worker replaced), then parses the next file', async () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) => `Line ${i + 1} of a dense page that takes the recogniser a while.`,
    );
    const pdf = await makeMixedPdf([{ scan: lines, options: { dpi: 150, fontSize: 10 } }]);
    const failure = hasty.parse({ data: pdf, filename: 'dense.pdf', mimeType: 'application/pdf' });
    await expect(failure).rejects.toThrow(ParseTimeoutError);
    await expect(failure).rejects.toMatchObject({
      status: 422,
      code: 'parse_timeout',
      message: expect.stringMatching(/OCR of page 1 .*1000 ms \(OCR_PAGE_TIMEOUT_MS\)/),
      details: { ocrPage: 1, limitMs: 1000 },
    });
    const next = await hasty.parse({
      data: Buffer.from('After the timeout.'),
      filename: 'a.txt',
      mimeType: '',
    });
    expect(next.text).toBe('After the timeout.');
  });
});
