import { CorruptDocumentError, DocumentTooLargeError } from '../../common/errors';
import {
  deepHtml,
  manyEntriesDocx,
  pdfBomb,
  wideCsv,
  zipBombDocx,
} from '../../../test/support/bomb-files';
import { makeDocx, makePdf } from '../../../test/support/document-files';
import { checkArchiveBounds } from './archive-bounds';
import { checkMarkupBounds } from './markup-bounds';
import { capMetadata } from './metadata-cap';
import type { ParseLimits } from './parse-limits';
import { parseFile } from './parser-registry';
import { checkPdfStreams } from './pdf-stream-bounds';

const MiB = 1024 * 1024;
const LIMITS: ParseLimits = {
  archiveMaxUncompressedBytes: 256 * MiB,
  archiveMaxEntries: 10_000,
  archiveMaxRatio: 200,
  markupMaxDepth: 512,
  markupMaxNodes: 500_000,
  pdfMaxDecompressedBytes: 64 * MiB,
  maxExtractedTextBytes: 64 * MiB,
};

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'parsed';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
};

describe('archive bounds (zip bombs)', () => {
  it('refuses 1 GB of declared content from the central directory, before inflating anything', async () => {
    const sut = zipBombDocx(1024);
    const t0 = performance.now();
    await expect(checkArchiveBounds(sut, LIMITS)).rejects.toThrow(/ARCHIVE_MAX_UNCOMPRESSED/);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('refuses an archive whose ratio is a bomb, an archive with too many entries, and a liar', async () => {
    expect(await codeOf(checkArchiveBounds(zipBombDocx(4), LIMITS))).toBe('document_too_large');
    await expect(checkArchiveBounds(manyEntriesDocx(10_001), LIMITS)).rejects.toThrow(
      /ARCHIVE_MAX_ENTRIES/,
    );
    // Declares 1 KB, inflates to 64 MiB: stopped once past what it declared.
    await expect(
      checkArchiveBounds(zipBombDocx(64, true), { ...LIMITS, archiveMaxRatio: 1e6 }),
    ).rejects.toThrow(/more than the 1024 bytes it declares/);
  });

  it('lets an ordinary DOCX through, and says a damaged one is corrupt', async () => {
    await expect(checkArchiveBounds(makeDocx([{ text: 'Hello' }]), LIMITS)).resolves.toBe(
      undefined,
    );
    const cut = makeDocx([{ text: 'Hello' }]).subarray(0, 200);
    await expect(checkArchiveBounds(cut, LIMITS)).rejects.toBeInstanceOf(CorruptDocumentError);
  });
});

describe('markup bounds', () => {
  it('refuses 30,000 nested divs in milliseconds', () => {
    const html = deepHtml(30_000).toString();
    const t0 = performance.now();
    expect(() => checkMarkupBounds(html, LIMITS)).toThrow(CorruptDocumentError);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('counts open <p> and <li> as closed by their siblings, and refuses too many elements', () => {
    const lists = `<ul>${'<li>item'.repeat(5000)}</ul>${'<p>para'.repeat(5000)}`;
    expect(() => checkMarkupBounds(lists, LIMITS)).not.toThrow();
    expect(() => checkMarkupBounds(lists, { ...LIMITS, markupMaxNodes: 9000 })).toThrow(
      DocumentTooLargeError,
    );
    expect(() => checkMarkupBounds(deepHtml(500).toString(), LIMITS)).not.toThrow();
  });
});

describe('PDF stream bounds', () => {
  it('refuses a compression bomb before pdf.js reads it', async () => {
    const sut = pdfBomb(80);
    const t0 = performance.now();
    await expect(checkPdfStreams(sut, 64 * MiB)).rejects.toThrow(/PDF_MAX_DECOMPRESSED_BYTES/);
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(checkPdfStreams(sut, 128 * MiB)).resolves.toBe(undefined);
  });

  it('lets an ordinary PDF through', async () => {
    const pdf = makePdf([{ texts: [{ x: 72, y: 700, text: 'Hello' }], image: true }]);
    await expect(checkPdfStreams(pdf, MiB)).resolves.toBe(undefined);
  });
});

describe('bounds through parseFile', () => {
  it('turns each bomb into a per-file 413 or 422 with the reason', async () => {
    const file = (data: Buffer, filename: string) =>
      parseFile({ data, filename, mimeType: '' }, { limits: LIMITS });
    expect(await codeOf(file(zipBombDocx(1024), 'bomb.docx'))).toBe('document_too_large');
    expect(await codeOf(file(deepHtml(), 'deep.html'))).toBe('corrupt_document');
    expect(await codeOf(file(pdfBomb(80), 'bomb.pdf'))).toBe('document_too_large');
  });

  it("caps a wide CSV's column names in the metadata", async () => {
    const doc = await parseFile({ data: wideCsv(20_000), filename: 'wide.csv', mimeType: '' });
    expect(doc.metadata.columnCount).toBe(20_000);
    expect((doc.metadata.columns as string[]).length).toBe(1000);
    expect(JSON.stringify(doc.metadata).length).toBeLessThanOrEqual(65536);
  });
});

describe('capMetadata', () => {
  it('keeps metadata within the limit unchanged', () => {
    const meta = { a: 1, b: ['x', 'y'] };
    expect(capMetadata(meta, 1000)).toBe(meta);
  });

  it('keeps what fits, cuts long arrays and strings, and names what was cut', () => {
    const sut = capMetadata(
      { pages: 3, names: Array.from({ length: 10_000 }, (_, i) => `n${i}`), note: 'z'.repeat(1e5) },
      4096,
    );
    expect(sut.pages).toBe(3);
    expect((sut.names as string[]).length).toBeGreaterThan(100);
    expect((sut.names as string[]).length).toBeLessThan(10_000);
    expect(sut.metadataTruncated).toEqual(['names', 'note']);
    expect(JSON.stringify(sut).length).toBeLessThanOrEqual(4096);
  });
});
