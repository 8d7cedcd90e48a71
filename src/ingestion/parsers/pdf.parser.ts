import { getDocumentProxy } from 'unpdf';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  DomainError,
  EncryptedDocumentError,
  NoExtractableTextError,
} from '../../common/errors';
import { DocumentParser } from './document-parser';
import { OcrCanvasFactory } from './ocr/page-image';
import { ocrScannedPages } from './ocr/pdf-ocr';
import { formLines } from './pdf-forms';
import { PageText, TextRun, layoutPages } from './pdf-layout';
import { checkPdfStreams } from './pdf-stream-bounds';
import { StructureBuilder } from './structure-builder';
import { FORMATS } from './formats';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

const SIGNATURE = Buffer.from('%PDF-', 'latin1');

/**
 * PDF, read with pdf.js (through unpdf, which bundles it without native code): the text runs of
 * each page with their positions, laid out in reading order by pdf-layout.ts. Every page is a
 * page span, so chunks know their pages. Pages without a text layer that paint an image (scans)
 * are read by OCR when it is on (ocr/pdf-ocr.ts), page by page, and keep their page number and
 * confidence; the layout of scanned pages is found apart from that of the text pages, whose sizes
 * differ. A filled form's values follow each page's printed text as `Name: value` lines.
 * Refused with a clear error: a PDF with no text at all (scanned images with OCR off), a
 * password-protected one, one pdf.js cannot read.
 */
export const pdfParser: DocumentParser = {
  ...FORMATS.pdf,
  // The header may follow up to a kilobyte of junk (as readers allow).
  sniff: (data) => (data.subarray(0, 1024).includes(SIGNATURE) ? 'match' : 'impossible'),
  parse: async (data, options, progress) => {
    if (options.limits) await checkPdfStreams(data, options.limits.pdfMaxDecompressedBytes);
    const pdf = await open(data, options.ocr?.maxPixels);
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
    const pages: PageText[] = [];
    let title: string | undefined;
    let forms: Map<number, string[]>;
    let ocrConfidence = new Map<number, number>();
    try {
      let chars = 0;
      for (let n = 1; n <= pdf.numPages; n++) {
        const runs = await pageRuns(pdf, n);
        chars += textLength(runs);
        if (options.limits) refuseLongText(chars, options.limits.maxExtractedTextBytes);
        pages.push({ number: n, runs });
      }
      title = await infoTitle(pdf);
      forms = await formLines(pdf);
      if (options.ocr) {
        ocrConfidence = await ocrScannedPages(pdf, pages, options.ocr, progress);
        const read = pages.filter((p) => ocrConfidence.has(p.number));
        chars += read.reduce((sum, p) => sum + textLength(p.runs), 0);
        if (options.limits) refuseLongText(chars, options.limits.maxExtractedTextBytes);
      }
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw new CorruptDocumentError(`The PDF could not be read: ${(e as Error).message}`);
    } finally {
      await pdf.destroy();
    }
    const layout = layoutApart(pages, (p) => ocrConfidence.has(p.number));
    const builder = new StructureBuilder();
    const empty: number[] = [];
    for (const page of layout.pages) {
      builder.page(page.number, ocrConfidence.get(page.number));
      const fields = forms.get(page.number) ?? [];
      if (page.blocks.length === 0 && fields.length === 0) empty.push(page.number);
      for (const b of page.blocks) {
        if (b.kind === 'heading') builder.heading(b.level, b.text);
        else if (b.kind === 'table') builder.table(b.rows);
        else builder.paragraph(b.text);
      }
      if (fields.length > 0) builder.paragraph(fields.join('\n'));
    }
    if (builder.isEmpty) {
      throw new NoExtractableTextError(
        options.ocr
          ? `The PDF has no extractable text: none of its ${pages.length} pages has a text layer, and OCR found no text in them`
          : `The PDF has no extractable text: none of its ${pages.length} pages has a text layer (scanned images?), and OCR is off (OCR=off)`,
        { pages: pages.length },
      );
    }
    const metadata = {
      pages: pages.length,
      ...(empty.length > 0 ? { pagesWithoutText: empty } : {}),
      ...(ocrConfidence.size > 0
        ? {
            ocr: {
              languages: options.ocr!.languages,
              pages: [...ocrConfidence.keys()],
              confidence: Object.fromEntries(ocrConfidence),
            },
          }
        : {}),
      ...(forms.size > 0 ? { formFields: [...forms.values()].flat().length } : {}),
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

/**
 * The layout of OCR'd pages and of text pages found apart (their sizes are measured differently),
 * in page order; the title comes from the group that holds the first page.
 */
function layoutApart(pages: readonly PageText[], scanned: (p: PageText) => boolean) {
  const ocr = layoutPages(pages.filter(scanned));
  const text = layoutPages(pages.filter((p) => !scanned(p)));
  const first = pages[0] && scanned(pages[0]) ? ocr : text;
  return {
    pages: [...ocr.pages, ...text.pages].sort((a, b) => a.number - b.number),
    title: first.title,
  };
}

function refuseLongText(chars: number, limit: number): void {
  if (chars <= limit) return;
  throw new DocumentTooLargeError(
    `The PDF's text comes to more than ${limit} characters (MAX_EXTRACTED_TEXT_BYTES)`,
    { limit },
  );
}

const textLength = (runs: readonly TextRun[]) => runs.reduce((sum, r) => sum + r.text.length, 0);

/** `maxImageSize`: images of more pixels are not decoded (their declared size is read first). */
async function open(data: Buffer, maxImageSize = -1): Promise<PdfDocument> {
  try {
    // No eval of font programs (pdf.js's own hardening advice for untrusted files), no system fonts.
    return await getDocumentProxy(new Uint8Array(data), {
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: 0,
      // Canvases for rendering scanned pages for OCR; @napi-rs/canvas loads only when one is made.
      CanvasFactory: OcrCanvasFactory,
      // With OCR on, rendering decodes a page's images: none larger than OCR_MAX_PIXELS.
      maxImageSize,
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
