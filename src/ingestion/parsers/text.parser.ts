import { TextFormatParser, decodeUtf8, sniffText } from './document-parser';
import { FORMATS } from './formats';

/** Plain UTF-8 text, stored as it is: paragraphs and sentences are all the structure it has. */
export const textParser: TextFormatParser = {
  ...FORMATS.text,
  sniff: (data) => sniffText(data),
  parse: (data) => ({
    text: decodeUtf8(data),
    contentType: FORMATS.text.contentType,
    metadata: {},
    sections: [],
    pages: [],
  }),
};
