import { ENGLISH_STOP_WORDS } from './stop-words';

/**
 * Turns free text into a safe FTS5 expression: every word becomes a quoted term, joined by OR, so
 * BM25 ranks chunks by how many (and how rare) query words they contain. English stop words are
 * dropped unless the query has nothing else. No user text reaches FTS5's query syntax unquoted.
 */
export function toFtsQuery(text: string, maxTerms = 64): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const content = words.filter((w) => !ENGLISH_STOP_WORDS.has(w));
  const unique = [...new Set(content.length > 0 ? content : words)].slice(0, maxTerms);
  if (unique.length === 0) return undefined;
  return unique.map((w) => `"${w}"`).join(' OR ');
}
