import { NoExtractableTextError, UnsupportedMediaTypeError } from '../../common/errors';
import { csvParser } from './csv.parser';
import { DocumentParser, ParseOptions, ParseProgress } from './document-parser';
import { docxParser } from './docx.parser';
import { jpegParser, pngParser, tiffParser, webpParser } from './image.parser';
import { SUPPORTED_UPLOAD_TYPES } from './formats';
import { htmlParser } from './html.parser';
import { jsonParser } from './json.parser';
import { markdownParser } from './markdown.parser';
import { capMetadata } from './metadata-cap';
import { pdfParser } from './pdf.parser';
import type { StructuredDocument } from './structured-document';
import { textParser } from './text.parser';

export interface UploadedFile {
  data: Buffer;
  filename: string;
  /** As the client declared it (may be empty or generic). */
  mimeType: string;
}

const PARSERS: readonly DocumentParser[] = [
  pdfParser,
  docxParser,
  pngParser,
  jpegParser,
  tiffParser,
  webpParser,
  htmlParser,
  jsonParser,
  csvParser,
  markdownParser,
  textParser,
];

/** Media types that say nothing about the format: the extension and the content decide. */
const GENERIC_TYPES = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'text/plain',
]);

/**
 * The parser for a file. Its signature decides first (a PDF or DOCX is read as one whatever its
 * name); then a specific declared media type, then the extension, each only when the content
 * does not rule the format out; then what the content looks like (an HTML doctype, a JSON
 * object); then plain text, if it is text at all.
 */
export function chooseParser(file: UploadedFile): DocumentParser {
  const mime = file.mimeType.split(';')[0]!.trim().toLowerCase();
  const ext = file.filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  const sniffed = new Map(PARSERS.map((p) => [p, p.sniff(file.data)]));
  const fits = (p: DocumentParser) => sniffed.get(p) !== 'impossible';
  const matched = PARSERS.find((p) => sniffed.get(p) === 'match');
  if (matched) return matched;
  const declared =
    (GENERIC_TYPES.has(mime)
      ? undefined
      : PARSERS.find((p) => p.contentType === mime || p.mediaTypes.includes(mime))) ??
    PARSERS.find((p) => p.extensions.includes(ext));
  if (declared && fits(declared)) return declared;
  if (declared) {
    throw new UnsupportedMediaTypeError(
      `'${file.filename}' (${file.mimeType || 'no content type'}) is named or declared as ${declared.contentType}, but its content is not`,
      {
        filename: file.filename,
        mimeType: file.mimeType,
      },
    );
  }
  const looksLike = PARSERS.find((p) => sniffed.get(p) === 'likely');
  if (looksLike) return looksLike;
  if (fits(textParser)) return textParser;
  throw new UnsupportedMediaTypeError(
    `Unsupported file '${file.filename}' (${file.mimeType || 'no content type'}); supported: ${SUPPORTED_UPLOAD_TYPES.join(', ')}`,
    { filename: file.filename, mimeType: file.mimeType, supported: SUPPORTED_UPLOAD_TYPES },
  );
}

/**
 * Parses an uploaded file into text and structure; a file with no text at all is refused (422).
 * The parser's metadata is capped like a client's (metadata-cap.ts).
 */
export async function parseFile(
  file: UploadedFile,
  options: ParseOptions = {},
  progress?: ParseProgress,
): Promise<StructuredDocument> {
  const doc = await chooseParser(file).parse(file.data, options, progress);
  if (!doc.text.trim())
    throw new NoExtractableTextError(`'${file.filename}' has no text to index`, {
      filename: file.filename,
    });
  return { ...doc, metadata: capMetadata(doc.metadata) };
}
