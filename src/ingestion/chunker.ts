/**
 * Token-aware chunking. Chunks follow paragraph and sentence boundaries, never exceed the token
 * limit of the embedding model (measured with its own tokenizer, special tokens included), and keep
 * exact character offsets: chunk.text === document.slice(chunk.start, chunk.end).
 */
export interface TokenCounter {
  /** 'estimate' when no tokenizer was available, else the tokenizer's model id. */
  readonly name: string;
  /** Tokens the model sees for this text, special tokens and any passage prefix included. */
  count(text: string): number;
}

export interface ChunkOptions {
  /** Target size in tokens. */
  size: number;
  /** Tokens of trailing sentences repeated at the start of the next chunk. */
  overlap: number;
  /** Hard limit (the model's maximum sequence length); size is clamped to it. */
  maxTokens: number;
}

export interface Chunk {
  ordinal: number;
  text: string;
  start: number;
  end: number;
  tokenCount: number;
}

interface Unit {
  start: number;
  end: number;
  tokens: number;
  /** First unit of a paragraph. */
  paragraphStart: boolean;
}

/**
 * Counts tokens without a tokenizer: about 4 characters a token for ASCII text (English WordPiece and
 * BPE vocabularies average 4-5) and one a character otherwise (CJK and most non-Latin scripts), plus
 * two special tokens. Chunks sized this way are re-chunked with the real tokenizer before they are
 * embedded, so the estimate only sets the lexical granularity meanwhile.
 */
export const estimateTokenCounter: TokenCounter = {
  name: 'estimate',
  count: (text: string) => {
    let ascii = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
    return Math.ceil(ascii / 4 + (text.length - ascii)) + 2;
  },
};

const PARAGRAPH = /\n[ \t]*\n+/g;
// A sentence ends at . ! ? (and closing quotes/brackets) followed by white space.
const SENTENCE_END = /[.!?。！？]+["'”’)\]]*(?=\s)/g;

export function chunkText(text: string, counter: TokenCounter, options: ChunkOptions): Chunk[] {
  const limit = Math.max(1, Math.min(options.size, options.maxTokens));
  const overlap = Math.max(0, Math.min(options.overlap, Math.floor(limit / 2)));
  const units = toUnits(text, counter, limit);
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let tokens = 0;
    // Greedy fill with whole units; prefer to stop at a paragraph end once the chunk is well filled.
    while (j < units.length) {
      const u = units[j]!;
      if (j > i && tokens + u.tokens > limit) break;
      if (j > i && u.paragraphStart && tokens >= limit * 0.6 && !fitsParagraph(units, j, limit - tokens)) break;
      tokens += u.tokens;
      j++;
    }
    // The joined text can tokenize differently from its parts: measure it and give back units.
    let end = j;
    let measured = counter.count(text.slice(units[i]!.start, units[end - 1]!.end));
    while (measured > options.maxTokens && end - 1 > i) {
      end--;
      measured = counter.count(text.slice(units[i]!.start, units[end - 1]!.end));
    }
    const start = units[i]!.start;
    const stop = units[end - 1]!.end;
    chunks.push({ ordinal: chunks.length, text: text.slice(start, stop), start, end: stop, tokenCount: measured });
    if (end >= units.length) break;
    // Overlap: repeat trailing whole units of this chunk, but always move forward.
    let next = end;
    let carried = 0;
    while (next - 1 > i && carried + units[next - 1]!.tokens <= overlap) {
      carried += units[next - 1]!.tokens;
      next--;
    }
    i = next;
  }
  return chunks;
}

function fitsParagraph(units: Unit[], from: number, room: number): boolean {
  let t = 0;
  for (let k = from; k < units.length; k++) {
    if (k > from && units[k]!.paragraphStart) return true;
    t += units[k]!.tokens;
    if (t > room) return false;
  }
  return true;
}

/** Splits text into sentence units within paragraphs; any unit over the limit is split further. */
function toUnits(text: string, counter: TokenCounter, limit: number): Unit[] {
  const units: Unit[] = [];
  for (const [pStart, pEnd] of spans(text, PARAGRAPH)) {
    let first = true;
    for (const [sStart, sEnd] of sentenceSpans(text, pStart, pEnd)) {
      for (const piece of fitToLimit(text, sStart, sEnd, counter, limit)) {
        units.push({ ...piece, paragraphStart: first });
        first = false;
      }
    }
  }
  return units;
}

/** Non-blank spans between separators, trimmed of surrounding white space. */
function spans(text: string, separator: RegExp): [number, number][] {
  const out: [number, number][] = [];
  let last = 0;
  const push = (a: number, b: number) => {
    const t = trim(text, a, b);
    if (t) out.push(t);
  };
  for (const m of text.matchAll(separator)) {
    push(last, m.index);
    last = m.index + m[0].length;
  }
  push(last, text.length);
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
function fitToLimit(text: string, start: number, end: number, counter: TokenCounter, limit: number) {
  const tokens = counter.count(text.slice(start, end));
  if (tokens <= limit) return [{ start, end, tokens }];
  const words = [...text.slice(start, end).matchAll(/\S+/g)].map((m) => [start + m.index, start + m.index + m[0].length] as const);
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

function splitChars(text: string, start: number, end: number, counter: TokenCounter, limit: number) {
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
