import * as cheerio from 'cheerio';
import { UnsupportedMediaTypeError, InvalidInputError } from '../common/errors';

export interface ParsedDocument {
  text: string;
  title?: string;
  contentType: string;
  metadata: Record<string, unknown>;
}

/** One parser per format, chosen by content type and file signature, not by extension alone. */
export interface DocumentParser {
  readonly contentType: string;
  accepts(input: { mimeType: string; filename: string; head: Buffer }): boolean;
  parse(data: Buffer, filename: string): ParsedDocument;
}

const decodeUtf8 = (data: Buffer): string => {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new UnsupportedMediaTypeError('The file is not valid UTF-8 text');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};

const looksBinary = (head: Buffer) => head.includes(0);

const ext = (filename: string) => filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';

export const plainTextParser: DocumentParser = {
  contentType: 'text/plain',
  accepts: ({ mimeType, filename, head }) =>
    !looksBinary(head) && (mimeType === 'text/plain' || ['txt', 'text', 'log'].includes(ext(filename))),
  parse: (data) => ({ text: decodeUtf8(data), contentType: 'text/plain', metadata: {} }),
};

export const markdownParser: DocumentParser = {
  contentType: 'text/markdown',
  accepts: ({ mimeType, filename, head }) =>
    !looksBinary(head) && (mimeType === 'text/markdown' || ['md', 'markdown'].includes(ext(filename))),
  parse: (data) => {
    const text = decodeUtf8(data);
    const title = text.match(/^#\s+(.+)$/m)?.[1]?.trim();
    return { text, title, contentType: 'text/markdown', metadata: {} };
  },
};

const BLOCKS = 'p, div, section, article, li, tr, h1, h2, h3, h4, h5, h6, pre, blockquote, br, td, th, dd, dt';

export const htmlParser: DocumentParser = {
  contentType: 'text/html',
  accepts: ({ mimeType, filename, head }) => {
    if (looksBinary(head)) return false;
    const start = head.toString('utf8', 0, Math.min(head.length, 512)).trimStart().toLowerCase();
    return mimeType === 'text/html' || ['html', 'htm'].includes(ext(filename)) || start.startsWith('<!doctype html') || start.startsWith('<html');
  },
  parse: (data) => {
    const $ = cheerio.load(decodeUtf8(data));
    const title = $('title').first().text().trim() || $('h1').first().text().trim() || undefined;
    $('script, style, noscript, template, iframe, svg, nav, header, footer, aside, form').remove();
    const root = $('main').length ? $('main').first() : $('article').length ? $('article').first() : $('body');
    // Block elements become paragraph breaks so the chunker sees the page's structure.
    root.find(BLOCKS).each((_, el) => {
      $(el).prepend('\n\n').append('\n\n');
    });
    const text = root
      .text()
      .replace(/[ \t\f\v\r]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return { text, title, contentType: 'text/html', metadata: {} };
  },
};

const JSON_TEXT_FIELDS = ['text', 'content', 'body', 'description', 'abstract'];

export const jsonParser: DocumentParser = {
  contentType: 'application/json',
  accepts: ({ mimeType, filename, head }) => {
    if (looksBinary(head)) return false;
    const start = head.toString('utf8', 0, 64).trimStart();
    return mimeType === 'application/json' || ext(filename) === 'json' || (start.startsWith('{') && ext(filename) === '');
  },
  parse: (data) => {
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(data));
    } catch (e) {
      throw new InvalidInputError(`The JSON file could not be parsed: ${(e as Error).message}`);
    }
    // An object with a text field: that field is the text, its scalar fields the metadata.
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      const field = JSON_TEXT_FIELDS.find((f) => typeof obj[f] === 'string' && (obj[f]).trim());
      if (field) {
        const metadata: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
          if (k !== field && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) metadata[k] = v;
        }
        const title = typeof obj.title === 'string' ? obj.title : undefined;
        return { text: obj[field] as string, title, contentType: 'application/json', metadata };
      }
    }
    return { text: JSON.stringify(value, null, 2), contentType: 'application/json', metadata: {} };
  },
};

// Order matters: more specific signatures first.
const PARSERS: readonly DocumentParser[] = [htmlParser, markdownParser, jsonParser, plainTextParser];

export const SUPPORTED_UPLOAD_TYPES = ['.txt', '.md', '.markdown', '.html', '.htm', '.json'];

export function parseUpload(data: Buffer, filename: string, mimeType: string): ParsedDocument {
  const head = data.subarray(0, 1024);
  const parser = PARSERS.find((p) => p.accepts({ mimeType: mimeType.split(';')[0]!.trim().toLowerCase(), filename, head }));
  if (!parser) {
    throw new UnsupportedMediaTypeError(
      `Unsupported file '${filename}' (${mimeType || 'no content type'}); supported: ${SUPPORTED_UPLOAD_TYPES.join(', ')}`,
      { filename, mimeType, supported: SUPPORTED_UPLOAD_TYPES },
    );
  }
  return parser.parse(data, filename);
}
