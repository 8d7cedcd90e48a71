/**
 * Keeping what we send within a remote model's input. With its tokenizer the count is exact; with
 * the estimate (4 ASCII characters a token) it is close for English, so a text the server still
 * finds too long is cut once more to a bound no tokenizer exceeds: one token per UTF-8 byte.
 */

/** The longest start of `text` that `count` puts at `max` tokens or fewer. */
export function fitTokens(text: string, count: (t: string) => number, max: number): string {
  if (count(text) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(text.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, keepPairs(text, lo));
}

/** The longest start of `text` of at most `maxBytes` UTF-8 bytes. */
export function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    i += ch.length;
  }
  return text.slice(0, i);
}

/** An upstream 4xx that says the input is longer than the model takes. */
export function saysTooLong(message: string): boolean {
  return /too long|too many tokens|maximum (context|input|sequence)|context length|exceeds|max_model_len|input length|truncat/i.test(
    message,
  );
}

function keepPairs(text: string, end: number): number {
  const c = text.charCodeAt(end - 1);
  return end > 0 && c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}
