import { languageInfo } from './languages';

/**
 * English function words that carry no topic. Dropped from lexical queries (BM25 would give them a
 * small weight that only adds noise) and from the extractive answer's word overlap.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves'
  ).split(' '),
);

const EMPTY: ReadonlySet<string> = new Set();
const loaded = new Map<string, ReadonlySet<string>>([['en', ENGLISH_STOP_WORDS]]);

/**
 * A language's stop words, normalised as its words are (lower case, Arabic diacritics off); empty
 * for a language without a list.
 */
export function stopWordsOf(code: string, normalise: (w: string) => string): ReadonlySet<string> {
  let set = loaded.get(code);
  if (!set) {
    const module = languageInfo(code)?.stopwords;
    set = module
      ? new Set(
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- one entry per language, loaded lazily
          (require(`@orama/stopwords/${module}`) as { stopwords: string[] }).stopwords.map(
            normalise,
          ),
        )
      : EMPTY;
    loaded.set(code, set);
  }
  return set;
}
