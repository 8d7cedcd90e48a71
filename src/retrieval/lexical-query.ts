/**
 * Turns free text into a safe FTS5 expression: every word becomes a quoted term, joined by OR, so
 * BM25 ranks chunks by how many (and how rare) query words they contain. No user text reaches
 * FTS5's query syntax unquoted.
 */
export function toFtsQuery(text: string, maxTerms = 64): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words)].slice(0, maxTerms);
  if (unique.length === 0) return undefined;
  return unique.map((w) => `"${w}"`).join(' OR ');
}
