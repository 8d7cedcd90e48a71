import type { Cell, Line } from './pdf-columns';

/** A table among a page's lines: lines [start, end) in reading order, as rows of cells. */
export interface FoundTable {
  start: number;
  end: number;
  /** The first row is the header. Cells missing from a row are empty. */
  rows: string[][];
}

const MIN_ROWS = 3;
/** Two "columns" of cells this long on average are prose in two columns, not a table. */
const PROSE_CELL_CHARACTERS = 30;

/**
 * Tables among lines in reading order: three or more consecutive lines of one column, each cut by
 * wide gaps into two cells or more, spaced like lines of text, whose cells stand under the cells
 * of the first line (overlapping them, or aligned on their left edge, right edge or centre within
 * a font size). The first line is the header row. A table row whose text wraps onto a line of one
 * cell ends the table there.
 */
export function findTables(lines: readonly Line[], pitch: number): FoundTable[] {
  const out: FoundTable[] = [];
  let i = 0;
  while (i < lines.length) {
    const head = lines[i]!;
    const rows: string[][] = [head.cells.map((c) => c.text)];
    let j = i + 1;
    for (; head.cells.length >= 2 && j < lines.length; j++) {
      const line = lines[j]!;
      const drop = lines[j - 1]!.y - line.y;
      if (line.column !== head.column || line.cells.length < 2) break;
      if (drop <= 0 || drop > pitch * 2.5 + 0.5) break;
      const row = placeCells(line.cells, head.cells, line.size);
      if (!row) break;
      rows.push(row);
    }
    if (rows.length >= MIN_ROWS && !isProse(rows)) {
      out.push({ start: i, end: j, rows });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/** The row's cells under the header's columns, left to right; undefined when one fits none. */
function placeCells(
  cells: readonly Cell[],
  columns: readonly Cell[],
  size: number,
): string[] | undefined {
  const row = columns.map(() => '');
  let k = 0;
  for (const c of cells) {
    while (k < columns.length && !under(c, columns[k]!, size)) k++;
    if (k === columns.length) return undefined;
    row[k] = c.text;
    k++;
  }
  return row;
}

function under(c: Cell, column: Cell, size: number): boolean {
  const overlap = Math.min(c.x1, column.x1) - Math.max(c.x0, column.x0);
  return (
    overlap > 0 ||
    Math.abs(c.x0 - column.x0) <= size ||
    Math.abs(c.x1 - column.x1) <= size ||
    Math.abs(c.x0 + c.x1 - column.x0 - column.x1) / 2 <= size
  );
}

/**
 * Lines that only look like rows: justified prose, whose wide word gaps cut it into "cells" (a
 * third of them or more read as running text: a lone lowercase word, several words starting in
 * lowercase, a word hyphenated at the line end), or two columns of long stretches.
 */
function isProse(rows: readonly string[][]): boolean {
  const cells = rows.flat().filter(Boolean);
  if (cells.filter(runningText).length * 3 >= cells.length) return true;
  if (rows[0]!.length > 2) return false;
  return cells.reduce((n, c) => n + c.length, 0) / cells.length > PROSE_CELL_CHARACTERS;
}

const runningText = (cell: string): boolean =>
  /^\p{Ll}+[,.;:]?$/u.test(cell) ||
  (/^\p{Ll}/u.test(cell) && cell.split(' ').length >= 3) ||
  /\p{L}-$/u.test(cell);
