import { imageSize } from 'image-size';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  NoExtractableTextError,
  OcrNeedsJobError,
} from '../../common/errors';
import { DocumentParser, Sniff } from './document-parser';
import { FORMATS, FormatNames } from './formats';
import { ocrEngine } from './ocr/ocr-engine';
import { layoutPages } from './pdf-layout';
import { StructureBuilder } from './structure-builder';

const startsWith = (data: Buffer, bytes: number[], at = 0) =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);

/**
 * An image of a page (a scan, a photo, a screenshot), read by OCR: its words laid out as a PDF
 * page's (lines, paragraphs, headings, tables), as page 1 with the recogniser's confidence.
 * Leptonica (inside tesseract.js) decodes it; its size is read from its header first, and one over
 * OCR_MAX_PIXELS is refused before any decoding. A multi-page TIFF: its first page only.
 */
function imageParser(format: FormatNames, sniff: (data: Buffer) => boolean): DocumentParser {
  return {
    ...format,
    sniff: (data): Sniff => (sniff(data) ? 'match' : 'impossible'),
    parse: async (data, options, progress) => {
      const kind = format.contentType;
      if (!options.ocr) {
        throw new NoExtractableTextError(
          `The file is an image (${kind}); its text can only be read by OCR, which is off (OCR=off)`,
        );
      }
      if (options.ocr.maxPages !== undefined && options.ocr.maxPages < 1) {
        throw new OcrNeedsJobError(
          'Images are read by OCR, which an upload answered at once does not do (OCR_SYNC_MAX_PAGES=0); send it as a background job: POST /v1/collections/{name}/jobs',
          { ocrPages: 1, limit: options.ocr.maxPages },
        );
      }
      let size: { width: number; height: number };
      try {
        size = imageSize(data);
      } catch (e) {
        throw new CorruptDocumentError(
          `The ${kind} image could not be read: ${(e as Error).message}`,
        );
      }
      if (size.width * size.height > options.ocr.maxPixels) {
        throw new DocumentTooLargeError(
          `The image is ${size.width} x ${size.height} pixels; OCR reads at most ${options.ocr.maxPixels} pixels (OCR_MAX_PIXELS)`,
          { width: size.width, height: size.height, limit: options.ocr.maxPixels },
        );
      }
      progress?.ocrPage(0, 1);
      let read: Awaited<ReturnType<typeof ocrEngine.recognize>>;
      try {
        read = await ocrEngine.recognize(data, options.ocr.languages, {
          dataDir: options.ocr.dataDir,
          height: size.height,
        });
      } catch (e) {
        if (/read image|image file/i.test((e as Error).message))
          throw new CorruptDocumentError(`The ${kind} image could not be decoded`);
        throw e;
      }
      progress?.ocrPage(1, 1);
      const builder = new StructureBuilder();
      builder.page(1, read.confidence);
      for (const b of layoutPages([{ number: 1, runs: read.runs }]).pages[0]?.blocks ?? []) {
        if (b.kind === 'heading') builder.heading(b.level, b.text);
        else if (b.kind === 'table') builder.table(b.rows);
        else builder.paragraph(b.text);
      }
      if (builder.isEmpty)
        throw new NoExtractableTextError(`OCR found no text in the ${kind} image`);
      return {
        ...builder.build(),
        contentType: kind,
        metadata: {
          width: size.width,
          height: size.height,
          ocr: { languages: options.ocr.languages, pages: [1], confidence: { 1: read.confidence } },
        },
      };
    },
  };
}

export const pngParser = imageParser(FORMATS.png, (d) =>
  startsWith(d, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
);
export const jpegParser = imageParser(FORMATS.jpeg, (d) => startsWith(d, [0xff, 0xd8, 0xff]));
export const tiffParser = imageParser(
  FORMATS.tiff,
  (d) => startsWith(d, [0x49, 0x49, 0x2a, 0x00]) || startsWith(d, [0x4d, 0x4d, 0x00, 0x2a]),
);
export const webpParser = imageParser(
  FORMATS.webp,
  (d) => startsWith(d, [0x52, 0x49, 0x46, 0x46]) && startsWith(d, [0x57, 0x45, 0x42, 0x50], 8),
);
