import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
  NoExtractableTextError,
} from '../../src/common/errors';
import { loadSettings } from '../../src/config/settings';
import { ParsingService } from '../../src/ingestion/parsing.service';
import { makeDocx, makePdf } from '../support/document-files';
import { tempDir } from '../support/test-app';

/** Two columns of three lines each, the left one at x 72, the right one at x 320. */
const twoColumns = (left: string[], right: string[], top = 700) => [
  ...left.map((text, i) => ({ x: 72, y: top - i * 12, text })),
  ...right.map((text, i) => ({ x: 320, y: top - i * 12, text })),
];

describe('parsing uploaded files in the worker thread, real pdf.js and mammoth (integration)', () => {
  // OCR off: the image pages here are 2x2 pixels of grey (OCR of real scans: ocr.int-spec.ts).
  const sut = new ParsingService(loadSettings({ MAX_PAGES_PER_DOCUMENT: '3', OCR: 'off' }));

  afterAll(async () => {
    await sut.onApplicationShutdown();
  });

  it('reads a two-column PDF in reading order, with its pages and sections', async () => {
    const pdf = makePdf(
      [
        {
          texts: [
            { x: 150, y: 740, text: 'Columns in Practice', size: 18, bold: true },
            { x: 72, y: 715, text: '1 Introduction', size: 12, bold: true },
            ...twoColumns(
              [
                'Alpha begins the left column of',
                'the first page and it carries on',
                'down to the end of this column.',
              ],
              [
                'Beta continues in the right one',
                'and is read after all the text',
                'of the left column has been read.',
              ],
            ),
          ],
        },
        {
          texts: [
            { x: 72, y: 740, text: '2 Methods', size: 12, bold: true },
            ...twoColumns(
              [
                'Gamma is on the second page in',
                'the left column of that page so',
                'it comes before the right side.',
              ],
              [
                'Delta closes the document in',
                'the right column of the second',
                'page and is the last thing read.',
              ],
            ),
          ],
        },
      ],
      { title: 'Info title' },
    );
    const doc = await sut.parse({ data: pdf, filename: 'paper.pdf', mimeType: 'application/pdf' });
    expect(doc.contentType).toBe('application/pdf');
    expect(doc.title).toBe('Columns in Practice');
    const order = [
      'Columns in Practice',
      'Introduction',
      'Alpha',
      'Beta',
      'Methods',
      'Gamma',
      'Delta',
    ].map((w) => doc.text.indexOf(w));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Lines of a column are one paragraph; the columns are two.
    expect(doc.text).toContain(
      'Alpha begins the left column of\nthe first page and it carries on\ndown to the end of this column.\n\nBeta continues',
    );
    expect(doc.pages.map((p) => [p.page, doc.text.slice(p.start, p.end).split(/\s/)[0]])).toEqual([
      [1, 'Columns'],
      [2, '2'],
    ]);
    expect(doc.sections.map((s) => [s.path, doc.text.slice(s.start, s.bodyStart)])).toEqual([
      [['1 Introduction'], '1 Introduction'],
      [['2 Methods'], '2 Methods'],
    ]);
    expect(doc.metadata).toEqual({ pages: 2 });
  });

  it('refuses a PDF whose pages are images without a text layer when OCR is off', async () => {
    const pdf = makePdf([{ image: true }, { image: true }]);
    const failure = sut.parse({ data: pdf, filename: 'scan.pdf', mimeType: 'application/pdf' });
    await expect(failure).rejects.toThrow(NoExtractableTextError);
    await expect(failure).rejects.toMatchObject({
      status: 422,
      code: 'no_extractable_text',
      message: expect.stringMatching(/no extractable text.*OCR is off \(OCR=off\)/),
      details: { pages: 2 },
    });
  });

  it('indexes a PDF with some image-only pages and says which', async () => {
    const pdf = makePdf([
      { image: true },
      { texts: [{ x: 72, y: 700, text: 'Only the second page has text.' }] },
    ]);
    const doc = await sut.parse({ data: pdf, filename: 'mixed.pdf', mimeType: '' });
    expect(doc.metadata).toEqual({ pages: 2, pagesWithoutText: [1] });
    expect(doc.pages.map((p) => [p.page, doc.text.slice(p.start, p.end)])).toEqual([
      [1, ''],
      [2, 'Only the second page has text.'],
    ]);
  });

  it('refuses password-protected and damaged PDFs with their own errors', async () => {
    const locked = makePdf([{ texts: [{ x: 72, y: 700, text: 'Secret.' }] }], { encrypted: true });
    await expect(
      sut.parse({ data: locked, filename: 'locked.pdf', mimeType: 'application/pdf' }),
    ).rejects.toThrow(EncryptedDocumentError);
    const damaged = Buffer.from(
      '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntrailer << /Root 1 0 R >>\n%%EOF',
    );
    await expect(
      sut.parse({ data: damaged, filename: 'damaged.pdf', mimeType: 'application/pdf' }),
    ).rejects.toThrow(CorruptDocumentError);
  });

  it('keeps parsing after a refused file, DOCX included', async () => {
    const doc = await sut.parse({
      data: makeDocx([{ text: 'Setup', style: 'Heading1' }, { text: 'Install it first.' }]),
      filename: 'guide.docx',
      mimeType: '',
    });
    expect(doc.text).toBe('Setup\n\nInstall it first.');
    expect(doc.sections.map((s) => s.path)).toEqual([['Setup']]);
  });

  it('refuses a PDF past MAX_PAGES_PER_DOCUMENT before reading its pages', async () => {
    const page = { texts: [{ x: 72, y: 700, text: 'A page.' }] };
    const failure = sut.parse({
      data: makePdf([page, page, page, page]),
      filename: 'long.pdf',
      mimeType: 'application/pdf',
    });
    await expect(failure).rejects.toThrow(DocumentTooLargeError);
    await expect(failure).rejects.toMatchObject({
      status: 413,
      code: 'document_too_large',
      details: { pages: 4, limit: 3 },
    });
    await expect(
      sut.parse({ data: makePdf([page, page, page]), filename: 'ok.pdf', mimeType: '' }),
    ).resolves.toMatchObject({ metadata: { pages: 3 } });
  });

  it('parses a file on disk that the worker reads itself', async () => {
    const file = path.join(tempDir('parse-stored'), 'notes.md');
    writeFileSync(file, '# Notes\n\nRead from disk by the worker.\n');
    const doc = await sut.parseStored(file, 'notes.md', 'text/markdown');
    expect(doc.sections.map((s) => s.path)).toEqual([['Notes']]);
    expect(doc.text).toContain('Read from disk by the worker.');
    await expect(
      sut.parseStored(path.join(path.dirname(file), 'missing.md'), 'missing.md', ''),
    ).rejects.toThrow(/ENOENT/);
  });
});
