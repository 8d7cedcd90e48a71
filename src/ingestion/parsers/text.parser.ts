import { TextFormatParser, decodeUtf8, sniffText } from './document-parser';

/** Plain UTF-8 text, stored as it is: paragraphs and sentences are all the structure it has. */
export const textParser: TextFormatParser = {
  contentType: 'text/plain',
  mediaTypes: [],
  extensions: ['txt', 'text', 'log'],
  sniff: (data) => sniffText(data),
  parse: (data) => ({ text: decodeUtf8(data), contentType: 'text/plain', metadata: {}, sections: [], pages: [] }),
};
