/**
 * pdf.js, loaded only when a PDF is shown (its own chunk; the worker is a separate file). Renders a
 * page to a canvas at a given width and finds where the cited passage's text runs are on it.
 */
import { GlobalWorkerOptions, Util, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import type { TextItem } from 'pdfjs-dist/types/src/display/api';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { runsInPassage } from './passage-match';

GlobalWorkerOptions.workerSrc = workerUrl;

const open = new Map<string, Promise<PDFDocumentProxy>>();

/** A document's pages from its bytes (kept per key: a second citation of it opens at once). */
export function openPdf(key: string, bytes: () => Promise<ArrayBuffer>): Promise<PDFDocumentProxy> {
  let doc = open.get(key);
  if (!doc) {
    doc = bytes().then(
      (data) =>
        getDocument({
          data: new Uint8Array(data),
          standardFontDataUrl: '/pdfjs/standard_fonts/',
          cMapUrl: '/pdfjs/cmaps/',
          cMapPacked: true,
          iccUrl: '/pdfjs/iccs/',
          wasmUrl: '/pdfjs/wasm/',
          isEvalSupported: false,
          enableXfa: false,
        }).promise,
    );
    doc.catch(() => open.delete(key));
    open.set(key, doc);
  }
  return doc;
}

export interface Mark {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Draws page `n` into the canvas, `width` CSS pixels wide; the passage's runs as boxes in CSS pixels. */
export async function renderPage(
  doc: PDFDocumentProxy,
  n: number,
  canvas: HTMLCanvasElement,
  width: number,
  passage: string | null,
): Promise<{ marks: Mark[]; height: number }> {
  const page = await doc.getPage(n);
  const scale = width / page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  await page.render({
    canvas,
    viewport,
    ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}),
  }).promise;
  if (!passage) return { marks: [], height: viewport.height };
  const content = await page.getTextContent();
  const runs = content.items.filter((i): i is TextItem => 'str' in i);
  const inPassage = runsInPassage(
    runs.map((r) => r.str),
    passage,
  );
  const marks: Mark[] = [];
  runs.forEach((run, i) => {
    if (!inPassage[i]) return;
    const t = Util.transform(viewport.transform, run.transform) as number[];
    const height = Math.hypot(t[2]!, t[3]!);
    marks.push({
      left: t[4]!,
      top: t[5]! - height,
      width: run.width * scale,
      height: height * 1.2,
    });
  });
  return { marks, height: viewport.height };
}
