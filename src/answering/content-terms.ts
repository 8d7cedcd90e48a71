import { SPACELESS, UNDETERMINED } from '../language/languages';
import { isStopWord } from '../language/query-terms';
import { ENGLISH_STOP_WORDS } from '../language/stop-words';
import { type Token, analyze } from '../language/tokenizer';

/**
 * Words of a text for the answerer's word-overlap tests, the same for a question and a passage
 * whatever their languages: each word is treated by its script (language/tokenizer.ts with no
 * language: Cyrillic as Russian, Arabic as Arabic, Han and Thai as character pairs...). Latin
 * words keep the light English treatment they always had here.
 */
function words(text: string): Token[] {
  return analyze(text, UNDETERMINED);
}

const latinLike = (t: Token) => t.script === 'latin' || t.script === 'other';

/** Content words of a text, lower-cased and lightly stemmed ("trains" and "train" match). */
export function contentTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const t of words(text)) {
    if (latinLike(t)) {
      const w = t.word;
      if (ENGLISH_STOP_WORDS.has(w) || (w.length < 3 && !/^\p{N}+$/u.test(w))) continue;
      out.add(lightStem(w));
    } else if (!isStopWord(t) && (SPACELESS.has(t.script) || [...t.word].length > 1)) {
      out.add(t.term);
    }
  }
  return out;
}

/** Words of a text but its stop words, unstemmed in Latin script (the extractive answer's overlap). */
export function sentenceTerms(text: string): string[] {
  const out: string[] = [];
  for (const t of words(text)) {
    if (latinLike(t) ? !ENGLISH_STOP_WORDS.has(t.word) : !isStopWord(t))
      out.push(latinLike(t) ? t.word : t.term);
  }
  return out;
}

/** Plural, -ed, -ing and -ly endings off: enough for word overlap, not a real stemmer. */
function lightStem(w: string): string {
  if (/^\p{N}+$/u.test(w) || w.length <= 3) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(s|x|z|ch|sh)es$/u.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  const m = /^(.{3,}?)(ing|ed|ly)$/u.exec(w);
  return m ? m[1]! : w;
}
