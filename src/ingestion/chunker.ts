import { Unit, toUnits } from './chunk-units';
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
 * chunk.text === document.slice(chunk.start, chunk.end), except that a chunk starting inside a
 * table (after its header row) begins with the header row and a line break: its text is
 * `${header}\n${document.slice(chunk.start, chunk.end)}`. Table rows are never split between
 * chunks unless one alone is over the limit.
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
  /** Read by OCR: the mean confidence (0-100) of its pages, weighted by its characters on each; else null. */
  ocrConfidence: number | null;
  /** Characters at the start of text that repeat its table's header row (0 when none). */
  headerLength: number;
}

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
      const units = toUnits(text, start, end, counter, limit, structure.tables);
      const step: Chunk[] = [];
      for (const piece of pack(text, units, counter, {
        limit,
        overlap,
        maxTokens: options.maxTokens,
      })) {
        const header = piece.header ? `${piece.header}\n` : '';
        step.push({
          ordinal: ordinal++,
          text: header + text.slice(piece.start, piece.end),
          start: piece.start,
          end: piece.end,
          tokenCount: piece.tokens,
          sectionPath: part.sectionPath,
          pageStart: pageAt(structure.pages, piece.start),
          pageEnd: pageAt(structure.pages, piece.end - 1),
          ocrConfidence: ocrConfidenceOf(structure.pages, piece.start, piece.end),
          headerLength: header.length,
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

/**
 * The OCR confidence of [start, end): the mean over the OCR'd pages it overlaps, weighted by the
 * characters on each; null when none of it was read by OCR.
 */
function ocrConfidenceOf(pages: readonly PageSpan[], start: number, end: number): number | null {
  let chars = 0;
  let sum = 0;
  for (const p of pages) {
    if (p.ocrConfidence === undefined || p.end <= start || p.start >= end) continue;
    const n = Math.min(end, p.end) - Math.max(start, p.start);
    chars += n;
    sum += n * p.ocrConfidence;
  }
  return chars > 0 ? Math.round((sum / chars) * 10) / 10 : null;
}

/**
 * The header row a chunk starting at unit i repeats: when the unit is a later row of a table
 * (not the header itself), and the header takes at most half the limit.
 */
function headerFor(text: string, u: Unit, counter: TokenCounter, limit: number) {
  if (!u.table || u.header) return undefined;
  const header = text.slice(u.table.start, u.table.headerEnd);
  const tokens = counter.count(header);
  return tokens <= limit / 2 ? { text: header, tokens } : undefined;
}

/**
 * Greedy packing of whole units into chunks within the limit, repeating trailing units as overlap.
 * A chunk that starts inside a table, after its header, repeats the header within its limit.
 */
function pack(
  text: string,
  units: Unit[],
  counter: TokenCounter,
  o: { limit: number; overlap: number; maxTokens: number },
) {
  const out: { start: number; end: number; tokens: number; header?: string }[] = [];
  let i = 0;
  while (i < units.length) {
    const found = headerFor(text, units[i]!, counter, o.limit);
    // A piece of a row that fills a chunk alone goes without the header.
    const header = found && found.tokens + units[i]!.tokens <= o.limit ? found : undefined;
    const limit = o.limit - (header?.tokens ?? 0);
    let j = i;
    let tokens = 0;
    // Greedy fill with whole units; prefer to stop at a paragraph end once the chunk is well filled.
    while (j < units.length) {
      const u = units[j]!;
      if (j > i && tokens + u.tokens > limit) break;
      if (
        j > i &&
        u.paragraphStart &&
        tokens >= limit * 0.6 &&
        !fitsParagraph(units, j, limit - tokens)
      )
        break;
      tokens += u.tokens;
      j++;
    }
    // The joined text can tokenize differently from its parts: measure it and give back units.
    let prefix = header ? `${header.text}\n` : '';
    const measure = (end: number) =>
      counter.count(prefix + text.slice(units[i]!.start, units[end - 1]!.end));
    let end = j;
    let measured = measure(end);
    while (measured > o.maxTokens && end - 1 > i) {
      end--;
      measured = measure(end);
    }
    // A row that fits alone but not after its header goes without it.
    if (measured > o.maxTokens && prefix) {
      prefix = '';
      measured = measure(end);
    }
    out.push({
      start: units[i]!.start,
      end: units[end - 1]!.end,
      tokens: measured,
      ...(prefix ? { header: header!.text } : {}),
    });
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
