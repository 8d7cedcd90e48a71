import * as cheerio from 'cheerio';
import mammoth from 'mammoth';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
} from '../../common/errors';
import { checkArchiveBounds } from './archive-bounds';
import { DocumentParser } from './document-parser';
import { htmlToStructure } from './html-structure';
import { checkMarkupBounds } from './markup-bounds';
import { StructureBuilder, collapseSpaces } from './structure-builder';
import { FORMATS } from './formats';

const ZIP = Buffer.from('PK\x03\x04', 'latin1');
/** OLE compound file: legacy .doc, or an OOXML package encrypted with a password. */
const COMPOUND_FILE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** The stream an encrypted OOXML package keeps its encryption parameters in (directory names are UTF-16LE). */
const ENCRYPTION_INFO = Buffer.from('EncryptionInfo', 'utf16le');

/** Word's title and heading styles become h1-h6, so their text opens sections. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

const isEncryptedPackage = (data: Buffer) =>
  data.subarray(0, 8).equals(COMPOUND_FILE) && data.includes(ENCRYPTION_INFO);

/**
 * Word .docx, read with mammoth: converted to HTML (headings from Word's heading styles, lists,
 * tables), then to blocks as HTML is. Recognised by its signature: a ZIP holding word/document.xml,
 * or a password-protected package (refused: its text cannot be read).
 */
export const docxParser: DocumentParser = {
  ...FORMATS.docx,
  sniff: (data) => {
    if (data.subarray(0, 4).equals(ZIP) && data.includes('word/document.xml', 0, 'latin1'))
      return 'match';
    return isEncryptedPackage(data) ? 'match' : 'impossible';
  },
  parse: async (data, options) => {
    if (isEncryptedPackage(data))
      throw new EncryptedDocumentError(
        'The Word document is protected by a password; remove the protection and upload it again',
      );
    if (options.limits) await checkArchiveBounds(data, options.limits);
    let html: string;
    try {
      // Images are left out: only their alt text is read.
      const imgElement = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));
      html = (
        await mammoth.convertToHtml(
          { buffer: data },
          { styleMap: STYLE_MAP, convertImage: imgElement, externalFileAccess: false },
        )
      ).value;
    } catch (e) {
      throw new CorruptDocumentError(
        `The Word document could not be read: ${(e as Error).message}`,
      );
    }
    if (options.limits) {
      checkMarkupBounds(html, options.limits);
      if (html.length > options.limits.maxExtractedTextBytes) {
        throw new DocumentTooLargeError(
          `The Word document's content (as HTML) comes to more than ${options.limits.maxExtractedTextBytes} bytes (MAX_EXTRACTED_TEXT_BYTES)`,
          { limit: options.limits.maxExtractedTextBytes },
        );
      }
    }
    const $ = cheerio.load(html);
    const builder = new StructureBuilder();
    htmlToStructure($('body').contents(), builder);
    const title = collapseSpaces($('h1').first().text()) || undefined;
    return {
      ...builder.build(),
      ...(title ? { title } : {}),
      contentType: FORMATS.docx.contentType,
      metadata: {},
    };
  },
};
