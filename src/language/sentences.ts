/**
 * Characters that end a sentence: Latin, CJK (full stop, exclamation and question marks, full-width
 * and half-width), Arabic question mark, Devanagari danda and double danda. Thai and other scripts
 * that end sentences with a space only are cut at line ends.
 */
export const SENTENCE_ENDS = '.!?。！？．｡؟।॥';

/**
 * A global pattern matching one sentence with the marks that end it, and after them `trailer` (a
 * regex source, e.g. the citation markers that belong to the sentence before them). Match indexes
 * are UTF-16 offsets into the text, so sentence spans cut no character in two.
 */
export function sentencePattern(trailer = ''): RegExp {
  return new RegExp(`[^${SENTENCE_ENDS}\\n]+(?:[${SENTENCE_ENDS}]+${trailer}|$)`, 'gu');
}
