/**
 * The languages ragd analyses for lexical search: the script each is written in, the Snowball
 * stemmer and the stop-word list (from @orama/stemmers and @orama/stopwords) it uses, and how its
 * words are found (between spaces, or segmented for scripts written without them).
 */
export type Script =
  | 'latin'
  | 'cyrillic'
  | 'greek'
  | 'armenian'
  | 'arabic'
  | 'hebrew'
  | 'devanagari'
  | 'bengali'
  | 'tamil'
  | 'hangul'
  | 'cjk'
  | 'thai'
  | 'lao'
  | 'khmer'
  | 'myanmar'
  | 'other';

export interface LanguageInfo {
  code: string;
  name: string;
  script: Script;
  /** Module of @orama/stemmers (none: words are only normalised). */
  stemmer?: string;
  /** Module of @orama/stopwords (English uses ragd's own list, see stop-words.ts). */
  stopwords?: string;
}

const L = (
  code: string,
  name: string,
  script: Script,
  stemmer?: string,
  stopwords: string | undefined = stemmer,
): LanguageInfo => ({
  code,
  name,
  script,
  ...(stemmer ? { stemmer } : {}),
  ...(stopwords ? { stopwords } : {}),
});

export const LANGUAGES: readonly LanguageInfo[] = [
  L('en', 'English', 'latin', 'english'),
  L('de', 'German', 'latin', 'german'),
  L('fr', 'French', 'latin', 'french'),
  L('es', 'Spanish', 'latin', 'spanish'),
  L('it', 'Italian', 'latin', 'italian'),
  L('pt', 'Portuguese', 'latin', 'portuguese'),
  L('nl', 'Dutch', 'latin', 'dutch'),
  L('sv', 'Swedish', 'latin', 'swedish'),
  L('no', 'Norwegian', 'latin', 'norwegian'),
  L('da', 'Danish', 'latin', 'danish'),
  L('fi', 'Finnish', 'latin', 'finnish'),
  L('hu', 'Hungarian', 'latin', 'hungarian'),
  L('ro', 'Romanian', 'latin', 'romanian'),
  L('tr', 'Turkish', 'latin', 'turkish'),
  L('lt', 'Lithuanian', 'latin', 'lithuanian'),
  L('id', 'Indonesian', 'latin', 'indonesian'),
  L('ga', 'Irish', 'latin', 'irish'),
  L('sl', 'Slovenian', 'latin', undefined, 'slovenian'),
  L('pl', 'Polish', 'latin'),
  L('cs', 'Czech', 'latin'),
  L('vi', 'Vietnamese', 'latin'),
  L('ru', 'Russian', 'cyrillic', 'russian'),
  L('uk', 'Ukrainian', 'cyrillic', 'ukrainian'),
  L('bg', 'Bulgarian', 'cyrillic', 'bulgarian'),
  L('sr', 'Serbian', 'cyrillic', 'serbian'),
  L('el', 'Greek', 'greek', 'greek'),
  L('hy', 'Armenian', 'armenian', 'armenian'),
  L('ar', 'Arabic', 'arabic', 'arabic'),
  L('fa', 'Persian', 'arabic'),
  L('ur', 'Urdu', 'arabic'),
  L('he', 'Hebrew', 'hebrew'),
  L('hi', 'Hindi', 'devanagari', 'indian'),
  L('ne', 'Nepali', 'devanagari', 'nepali'),
  L('mr', 'Marathi', 'devanagari'),
  L('bn', 'Bengali', 'bengali'),
  L('ta', 'Tamil', 'tamil', 'tamil'),
  L('ko', 'Korean', 'hangul'),
  L('zh', 'Chinese', 'cjk', undefined, 'mandarin'),
  L('ja', 'Japanese', 'cjk', undefined, 'japanese'),
  L('th', 'Thai', 'thai'),
  L('lo', 'Lao', 'lao'),
  L('km', 'Khmer', 'khmer'),
  L('my', 'Burmese', 'myanmar'),
];

/** A collection's `language`: detect per document and per query, or one fixed language. */
export const AUTO = 'auto';
export const LANGUAGE_SETTINGS: readonly string[] = [AUTO, ...LANGUAGES.map((l) => l.code)];

/** Text whose language is not known (no letters, or a language outside the table). */
export const UNDETERMINED = 'und';

const BY_CODE = new Map(LANGUAGES.map((l) => [l.code, l]));

export function languageInfo(code: string): LanguageInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * The language whose stemmer a word of this script gets when the text's own language is written in
 * another script (an English term in a Russian text), so that a query in either finds it.
 */
export const SCRIPT_DEFAULT_LANGUAGE: Partial<Record<Script, string>> = {
  latin: 'en',
  cyrillic: 'ru',
  greek: 'el',
  armenian: 'hy',
  arabic: 'ar',
  devanagari: 'hi',
  tamil: 'ta',
};

/** Scripts written without spaces between words: their runs are segmented. */
export const SPACELESS: ReadonlySet<Script> = new Set(['cjk', 'thai', 'lao', 'khmer', 'myanmar']);
