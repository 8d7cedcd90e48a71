import type { getDocumentProxy } from 'unpdf';
import { DocumentTooLargeError, OcrNeedsJobError } from '../../../common/errors';
import type { OcrOptions, ParseProgress } from '../document-parser';
import type { PageText } from '../pdf-layout';
import { ocrEngine } from './ocr-engine';
import { PageImage, paintsImages, renderPage } from './page-image';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** A page with less text than this in its text layer, and an image, is taken for a scan. */
const MIN_TEXT_CHARACTERS = 16;

/**
 * Reads by OCR the pages of a PDF that have no text layer (or next to none) but paint an image:
 * each is rendered with pdf.js at the OCR resolution and recognised, its text runs replacing the
 * text layer's; the next page renders while one is recognised. Returns each OCR'd page's mean
 * confidence. More such pages than `options.pageLimit` (OCR_MAX_PAGES), or for an upload answered
 * at once than `options.maxPages`, is refused before any is read.
 */
export async function ocrScannedPages(
  pdf: PdfDocument,
  pages: PageText[],
  options: OcrOptions,
  progress?: ParseProgress,
): Promise<Map<number, number>> {
  const scanned: PageText[] = [];
  for (const p of pages) {
    const chars = p.runs.reduce((n, r) => n + r.text.replace(/\s/g, '').length, 0);
    if (chars >= MIN_TEXT_CHARACTERS) continue;
    const page = await pdf.getPage(p.number);
    try {
      if (await paintsImages(page)) scanned.push(p);
    } finally {
      page.cleanup(); // its decoded images go now, not when the document is closed
    }
  }
  const confidence = new Map<number, number>();
  if (scanned.length === 0) return confidence;
  if (scanned.length > options.pageLimit) {
    throw new DocumentTooLargeError(
      `The PDF has ${scanned.length} scanned pages to read by OCR; at most ${options.pageLimit} are read (OCR_MAX_PAGES)`,
      { ocrPages: scanned.length, limit: options.pageLimit },
    );
  }
  if (options.maxPages !== undefined && scanned.length > options.maxPages) {
    throw new OcrNeedsJobError(
      `The PDF has ${scanned.length} scanned pages to read by OCR; an upload answered at once reads at most ${options.maxPages} (OCR_SYNC_MAX_PAGES). Send it as a background job instead: POST /v1/collections/{name}/jobs, then follow GET /v1/jobs/{id}`,
      { ocrPages: scanned.length, limit: options.maxPages },
    );
  }
  const render = async (p: PageText): Promise<PageImage> => {
    const page = await pdf.getPage(p.number);
    try {
      return await renderPage(page, options.dpi, options.maxPixels);
    } finally {
      page.cleanup();
    }
  };
  progress?.ocrPage(0, scanned.length);
  let next: Promise<PageImage> | undefined = render(scanned[0]!);
  for (let i = 0; i < scanned.length; i++) {
    const image: PageImage = await next!;
    next = i + 1 < scanned.length ? render(scanned[i + 1]!) : undefined;
    next?.catch(() => undefined); // awaited (and thrown) at its turn
    const read = await ocrEngine.recognize(image.image, options.languages, {
      dataDir: options.dataDir,
      scale: image.scale,
      height: image.height,
    });
    scanned[i]!.runs = read.runs;
    confidence.set(scanned[i]!.number, read.confidence);
    progress?.ocrPage(i + 1, scanned.length);
  }
  return confidence;
}
