import { SCRIPT_DEFAULT_LANGUAGE, SPACELESS, UNDETERMINED, languageInfo } from './languages';
import type { Script } from './languages';
import { normalizeWord } from './normalize';
import { type Segmentation, segmentRun } from './segmentation';
import { scriptRuns } from './script';
import { stemmerFor } from './stemmers';

export interface Token {
  /** What is indexed and searched: normalised, stemmed in its language. */
  term: string;
  /** The word normalised but not stemmed (stop words are looked up by it). */
  word: string;
  /** UTF-16 offsets of the word in the text: text.slice(start, end) is exactly it. */
  start: number;
  end: number;
  script: Script;
  /** The language whose stemmer and stop words apply to it. */
  language: string;
}

export interface AnalyzeOptions {
  /** Overrides the segmentation of spaceless scripts (for measurements). */
  segmentation?: Segmentation;
}

const WORD = /[\p{L}\p{M}\p{N}\u200c\u200d]+/gu;
const STEM_CACHE_LIMIT = 50_000;
const stems = new Map<string, Map<string, string>>();

/**
 * The language a word of this script is treated as: the text's language when it is written in
 * this script, else the script's usual language (English for Latin words in a Chinese text).
 */
export function languageForScript(script: Script, language: string): string {
  const info = languageInfo(language);
  if (info?.script === script) return language;
  if (script === 'cjk') return 'zh';
  return SCRIPT_DEFAULT_LANGUAGE[script] ?? UNDETERMINED;
}

function stem(word: string, language: string): string {
  const stemmer = stemmerFor(language);
  if (!stemmer) return word;
  let cache = stems.get(language);
  if (!cache) {
    cache = new Map<string, string>();
    stems.set(language, cache);
  }
  let s = cache.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, s);
  }
  return s;
}

/**
 * The words of a text in a language, the same at index and at query time: runs of letters split
 * by script; spaceless scripts segmented (segmentation.ts); each word normalised and stemmed with
 * its language's Snowball stemmer. Offsets point into the text as given.
 */
export function analyze(text: string, language: string, options: AnalyzeOptions = {}): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    for (const run of scriptRuns(text, m.index, m.index + m[0].length)) {
      const lang = languageForScript(run.script, language);
      if (SPACELESS.has(run.script)) {
        const piece = text.slice(run.start, run.end);
        for (const seg of segmentRun(piece, run.script, options.segmentation)) {
          const word = normalizeWord(seg.text, run.script);
          if (!word) continue;
          out.push({
            term: word,
            word,
            start: run.start + seg.start,
            end: run.start + seg.end,
            script: run.script,
            language: lang,
          });
        }
        continue;
      }
      const word = normalizeWord(text.slice(run.start, run.end), run.script);
      if (!word) continue;
      out.push({
        term: stem(word, lang),
        word,
        start: run.start,
        end: run.end,
        script: run.script,
        language: lang,
      });
    }
  }
  return out;
}

/** The text of a chunk as stored in the lexical index: its terms, space-separated. */
export function indexTerms(text: string, language: string): string {
  return analyze(text, language)
    .map((t) => t.term)
    .join(' ');
}
