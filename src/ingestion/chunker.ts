import {
  DocumentStructure,
  NO_STRUCTURE,
  PageSpan,
  Section,
  formatSectionPath,
} from './parsers/structured-document';
import type { TokenCounter } from '../engines/token-counter';

/**
 * Token-aware, structure-aware chunking. Chunks follow sections (a chunk never straddles a heading,
 * except that a heading with no text of its own goes with the section after it), then paragraphs
 * and sentences; they never exceed the token limit of the embedding model (measured with its own
 * tokenizer, special tokens included), and keep exact character offsets:
 * chunk.text === document.slice(chunk.start, chunk.end).
 */

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
  /** The headings the chunk is under, "Methods > Training"; null outside any section. */
  sectionPath: string | null;
  /** First and last page the chunk's text is on; null when the document is not paged. */
  pageStart: number | null;
  pageEnd: number | null;
}

interface Unit {
  start: number;
  end: number;
  tokens: number;
  /** First unit of a paragraph. */
  paragraphStart: boolean;
}

const PARAGRAPH = /\n[ \t]*\n+/g;
// A sentence ends at . ! ? (and closing quotes/brackets) followed by white space.
const SENTENCE_END = /[.!?。！？]+["'”’)\]]*(?=\s)/g;

export function chunkText(
  text: string,
  counter: TokenCounter,
  options: ChunkOptions,
  structure: DocumentStructure = NO_STRUCTURE,
): Chunk[] {
  const chunks: Chunk[] = [];
  for (const step of chunkTextInSteps(text, counter, options, structure))
    for (const c of step) chunks.push(c);
  return chunks;
}

/** Characters chunked in one step: a long section is cut at a paragraph break (or a line, or a space) below this. */
export const STEP_CHARACTERS = 64 * 1024;

/**
 * The same chunks a step at a time: a section, or a window of at most STEP_CHARACTERS of a longer
 * one, so that a caller can let other work run between steps (a 100 MB text is chunked in pieces).
 * A window ends at a paragraph break where there is one, so only chunks that would have spanned the
 * cut differ from chunking the section whole, and overlap does not reach across it.
 */
export function* chunkTextInSteps(
  text: string,
  counter: TokenCounter,
  options: ChunkOptions,
  structure: DocumentStructure = NO_STRUCTURE,
): Generator<Chunk[]> {
  const limit = Math.max(1, Math.min(options.size, options.maxTokens));
  const overlap = structure.records
    ? 0
    : Math.max(0, Math.min(options.overlap, Math.floor(limit / 2)));
  let ordinal = 0;
  for (const part of parts(text, structure.sections)) {
    for (const [start, end] of windows(text, part.start, part.end)) {
      const units = toUnits(text, start, end, counter, limit);
      const step: Chunk[] = [];
      for (const piece of pack(text, units, counter, {
        limit,
        overlap,
        maxTokens: options.maxTokens,
      })) {
        step.push({
          ordinal: ordinal++,
          text: text.slice(piece.start, piece.end),
          start: piece.start,
          end: piece.end,
          tokenCount: piece.tokens,
          sectionPath: part.sectionPath,
          pageStart: pageAt(structure.pages, piece.start),
          pageEnd: pageAt(structure.pages, piece.end - 1),
        });
      }
      yield step;
    }
  }
}

/** [from, to) cut into windows of at most STEP_CHARACTERS, each ending at the last paragraph break, line break or space before the limit. */
function* windows(text: string, from: number, to: number): Generator<[number, number]> {
  let start = from;
  while (to - start > STEP_CHARACTERS) {
    const slice = text.slice(start, start + STEP_CHARACTERS);
    const paragraph = slice.lastIndexOf('\n\n');
    const cut =
      paragraph > 0 ? paragraph + 2 : Math.max(slice.lastIndexOf('\n'), slice.lastIndexOf(' ')) + 1;
    const end = cut > 0 ? start + cut : start + STEP_CHARACTERS;
    yield [start, end];
    start = end;
  }
  yield [start, to];
}

/**
 * The spans chunked separately: one per section, a section with no text below its heading joined
 * to the one after it (and named by it); text outside sections is a span with no path.
 */
function parts(
  text: string,
  sections: readonly Section[],
): { start: number; end: number; sectionPath: string | null }[] {
  const out: { start: number; end: number; sectionPath: string | null }[] = [];
  let covered = 0;
  let pendingStart: number | undefined;
  sections.forEach((s, i) => {
    if (s.start > covered && pendingStart === undefined)
      out.push({ start: covered, end: s.start, sectionPath: null });
    covered = s.end;
    if (!text.slice(s.bodyStart, s.end).trim() && i < sections.length - 1) {
      pendingStart ??= s.start;
      return;
    }
    out.push({
      start: pendingStart ?? s.start,
      end: s.end,
      sectionPath: formatSectionPath(s.path),
    });
    pendingStart = undefined;
  });
  if (covered < text.length) out.push({ start: covered, end: text.length, sectionPath: null });
  return out;
}

/** The page an offset is on: the last non-empty page starting at or before it. */
function pageAt(pages: readonly PageSpan[], offset: number): number | null {
  let lo = 0;
  let hi = pages.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pages[mid]!.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  while (found > 0 && pages[found]!.start === pages[found]!.end) found--;
  return found >= 0 ? pages[found]!.page : null;
}

/** Greedy packing of whole units into chunks within the limit, repeating trailing units as overlap. */
function pack(
  text: string,
  units: Unit[],
  counter: TokenCounter,
  o: { limit: number; overlap: number; maxTokens: number },
) {
  const out: { start: number; end: number; tokens: number }[] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let tokens = 0;
    // Greedy fill with whole units; prefer to stop at a paragraph end once the chunk is well filled.
    while (j < units.length) {
      const u = units[j]!;
      if (j > i && tokens + u.tokens > o.limit) break;
      if (
        j > i &&
        u.paragraphStart &&
        tokens >= o.limit * 0.6 &&
        !fitsParagraph(units, j, o.limit - tokens)
      )
        break;
      tokens += u.tokens;
      j++;
    }
    // The joined text can tokenize differently from its parts: measure it and give back units.
    let end = j;
    let measured = counter.count(text.slice(units[i]!.start, units[end - 1]!.end));
    while (measured > o.maxTokens && end - 1 > i) {
      end--;
      measured = counter.count(text.slice(units[i]!.start, units[end - 1]!.end));
    }
    out.push({ start: units[i]!.start, end: units[end - 1]!.end, tokens: measured });
    if (end >= units.length) break;
    // Overlap: repeat trailing whole units of this chunk, but always move forward.
    let next = end;
    let carried = 0;
    while (next - 1 > i && carried + units[next - 1]!.tokens <= o.overlap) {
      carried += units[next - 1]!.tokens;
      next--;
    }
    i = next;
  }
  return out;
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

/** Splits [from, to) into sentence units within paragraphs; any unit over the limit is split further. */
function toUnits(
  text: string,
  from: number,
  to: number,
  counter: TokenCounter,
  limit: number,
): Unit[] {
  const units: Unit[] = [];
  for (const [pStart, pEnd] of spans(text, from, to, PARAGRAPH)) {
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
