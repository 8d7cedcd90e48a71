import { Line, orderLines } from './pdf-columns';
import { findTables } from './pdf-tables';

/**
 * Reading order and structure of PDF pages from positioned text runs (what pdf.js reports): runs
 * become lines, lines are assigned to columns by their x positions, columns are read top to bottom
 * one after the other, and lines become paragraphs and headings. Pure: no PDF library here.
 *
 * Coordinates are PDF user space: x to the right, y up, y the baseline.
 */

export interface TextRun {
  text: string;
  x: number;
  y: number;
  width: number;
  /** Font size (the run's vertical scale). */
  size: number;
}

export interface PageText {
  /** 1-based. */
  number: number;
  runs: TextRun[];
}

export type LayoutBlock =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'table'; rows: string[][] };

export interface LaidOutPage {
  number: number;
  blocks: LayoutBlock[];
}

/** Runs on one baseline closer than this many font sizes are one line; a column gutter is wider. */
const JOIN_GAP = 0.9;
/** A line this much larger than the body text may be a heading. */
const HEADING_SCALE = 1.15;
/** The document title is at least this much larger than the body text. */
const TITLE_SCALE = 1.3;
const MAX_HEADING_CHARS = 120;
const NAMED_HEADING =
  /^(abstract|references|bibliography|acknowledge?ments?|appendix(\s+[a-z])?|appendices)$/i;
/** A heading line ending like this goes on on the next line. */
const UNFINISHED = /(\b(and|or|of|for|the|a|an|in|on|to|with|from|by|vs\.?)|[,&-])$/i;
const NUMBERED_HEADING = /^((?:[1-9]\d?|[A-Z])(?:\.\d{1,2}){0,3})\.?\s+(\p{Lu}.*)$/u;

/** Lays out every page; headings are found against the body text size of the whole document. */
export function layoutPages(pages: readonly PageText[]): { pages: LaidOutPage[]; title?: string } {
  const lines = pages.map((p) => joinBaselines(orderLines(toLines(p.runs))));
  const body = bodySize(lines.flat());
  const title = findTitle(lines[0] ?? [], body);
  const levels = headingLevels(lines.flat(), body, title?.size);
  return {
    pages: pages.map((p, i) => ({
      number: p.number,
      blocks: toBlocks(lines[i]!, body, levels, title?.size),
    })),
    ...(title ? { title: title.text } : {}),
  };
}

/** Groups runs into lines: same baseline (superscripts included), horizontally adjacent. */
function toLines(runs: readonly TextRun[]): Line[] {
  const lines: (Line & { chars: Map<number, number> })[] = [];
  const sorted = runs
    .filter((r) => r.text.trim() && r.size > 0)
    .sort((a, b) => a.x - b.x || b.y - a.y);
  for (const r of sorted) {
    const line = lines.find(
      (l) =>
        Math.abs(l.y - r.y) <= 0.4 * Math.max(l.size, r.size) &&
        r.x - l.x1 <= JOIN_GAP * Math.max(l.size, r.size) &&
        r.x >= l.x0,
    );
    if (!line) {
      lines.push({
        text: r.text,
        x0: r.x,
        x1: r.x + r.width,
        y: r.y,
        size: r.size,
        column: -1,
        cells: [],
        chars: new Map([[round(r.size), r.text.length]]),
      });
      continue;
    }
    const gap = r.x - line.x1;
    const spaced =
      gap > 0.15 * Math.min(line.size, r.size) && !/\s$/.test(line.text) && !/^\s/.test(r.text);
    line.text += (spaced ? ' ' : '') + r.text;
    line.x1 = Math.max(line.x1, r.x + r.width);
    line.chars.set(round(r.size), (line.chars.get(round(r.size)) ?? 0) + r.text.length);
    // The baseline is that of the larger text (a superscript sits above it).
    if (r.size > line.size) line.y = r.y;
    line.size = Math.max(line.size, r.size);
  }
  // The line's size is that of most of its characters, not of a superscript or a large symbol.
  return lines
    .map(({ chars, ...l }) => {
      const text = l.text.replace(/\s+/g, ' ').trim();
      return {
        ...l,
        text,
        size: [...chars].sort((a, b) => b[1] - a[1])[0]![0],
        cells: [{ text, x0: l.x0, x1: l.x1 }],
      };
    })
    .filter((l) => l.text);
}

