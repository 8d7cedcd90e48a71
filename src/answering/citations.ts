/** Citation markers [n], [n, m] and [n][m] in generated text. */
export const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

export interface CitationCheck {
  /** Cited numbers that exist, in order of first appearance. */
  cited: number[];
  /** Cited numbers with no such source; removed from the text. */
  invalid: number[];
  /** The text with invalid markers removed. */
  text: string;
}

export function checkCitations(text: string, sourceCount: number): CitationCheck {
  const cited: number[] = [];
  const invalid: number[] = [];
  const cleaned = text.replace(MARKER, (_m, list: string) => {
    const nums = list.split(',').map((s) => Number(s.trim()));
    const valid = nums.filter((n) => n >= 1 && n <= sourceCount);
    for (const n of nums) {
      const into = valid.includes(n) ? cited : invalid;
      if (!into.includes(n)) into.push(n);
    }
    return valid.length > 0 ? `[${valid.join(', ')}]` : '';
  });
  return {
    cited,
    invalid,
    text: cleaned
      .replace(/ +([.,;:!?])/g, '$1')
      .replace(/ {2,}/g, ' ')
      .trim(),
  };
}
