/**
 * The upload formats: how clients name them. Kept apart from the parsers so that the API layer can
 * list them without loading the parsing libraries, which only the parse worker needs.
 */
export interface FormatNames {
  /** The media type of the format, stored as the document's contentType. */
  readonly contentType: string;
  /** Other media types clients send for it. */
  readonly mediaTypes: readonly string[];
  readonly extensions: readonly string[];
}

/** In the order the parser registry tries them. */
export const FORMATS = {
  pdf: { contentType: 'application/pdf', mediaTypes: ['application/x-pdf'], extensions: ['pdf'] },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    mediaTypes: [],
    extensions: ['docx'],
  },
  html: {
    contentType: 'text/html',
    mediaTypes: ['application/xhtml+xml'],
    extensions: ['html', 'htm', 'xhtml'],
  },
  json: {
    contentType: 'application/json',
    mediaTypes: ['application/ld+json', 'text/json'],
    extensions: ['json'],
  },
  csv: {
    contentType: 'text/csv',
    mediaTypes: ['application/csv', 'text/tab-separated-values'],
    extensions: ['csv', 'tsv'],
  },
  markdown: {
    contentType: 'text/markdown',
    mediaTypes: ['text/x-markdown'],
    extensions: ['md', 'markdown', 'mdown', 'mkd'],
  },
  text: { contentType: 'text/plain', mediaTypes: [], extensions: ['txt', 'text', 'log'] },
  // Images, read by OCR.
  png: { contentType: 'image/png', mediaTypes: [], extensions: ['png'] },
  jpeg: { contentType: 'image/jpeg', mediaTypes: ['image/jpg'], extensions: ['jpg', 'jpeg'] },
  tiff: { contentType: 'image/tiff', mediaTypes: [], extensions: ['tif', 'tiff'] },
  webp: { contentType: 'image/webp', mediaTypes: [], extensions: ['webp'] },
} as const satisfies Record<string, FormatNames>;

export const SUPPORTED_UPLOAD_TYPES: readonly string[] = Object.values(FORMATS).flatMap((f) =>
  f.extensions.map((e) => `.${e}`),
);

/** JSON: the fields read as text when the upload names none (`textFields`). */
export const DEFAULT_JSON_TEXT_FIELDS: readonly string[] = [
  'text',
  'content',
  'body',
  'description',
  'abstract',
  'summary',
];
