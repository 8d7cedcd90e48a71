import { languageInfo } from './languages';

type Stem = (word: string) => string;

const loaded = new Map<string, Stem | null>();

/**
 * The Snowball stemmer of a language (lower-cased word in, stem out), loaded on first use; none
 * for languages without one (their words are matched as written, after normalisation).
 */
export function stemmerFor(code: string): Stem | undefined {
  let stem = loaded.get(code);
  if (stem === undefined) {
    const module = languageInfo(code)?.stemmer;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- one entry per language, loaded lazily
    stem = module ? (require(`@orama/stemmers/${module}`) as { stemmer: Stem }).stemmer : null;
    loaded.set(code, stem);
  }
  return stem ?? undefined;
}