/**
 * Lines of one column on the same baseline, apart only by a wide gap (a section number and its
 * title, the cells of a table row), become one line, in reading order.
 */
function joinBaselines(lines: readonly Line[]): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const prev = out.at(-1);
    if (
      prev &&
      prev.column === l.column &&
      l.x0 >= prev.x1 &&
      Math.abs(prev.y - l.y) <= 0.4 * Math.max(prev.size, l.size)
    ) {
      out[out.length - 1] = {
        ...prev,
        text: `${prev.text} ${l.text}`,
        x1: l.x1,
        cells: [...prev.cells, ...l.cells],
        size: Math.max(prev.size, l.size),
      };
    } else {
      out.push(l);
    }
  }
  return out;
}

/** The font size that carries the most characters. */
function bodySize(lines: readonly Line[]): number {
  const chars = new Map<number, number>();
  for (const l of lines) chars.set(round(l.size), (chars.get(round(l.size)) ?? 0) + l.text.length);
  return [...chars].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 10;
}

/** The largest text of the first page, when it is clearly larger than the body: the document title. */
function findTitle(
  firstPage: readonly Line[],
  body: number,
): { text: string; size: number } | undefined {
  const size = Math.max(0, ...firstPage.map((l) => round(l.size)));
  if (size < body * TITLE_SCALE) return undefined;
  const text = firstPage
    .filter((l) => round(l.size) === size)
    .map((l) => l.text)
    .join(' ');
  return text.length <= 300 ? { text, size } : undefined;
}

/** Levels of unnumbered headings by size: the largest heading size is level 1. */
function headingLevels(
  lines: readonly Line[],
  body: number,
  titleSize?: number,
): Map<number, number> {
  const sizes = [
    ...new Set(
      lines
        .filter(
          (l) =>
            l.size >= body * HEADING_SCALE &&
            l.text.length <= MAX_HEADING_CHARS &&
            round(l.size) !== titleSize,
        )
        .map((l) => round(l.size)),
    ),
  ];
  return new Map(sizes.sort((a, b) => b - a).map((s, i) => [s, i + 1]));
}

/** A heading's level, or undefined when the line is body text. */
function headingLevel(
  line: Line,
  body: number,
  levels: Map<number, number>,
  short: boolean,
): number | undefined {
  const text = line.text;
  if (
    text.length > MAX_HEADING_CHARS ||
    !/\p{L}{2}/u.test(text) ||
    /[.,;:]$/.test(text) ||
    line.size < body * 0.95
  )
    return undefined;
  const numbered = text.match(NUMBERED_HEADING);
  const large = line.size >= body * HEADING_SCALE;
  if (numbered && (large || short) && text.split(/\s+/).length <= 14)
    return numbered[1]!.split('.').length;
  if (NAMED_HEADING.test(text)) return 1;
  return large ? levels.get(round(line.size)) : undefined;
}

