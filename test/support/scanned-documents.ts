/**
 * Scanned documents made by the tests themselves, never downloaded: known text rendered to an
 * image with @napi-rs/canvas (DejaVu Sans from the dejavu-fonts-ttf package, so no system font is
 * needed), pages wrapped in a PDF with pdf-lib (text pages in Helvetica beside scanned ones), a
 * filled AcroForm, and the character error rate to compare what OCR read with what was drawn.
 */
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const FONT = 'RagdTestSans';
GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), FONT);

export interface ScanOptions {
  /** Degrees clockwise, as a page fed slightly askew. */
  rotate?: number;
  /** Pixels per inch of the scan (default 200). */
  dpi?: number;
  /** Points (default 12). */
  fontSize?: number;
  format?: 'png' | 'jpeg';
  /** A heading drawn larger above the lines. */
  heading?: string;
}

/** A US Letter page of text as a scanner would give it: an image, black on white, no text layer. */
export async function scanImage(lines: readonly string[], o: ScanOptions = {}): Promise<Buffer> {
  const dpi = o.dpi ?? 200;
  const px = (pt: number) => Math.round((pt * dpi) / 72);
  const width = px(612);
  const height = px(792);
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.translate(width / 2, height / 2);
  g.rotate(((o.rotate ?? 0) * Math.PI) / 180);
  g.translate(-width / 2, -height / 2);
  g.fillStyle = '#111111';
  let y = px(90);
  if (o.heading) {
    g.font = `${px(18)}px ${FONT}`;
    g.fillText(o.heading, px(72), y);
    y += px(36);
  }
  g.font = `${px(o.fontSize ?? 12)}px ${FONT}`;
  for (const line of lines) {
    g.fillText(line, px(72), y);
    y += px((o.fontSize ?? 12) * 1.5);
  }
  return o.format === 'jpeg' ? canvas.encode('jpeg', 85) : canvas.encode('png');
}

export type MixedPage =
  { text: readonly string[] } | { scan: readonly string[]; options?: ScanOptions };

/** A PDF of text pages (a real text layer) and scanned pages (one full-page image each). */
export async function makeMixedPdf(pages: readonly MixedPage[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const spec of pages) {
    const page = pdf.addPage([612, 792]);
    if ('text' in spec) {
      spec.text.forEach((line, i) =>
        page.drawText(line, { x: 72, y: 700 - i * 18, size: 12, font }),
      );
      continue;
    }
    const bytes = await scanImage(spec.scan, spec.options);
    const image =
      spec.options?.format === 'jpeg' ? await pdf.embedJpg(bytes) : await pdf.embedPng(bytes);
    page.drawImage(image, { x: 0, y: 0, width: 612, height: 792 });
  }
  return Buffer.from(await pdf.save());
}

export interface FormSpec {
  /** Printed text of the form's page. */
  printed: readonly string[];
  /** Text fields: name, value ('' leaves it empty), and how far down the page (points from the top). */
  fields: readonly { name: string; value: string; top: number; multiline?: boolean }[];
  /** Check boxes: name, ticked or not. */
  checks?: readonly { name: string; checked: boolean; top: number }[];
}

/** A one-page AcroForm filled in with pdf-lib: printed labels and widgets holding the values. */
export async function makeFormPdf(spec: FormSpec): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([612, 792]);
  spec.printed.forEach((line, i) =>
    page.drawText(line, { x: 72, y: 740 - i * 18, size: 12, font }),
  );
  const form = pdf.getForm();
  for (const f of spec.fields) {
    const field = form.createTextField(f.name);
    if (f.multiline) field.enableMultiline();
    field.addToPage(page, { x: 200, y: 792 - f.top, width: 340, height: f.multiline ? 80 : 18 });
    if (f.value) field.setText(f.value);
  }
  for (const c of spec.checks ?? []) {
    const box = form.createCheckBox(c.name);
    box.addToPage(page, { x: 200, y: 792 - c.top, width: 14, height: 14 });
    if (c.checked) box.check();
  }
  return Buffer.from(await pdf.save());
}

/** Levenshtein distance between the texts over their length, white space runs counted as one space. */
export function characterErrorRate(expected: string, actual: string): number {
  const a = [...expected.replace(/\s+/g, ' ').trim()];
  const b = [...actual.replace(/\s+/g, ' ').trim()];
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  let prev = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const substitute = prev[j - 1]! + (ai === b[j - 1] ? 0 : 1);
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, substitute);
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length]! / a.length;
}
