import { AUTO } from './languages';
import { detectLanguage } from './detect-language';

/** Bumped when the analyser's output changes: documents analysed by an older one are analysed again. */
export const ANALYZER_VERSION = 1;

/** What a document's `lexical` column holds once it is analysed under a collection setting. */
export function lexicalKey(setting: string): string {
  return `${setting}@${ANALYZER_VERSION}`;
}

/** The language a document is analysed in under a collection's setting. */
export function documentLanguage(setting: string, text: string): string {
  return setting === AUTO ? detectLanguage(text) : setting;
}