/** Paragraphs and headings of a page, from its lines in reading order. */
function toBlocks(
  lines: readonly Line[],
  body: number,
  levels: Map<number, number>,
  titleSize?: number,
): LayoutBlock[] {
  const blocks: LayoutBlock[] = [];
  const pitch = linePitch(lines);
  const columnLeft = new Map<number, number>();
  const columnRight = new Map<number, number>();
  for (const l of lines) {
    columnLeft.set(l.column, Math.min(columnLeft.get(l.column) ?? Infinity, l.x0));
    columnRight.set(l.column, Math.max(columnRight.get(l.column) ?? -Infinity, l.x1));
  }
  let paragraph: Line[] = [];
  let heading: { level: number; lines: Line[] } | undefined;
  const flush = () => {
    if (heading)
      blocks.push({
        kind: 'heading',
        level: heading.level,
        text: heading.lines.map((l) => l.text).join(' '),
      });
    else if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: joinLines(paragraph) });
    paragraph = [];
    heading = undefined;
  };
  const tables = findTables(lines, pitch);
  const tableAt = new Map(tables.map((t) => [t.start, t]));
  const inTable = new Set(tables.flatMap((t) => range(t.start, t.end)));
  lines.forEach((line, i) => {
    const table = tableAt.get(i);
    if (table) {
      flush();
      blocks.push({ kind: 'table', rows: table.rows });
    }
    if (inTable.has(i)) return;
    const prev = lines[i - 1];
    // Shorter than a full line: it ends well before the column's right edge.
    const short = (columnRight.get(line.column) ?? line.x1) - line.x1 > line.size;
    const level =
      round(line.size) === titleSize ? undefined : headingLevel(line, body, levels, short);
    // A heading that wraps continues on the next line: at its larger size, or after a word that cannot end it.
    const continues =
      heading !== undefined &&
      prev !== undefined &&
      !startsBlock(line, prev, pitch, columnLeft) &&
      round(prev.size) === round(line.size);
    if (
      continues &&
      ((level !== undefined && heading!.level === level && !NUMBERED_HEADING.test(line.text)) ||
        UNFINISHED.test(prev.text))
    ) {
      heading!.lines.push(line);
      return;
    }
    if (level !== undefined || heading || !prev || startsBlock(line, prev, pitch, columnLeft))
      flush();
    if (level !== undefined) heading = { level, lines: [line] };
    else paragraph.push(line);
  });
  flush();
  return blocks;
}

/** Whether a line starts a new block after the previous one in reading order. */
function startsBlock(
  line: Line,
  prev: Line,
  pitch: number,
  columnLeft: Map<number, number>,
): boolean {
  if (line.column !== prev.column) return true;
  const drop = prev.y - line.y;
  if (drop <= 0 || drop > pitch * 1.3 + 0.5) return true;
  if (Math.abs(line.size - prev.size) > 0.15 * prev.size) return true;
  if (/^[•◦▪‣●○■□–]\s/.test(line.text)) return true;
  // An indented first line after a line that ends a sentence.
  const indent = line.x0 - (columnLeft.get(line.column) ?? line.x0);
  return indent > 0.8 * line.size && /[.!?:]["'”)\]]?$/.test(prev.text);
}

/** The usual distance between baselines of consecutive lines in a column. */
function linePitch(lines: readonly Line[]): number {
  const drops: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const a = lines[i - 1]!;
    const b = lines[i]!;
    const drop = a.y - b.y;
    if (a.column === b.column && drop > 0.8 * b.size && drop < 2.5 * b.size) drops.push(drop);
  }
  if (drops.length === 0) return 1.2 * (lines[0]?.size ?? 10);
  drops.sort((a, b) => a - b);
  return drops[Math.floor(drops.length / 2)]!;
}

/**
 * Lines of a paragraph, one per line; a word hyphenated across a line break is joined again
 * (unless it already has a hyphen: "left-to-" + "right" stays "left-to-right").
 */
function joinLines(lines: readonly Line[]): string {
  let text = lines[0]!.text;
  for (const l of lines.slice(1)) {
    const broken = text.match(/(?:^|\s)(\S*)\p{Ll}-$/u);
    if (broken && /^\p{Ll}/u.test(l.text))
      text = broken[1]!.includes('-') ? text + l.text : text.slice(0, -1) + l.text;
    else text += `\n${l.text}`;
  }
  return text;
}

const round = (size: number) => Math.round(size * 2) / 2;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
