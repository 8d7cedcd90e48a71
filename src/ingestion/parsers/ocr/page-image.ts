import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { getResolvedPDFJS, type getDocumentProxy } from 'unpdf';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type CanvasModule = typeof import('@napi-rs/canvas');

let canvasModule: CanvasModule | undefined;

/**
 * @napi-rs/canvas (Skia, prebuilt in its npm package), loaded on first use: only pages that are
 * rendered for OCR need it. pdf.js draws with the DOM's geometry classes, which Node lacks.
 */
function canvas(): CanvasModule {
  if (!canvasModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    canvasModule = require('@napi-rs/canvas') as CanvasModule;
    const g = globalThis as Record<string, unknown>;
    g.DOMMatrix = canvasModule.DOMMatrix;
    g.Path2D ??= canvasModule.Path2D;
    g.ImageData ??= canvasModule.ImageData;
  }
  return canvasModule;
}

interface CanvasAndContext {
  canvas: Canvas | undefined;
  context: SKRSContext2D | undefined;
}

/** The canvases pdf.js makes while rendering (patterns, masks, groups): Skia ones. */
export class OcrCanvasFactory {
  create(width: number, height: number): CanvasAndContext {
    const c = canvas().createCanvas(Math.max(1, width), Math.max(1, height));
    return { canvas: c, context: c.getContext('2d') };
  }
  reset(target: CanvasAndContext, width: number, height: number): void {
    if (!target.canvas) throw new Error('Canvas is not specified');
    target.canvas.width = width;
    target.canvas.height = height;
  }
  destroy(target: CanvasAndContext): void {
    if (target.canvas) {
      target.canvas.width = 0;
      target.canvas.height = 0;
    }
    target.canvas = undefined;
    target.context = undefined;
  }
}

/** Whether the page paints any image (a scan is one): pages without text but with none are blank. */
export async function paintsImages(page: PdfPage): Promise<boolean> {
  const { OPS } = await getResolvedPDFJS();
  const painters = new Set<number>([
    OPS.paintImageXObject,
    OPS.paintInlineImageXObject,
    OPS.paintInlineImageXObjectGroup,
    OPS.paintImageXObjectRepeat,
    OPS.paintImageMaskXObject,
    OPS.paintImageMaskXObjectGroup,
    OPS.paintImageMaskXObjectRepeat,
  ]);
  const ops = await page.getOperatorList();
  return ops.fnArray.some((op) => painters.has(op));
}

export interface PageImage {
  /** A greyscale PGM (P5) file: what tesseract reads fastest (no compression to undo). */
  image: Uint8Array;
  width: number;
  height: number;
  /** Pixels per PDF point. */
  scale: number;
}

/** Renders a page at `dpi` (less, if the page would exceed `maxPixels`) to a greyscale image. */
export async function renderPage(
  page: PdfPage,
  dpi: number,
  maxPixels: number,
): Promise<PageImage> {
  const unit = page.getViewport({ scale: 1 });
  const fit = Math.sqrt(maxPixels / Math.max(1, unit.width * unit.height));
  const scale = Math.min(dpi / 72, fit);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const target = canvas().createCanvas(width, height);
  const context = target.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  await page.render({ canvas: target, canvasContext: context, viewport }).promise;
  const rgba = context.getImageData(0, 0, width, height).data;
  target.width = 0; // frees the pixels now, not at the next collection
  return { image: toPgm(rgba, width, height), width, height, scale };
}

/** RGBA pixels as a greyscale PGM file (ITU-R 601 luma). */
export function toPgm(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number) {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  const out = new Uint8Array(header.length + width * height);
  out.set(header, 0);
  for (let i = 0, o = header.length; i < width * height; i++, o++) {
    const p = i * 4;
    out[o] = (rgba[p]! * 299 + rgba[p + 1]! * 587 + rgba[p + 2]! * 114) / 1000;
  }
  return out;
}
