import { detectAll } from 'tinyld';
import { SCRIPT_DEFAULT_LANGUAGE, UNDETERMINED, languageInfo } from './languages';
import type { Script } from './languages';
import { dominantScript, hasKana } from './script';

/** Scripts that name their language outright. */
const SCRIPT_LANGUAGE: Partial<Record<Script, string>> = {
  thai: 'th',
  lao: 'lo',
  khmer: 'km',
  myanmar: 'my',
  hangul: 'ko',
  greek: 'el',
  armenian: 'hy',
  hebrew: 'he',
  bengali: 'bn',
  tamil: 'ta',
};

/** A Latin-script text is English when English scores at least this share of the best language. */
const ENGLISH_SHARE = 0.2;

/** Characters of a document the detector reads: its start, middle and end. */
const SAMPLE = 1200;

function sample(text: string): string {
  if (text.length <= SAMPLE * 3) return text;
  const mid = Math.floor(text.length / 2);
  return [
    text.slice(0, SAMPLE),
    text.slice(mid - SAMPLE / 2, mid + SAMPLE / 2),
    text.slice(-SAMPLE),
  ].join('\n');
}

/**
 * The language of a text: from its script where that decides (Thai, Korean, Han with or without
 * kana), else from the tinyld detector among the languages of the table written in that script;
 * the script's usual language when the detector names none of them.
 */
export function detectLanguage(text: string): string {
  const s = sample(text);
  const script = dominantScript(s);
  if (script === 'cjk') return hasKana(s) ? 'ja' : 'zh';
  const fixed = SCRIPT_LANGUAGE[script];
  if (fixed) return fixed;
  const fallback = SCRIPT_DEFAULT_LANGUAGE[script] ?? UNDETERMINED;
  if (script === 'other') return UNDETERMINED;
  const scored = detectAll(s).filter((d) => languageInfo(d.lang)?.script === script);
  const best = scored[0];
  // English technical prose with many Latinate terms often scores as Spanish or German with
  // English a close second; real German or Spanish leaves English far behind (bench:languages).
  const en = scored.find((d) => d.lang === 'en');
  if (script === 'latin' && best && en && en.accuracy >= best.accuracy * ENGLISH_SHARE) return 'en';
  return best?.lang ?? fallback;
}

/**
 * The languages to analyse a query in, for a collection whose documents are in `present`: the
 * present languages written in the query's script, narrowed by the detector when there are several
 * (a short query is often too short for it alone, so it only chooses among what the collection has).
 * None present in that script: the query's own detected language.
 */
export function queryLanguages(query: string, present: readonly string[]): string[] {
  const script = dominantScript(query);
  if (script === 'cjk') {
    const cjk = present.filter((l) => languageInfo(l)?.script === 'cjk');
    return cjk.length > 0 ? cjk : [hasKana(query) ? 'ja' : 'zh'];
  }
  const same = present.filter((l) => languageInfo(l)?.script === script);
  if (same.length === 0) return [detectLanguage(query)];
  if (same.length === 1) return same;
  const scored = detectAll(query, { only: same }).filter((d) => same.includes(d.lang));
  const top = scored[0]?.accuracy ?? 0;
  const chosen = scored.filter((d) => d.accuracy >= top / 2).map((d) => d.lang);
  // The detector's choice first, then the collection's other languages of this script: terms are
  // OR-ed, so analysing in one more language costs little, and a short query (a name, an id) that
  // the detector misjudges still meets the stems its documents were indexed with.
  // Every one of them, not only the first few: random or multilingual text is spread over many.
  return [...new Set([...chosen, ...same])];
}
