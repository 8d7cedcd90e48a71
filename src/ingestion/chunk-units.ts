import type { TokenCounter } from '../engines/token-counter';
import type { TableSpan } from './parsers/structured-document';

/**
 * The pieces chunks are packed from: sentences of paragraphs, whole table rows, and pieces of
 * either where one alone is over the token limit. Offsets are into the document text.
 */
export interface Unit {
  start: number;
  end: number;
  tokens: number;
  /** First unit of a paragraph. */
  paragraphStart: boolean;
  /** A table row (or a piece of one): its table, and whether it is the header row. */
  table?: TableSpan;
  header?: boolean;
}

const PARAGRAPH = /\n[ \t]*\n+/g;
// A sentence ends at . ! ? (and closing quotes/brackets) followed by white space.
const SENTENCE_END = /[.!?。！？]+["'”’)\]]*(?=\s)/g;

/**
 * Splits [from, to) into units: sentences within paragraphs, or, inside a table, whole rows (a row
 * is a paragraph). Any unit over the limit is split further, by words, then by characters.
 */
export function toUnits(
  text: string,
  from: number,
  to: number,
  counter: TokenCounter,
  limit: number,
  tables: readonly TableSpan[] = [],
): Unit[] {
  const units: Unit[] = [];
  let t = 0;
  for (const [pStart, pEnd] of spans(text, from, to, PARAGRAPH)) {
    while (t < tables.length && tables[t]!.end <= pStart) t++;
    const table = tables[t];
    const row = table && table.start <= pStart && pEnd <= table.end ? table : undefined;
    let first = true;
    for (const [sStart, sEnd] of row
      ? [[pStart, pEnd] as const]
      : sentenceSpans(text, pStart, pEnd)) {
      for (const piece of fitToLimit(text, sStart, sEnd, counter, limit)) {
        units.push({
          ...piece,
          paragraphStart: first,
          ...(row ? { table: row, header: pStart < row.headerEnd } : {}),
        });
        first = false;
      }
    }
  }
  return units;
}

/** Non-blank spans of [from, to) between separators, trimmed of surrounding white space. */
function spans(text: string, from: number, to: number, separator: RegExp): [number, number][] {
  const out: [number, number][] = [];
  let last = from;
  const push = (a: number, b: number) => {
    const t = trim(text, a, b);
    if (t) out.push(t);
  };
  for (const m of text.slice(from, to).matchAll(separator)) {
    push(last, from + m.index);
    last = from + m.index + m[0].length;
  }
  push(last, to);
  return out;
}

function sentenceSpans(text: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  const para = text.slice(start, end);
  let last = 0;
  for (const m of para.matchAll(SENTENCE_END)) {
    const stop = m.index + m[0].length;
    const t = trim(text, start + last, start + stop);
    if (t) out.push(t);
    last = stop;
  }
  const t = trim(text, start + last, end);
  if (t) out.push(t);
  return out;
}

function trim(text: string, a: number, b: number): [number, number] | undefined {
  while (a < b && /\s/.test(text[a]!)) a++;
  while (b > a && /\s/.test(text[b - 1]!)) b--;
  return a < b ? [a, b] : undefined;
}

/** Splits [start, end) into pieces within the limit: by words, then by characters. */
function fitToLimit(
  text: string,
  start: number,
  end: number,
  counter: TokenCounter,
  limit: number,
) {
  const tokens = counter.count(text.slice(start, end));
  if (tokens <= limit) return [{ start, end, tokens }];
  const words = [...text.slice(start, end).matchAll(/\S+/g)].map(
    (m) => [start + m.index, start + m.index + m[0].length] as const,
  );
  const out: { start: number; end: number; tokens: number }[] = [];
  let k = 0;
  while (k < words.length) {
    // Grow by doubling, then binary search the largest run of words that fits.
    let lo = k + 1;
    let hi = k + 1;
    const fits = (n: number) => counter.count(text.slice(words[k]![0], words[n - 1]![1])) <= limit;
    if (!fits(lo)) {
      out.push(...splitChars(text, words[k]![0], words[k]![1], counter, limit));
      k++;
      continue;
    }
    while (hi < words.length && fits(Math.min(words.length, hi * 2 - k))) {
      lo = Math.min(words.length, hi * 2 - k);
      hi = lo;
    }
    let top = Math.min(words.length, hi * 2 - k);
    while (lo < top) {
      const mid = Math.ceil((lo + top) / 2);
      if (fits(mid)) lo = mid;
      else top = mid - 1;
    }
    const s = words[k]![0];
    const e = words[lo - 1]![1];
    out.push({ start: s, end: e, tokens: counter.count(text.slice(s, e)) });
    k = lo;
  }
  return out;
}

function splitChars(
  text: string,
  start: number,
  end: number,
  counter: TokenCounter,
  limit: number,
) {
  const out: { start: number; end: number; tokens: number }[] = [];
  let s = start;
  while (s < end) {
    let lo = s + 1;
    let hi = end;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (counter.count(text.slice(s, mid)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    // Never split a UTF-16 surrogate pair.
    if (lo < end && /[\uDC00-\uDFFF]/.test(text[lo]!) && lo - 1 > s) lo--;
    out.push({ start: s, end: lo, tokens: counter.count(text.slice(s, lo)) });
    s = lo;
  }
  return out;
}
