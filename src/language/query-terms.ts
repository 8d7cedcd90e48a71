import { SPACELESS, UNDETERMINED, languageInfo } from './languages';
import { normalizeWord } from './normalize';
import { stopWordsOf } from './stop-words';
import { type AnalyzeOptions, type Token, analyze } from './tokenizer';

/** True for a function word of the token's language (looked up by its unstemmed form). */
export function isStopWord(t: Token): boolean {
  // Pairs of characters of a spaceless script are not words: no list applies to them.
  if (SPACELESS.has(t.script)) return false;
  return stopWordsOf(t.language, (w) =>
    normalizeWord(w, languageInfo(t.language)?.script ?? t.script),
  ).has(t.word);
}

/**
 * The distinct terms of a query analysed in each of the given languages, stop words dropped unless
 * the query has nothing else, at most `maxTerms`.
 */
export function queryTerms(
  text: string,
  languages: readonly string[],
  maxTerms = 64,
  options: AnalyzeOptions = {},
): string[] {
  const all: string[] = [];
  const content: string[] = [];
  for (const language of languages.length > 0 ? languages : [UNDETERMINED]) {
    for (const t of analyze(text, language, options)) {
      all.push(t.term);
      if (!isStopWord(t)) content.push(t.term);
    }
  }
  return [...new Set(content.length > 0 ? content : all)].slice(0, maxTerms);
}
