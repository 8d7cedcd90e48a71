import { getDocumentProxy } from 'unpdf';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
  NoExtractableTextError,
} from '../../common/errors';
import { DocumentParser } from './document-parser';
import { PageText, TextRun, layoutPages } from './pdf-layout';
import { checkPdfStreams } from './pdf-stream-bounds';
import { StructureBuilder } from './structure-builder';
import { FORMATS } from './formats';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

const SIGNATURE = Buffer.from('%PDF-', 'latin1');

/**
 * PDF, read with pdf.js (through unpdf, which bundles it without native code): the text runs of
 * each page with their positions, laid out in reading order by pdf-layout.ts. Every page is a
 * page span, so chunks know their pages. Refused with a clear error: a PDF without any text layer
 * (scanned images; no OCR here), a password-protected one, one pdf.js cannot read.
 */
export const pdfParser: DocumentParser = {
  ...FORMATS.pdf,
  // The header may follow up to a kilobyte of junk (as readers allow).
  sniff: (data) => (data.subarray(0, 1024).includes(SIGNATURE) ? 'match' : 'impossible'),
  parse: async (data, options) => {
    if (options.limits) await checkPdfStreams(data, options.limits.pdfMaxDecompressedBytes);
    const pdf = await open(data);
    if (options.maxPages !== undefined && pdf.numPages > options.maxPages) {
      await pdf.destroy();
      throw new DocumentTooLargeError(
        `The PDF has ${pdf.numPages} pages; at most ${options.maxPages} are taken (MAX_PAGES_PER_DOCUMENT)`,
        {
          pages: pdf.numPages,
          limit: options.maxPages,
        },
      );
    }
    let pages: PageText[];
    let title: string | undefined;
    try {
      pages = [];
      let chars = 0;
      for (let n = 1; n <= pdf.numPages; n++) {
        const runs = await pageRuns(pdf, n);
        chars += runs.reduce((sum, r) => sum + r.text.length, 0);
        if (options.limits) refuseLongText(chars, options.limits.maxExtractedTextBytes);
        pages.push({ number: n, runs });
      }
      title = await infoTitle(pdf);
    } catch (e) {
      if (e instanceof DocumentTooLargeError) throw e;
      throw new CorruptDocumentError(`The PDF could not be read: ${(e as Error).message}`);
    } finally {
      await pdf.destroy();
    }
    const layout = layoutPages(pages);
    const builder = new StructureBuilder();
    const empty: number[] = [];
    for (const page of layout.pages) {
      builder.page(page.number);
      if (page.blocks.length === 0) empty.push(page.number);
      for (const b of page.blocks) {
        if (b.kind === 'heading') builder.heading(b.level, b.text);
        else builder.paragraph(b.text);
      }
    }
    if (builder.isEmpty) {
      throw new NoExtractableTextError(
        `The PDF has no extractable text: none of its ${pages.length} pages has a text layer (scanned images?), and OCR is not available`,
        { pages: pages.length },
      );
    }
    const metadata = {
      pages: pages.length,
      ...(empty.length > 0 ? { pagesWithoutText: empty } : {}),
    };
    const docTitle = layout.title ?? title;
    return {
      ...builder.build(),
      ...(docTitle ? { title: docTitle } : {}),
      contentType: FORMATS.pdf.contentType,
      metadata,
    };
  },
};

function refuseLongText(chars: number, limit: number): void {
  if (chars <= limit) return;
  throw new DocumentTooLargeError(
    `The PDF's text comes to more than ${limit} characters (MAX_EXTRACTED_TEXT_BYTES)`,
    { limit },
  );
}

async function open(data: Buffer): Promise<PdfDocument> {
  try {
    // No eval of font programs (pdf.js's own hardening advice for untrusted files), no system fonts.
    return await getDocumentProxy(new Uint8Array(data), {
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: 0,
    });
  } catch (e) {
    if ((e as Error).name === 'PasswordException') {
      throw new EncryptedDocumentError(
        'The PDF is protected by a password; remove the protection and upload it again',
      );
    }
    throw new CorruptDocumentError(`The PDF could not be read: ${(e as Error).message}`);
  }
}

/** The page's upright text runs; rotated text (margin stamps, rotated table headers) is left out. */
async function pageRuns(pdf: PdfDocument, n: number): Promise<TextRun[]> {
  const page = await pdf.getPage(n);
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  for (const item of content.items) {
    if (!('str' in item) || !item.str.trim()) continue;
    const [a, b, c, d, x, y] = item.transform as number[];
    if (
      Math.abs(b!) > 0.01 * Math.abs(a!) ||
      Math.abs(c!) > 0.01 * Math.abs(d!) ||
      a! <= 0 ||
      d! <= 0
    )
      continue;
    runs.push({ text: item.str, x: x!, y: y!, width: item.width, size: Math.hypot(c!, d!) });
  }
  page.cleanup();
  return runs;
}

async function infoTitle(pdf: PdfDocument): Promise<string | undefined> {
  const meta = await pdf.getMetadata();
  const title = (meta.info as { Title?: unknown } | undefined)?.Title;
  return typeof title === 'string' && title.trim() ? title.trim() : undefined;
}
