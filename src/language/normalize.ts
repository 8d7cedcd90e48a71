import type { Script } from './languages';

const ARABIC_MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
const JOINERS = /[\u200c\u200d]/g;

/**
 * A word as it is indexed and searched: compatibility forms folded (full-width Latin, Arabic
 * presentation forms), lower case, and the marks that do not change the word in its script
 * removed: accents in Latin and Greek (as FTS5's remove_diacritics did), Arabic short vowels and
 * tatweel, ё as е. Marks that are letters' vowels (Devanagari, Thai) stay.
 */
export function normalizeWord(word: string, script: Script): string {
  let w = word.normalize('NFKC').toLowerCase().replace(JOINERS, '');
  if (script === 'latin' || script === 'greek') {
    if (/[^a-z0-9]/.test(w))
      w = w
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .normalize('NFC')
        .replace(/ς/g, 'σ');
  } else if (script === 'cyrillic') w = w.replace(/ё/g, 'е');
  else if (script === 'arabic') w = w.replace(ARABIC_MARKS, '');
  else if (script === 'hebrew') w = w.replace(/[\u0591-\u05c7]/g, '');
  return w;
}
