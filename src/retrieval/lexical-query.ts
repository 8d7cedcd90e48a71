import { ENGLISH_STOP_WORDS } from '../language/stop-words';

/**
 * The query of a collection still on the pre-analysis Porter index (chunks_fts): every word becomes
 * a quoted term, joined by OR, so BM25 ranks chunks by how many (and how rare) query words they
 * contain; FTS5 stems them. English stop words are dropped unless the query has nothing else. No
 * user text reaches FTS5's query syntax unquoted.
 */
export function toFtsQuery(text: string, maxTerms = 64): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const content = words.filter((w) => !ENGLISH_STOP_WORDS.has(w));
  const unique = [...new Set(content.length > 0 ? content : words)].slice(0, maxTerms);
  if (unique.length === 0) return undefined;
  return unique.map((w) => `"${w}"`).join(' OR ');
}

/**
 * An FTS5 expression over analysed terms (language/query-terms.ts): each quoted, joined by OR.
 * Terms are letters, marks and digits only, so quoting is enough to keep them out of the syntax.
 */
export function toTermsQuery(terms: readonly string[]): string | undefined {
  if (terms.length === 0) return undefined;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}
