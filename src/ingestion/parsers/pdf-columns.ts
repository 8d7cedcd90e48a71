/**
 * Lines of PDF text and their reading order across columns (see pdf-layout.ts). Coordinates are
 * PDF user space: x to the right, y up, y the baseline.
 */

/** A stretch of a line apart from the rest by a wide gap: a table cell, a section number. */
export interface Cell {
  text: string;
  x0: number;
  x1: number;
}

export interface Line {
  text: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
  /** 0 left, 1 right, -1 across the gutter (or the page has one column). */
  column: number;
  /** Its stretches left to right; one when no wide gap splits it. */
  cells: Cell[];
}

export /**
 * Reading order. When the lines leave a vertical gutter in the middle of the page that few lines
 * cross, the page has two columns: lines crossing it (titles, wide figures' captions, footers)
 * split the page into bands, and each band is read left column first, then right. Otherwise lines
 * are read top to bottom.
 */
function orderLines(lines: Line[]): Line[] {
  const byY = (a: Line, b: Line) => b.y - a.y || a.x0 - b.x0;
  const gutter = findGutter(lines);
  if (gutter === undefined) return [...lines].sort(byY);
  for (const l of lines) l.column = l.x1 <= gutter ? 0 : l.x0 >= gutter ? 1 : -1;
  const spanning = lines.filter((l) => l.column === -1).sort(byY);
  const out: Line[] = [];
  let above = Infinity;
  for (const s of [...spanning, undefined]) {
    const below = s?.y ?? -Infinity;
    const band = lines.filter((l) => l.column !== -1 && l.y < above && l.y >= below);
    out.push(
      ...band.filter((l) => l.column === 0).sort(byY),
      ...band.filter((l) => l.column === 1).sort(byY),
    );
    if (s) out.push(s);
    above = below;
  }
  return out;
}

/**
 * The x of a column gutter: in the middle half of the text's width, the position crossed by the
 * fewest lines, if at most a tenth of them (or one) cross it and at least three lines lie wholly on each
 * side, side by side (their heights overlap).
 */
function findGutter(lines: readonly Line[]): number | undefined {
  if (lines.length < 6) return undefined;
  const left = Math.min(...lines.map((l) => l.x0));
  const right = Math.max(...lines.map((l) => l.x1));
  const width = right - left;
  let best: { x: number; crossing: number; run: number } | undefined;
  let run: { start: number; crossing: number } | undefined;
  for (let x = left + width * 0.25; x <= right - width * 0.25; x += 1) {
    const crossing = lines.filter((l) => l.x0 < x && l.x1 > x).length;
    if (run && run.crossing === crossing) continue;
    if (run) best = better(best, run, x);
    run = { start: x, crossing };
  }
  if (run) best = better(best, run, right - width * 0.25);
  if (!best || best.crossing > Math.max(1, lines.length * 0.1)) return undefined;
  const gx = best.x;
  const l = lines.filter((k) => k.x1 <= gx);
  const r = lines.filter((k) => k.x0 >= gx);
  if (l.length < 3 || r.length < 3) return undefined;
  const overlap =
    Math.min(Math.max(...l.map((k) => k.y)), Math.max(...r.map((k) => k.y))) -
    Math.max(Math.min(...l.map((k) => k.y)), Math.min(...r.map((k) => k.y)));
  return overlap > 0 ? gx : undefined;
}

/** Prefers fewer crossings, then the wider run of x positions; the gutter is the run's middle. */
function better(
  best: { x: number; crossing: number; run: number } | undefined,
  run: { start: number; crossing: number },
  end: number,
) {
  const candidate = { x: (run.start + end) / 2, crossing: run.crossing, run: end - run.start };
  if (
    !best ||
    candidate.crossing < best.crossing ||
    (candidate.crossing === best.crossing && candidate.run > best.run)
  )
    return candidate;
  return best;
}
