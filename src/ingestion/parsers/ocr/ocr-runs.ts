import type { TextRun } from '../pdf-layout';

/** The parts of tesseract.js's recognised blocks read here (pixels, y down from the image's top). */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface OcrWord {
  text: string;
  confidence: number;
  bbox: OcrBox;
}
export interface OcrLine {
  words: OcrWord[];
  baseline: OcrBox;
  rowAttributes?: { rowHeight: number };
  bbox: OcrBox;
}
export interface OcrBlock {
  paragraphs: { lines: OcrLine[] }[];
}

export interface OcrRuns {
  runs: TextRun[];
  /** Mean word confidence, 0-100 (0 when no word was found). */
  confidence: number;
  words: number;
}

/**
 * Recognised words as the text runs a PDF text layer gives (x right, y up, y the baseline, sizes
 * in the page's units), so that the same layout finds lines, columns, paragraphs, headings and
 * tables in scanned pages. `scale` is pixels per page unit (a page rendered at 300 dpi: 300/72).
 * Every word of a line sits on the line's baseline at its middle, so a slightly rotated line stays
 * one line.
 */
export function runsFromBlocks(
  blocks: readonly OcrBlock[],
  imageHeight: number,
  scale = 1,
): OcrRuns {
  const runs: TextRun[] = [];
  let sum = 0;
  let words = 0;
  for (const line of blocks.flatMap((b) => b.paragraphs.flatMap((p) => p.lines))) {
    const baseline = (line.baseline.y0 + line.baseline.y1) / 2;
    const height = line.rowAttributes?.rowHeight || line.bbox.y1 - line.bbox.y0;
    if (height <= 0) continue;
    for (const w of line.words) {
      const text = w.text.trim();
      if (!text) continue;
      sum += w.confidence;
      words++;
      runs.push({
        text,
        x: w.bbox.x0 / scale,
        y: (imageHeight - baseline) / scale,
        width: (w.bbox.x1 - w.bbox.x0) / scale,
        size: height / scale,
      });
    }
  }
  return { runs, confidence: words > 0 ? Math.round((sum / words) * 10) / 10 : 0, words };
}
