/**
 * Cuts a list sorted by token count (shortest first) into the next batch: only items of similar
 * length (at most 25% + 8 tokens longer than the first), because a batch is padded to its longest
 * input and padding is wasted work on a CPU. A lone long item still makes a batch of one.
 * `maxTokens` (0: none) bounds the batch's padded size (items x the longest item's tokens): on a
 * CPU long passages embed fastest in small batches, short ones in large batches.
 */
export function similarLengthBatch<T extends { token_count: number }>(
  sorted: readonly T[],
  limit: number,
  maxTokens = 0,
): T[] {
  const first = sorted[0];
  if (!first) return [];
  const ceiling = first.token_count * 1.25 + 8;
  const out: T[] = [];
  for (const item of sorted) {
    if (out.length >= limit || item.token_count > ceiling) break;
    // Sorted shortest first: this item is the batch's longest.
    if (maxTokens > 0 && out.length > 0 && (out.length + 1) * item.token_count > maxTokens) break;
    out.push(item);
  }
  return out;
}
