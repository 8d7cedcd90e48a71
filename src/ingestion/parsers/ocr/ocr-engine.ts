import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { OEM, PSM, createWorker, type Worker as TesseractWorker } from 'tesseract.js';
import { InvalidInputError } from '../../../common/errors';
import { missingLanguagesMessage, missingOcrLanguages, ocrLanguageDir } from './ocr-languages';
import { OcrRuns, runsFromBlocks } from './ocr-runs';

/** A recogniser idle this long is ended (with its WebAssembly memory: hundreds of MB after a page). */
const IDLE_MS = 60_000;
/** tesseract.js never settles a worker whose start fails quietly: give up after this. */
const START_TIMEOUT_MS = 120_000;

interface Recogniser {
  worker: Promise<TesseractWorker>;
  busy: number;
  idle?: NodeJS.Timeout;
}

/**
 * Tesseract (tesseract.js: the C++ engine compiled to WebAssembly, run in a worker thread of its
 * own) over images, one recogniser per set of languages, started on first use and ended when idle.
 * The language models are read from their npm packages: nothing is downloaded and nothing cached
 * (cacheMethod 'none'). Several languages at once need one folder holding all their models: links
 * to them are made in `dataDir` (under STORAGE_DIR), the only thing OCR writes.
 */
export class OcrEngine {
  private readonly recognisers = new Map<string, Recogniser>();

  /** Words of an image file (PNG, JPEG, TIFF, WebP, BMP, PNM) as text runs; see runsFromBlocks. */
  async recognize(
    image: Uint8Array,
    languages: readonly string[],
    options: { dataDir?: string; scale?: number; height: number },
  ): Promise<OcrRuns> {
    const key = languages.join('+');
    let r = this.recognisers.get(key);
    if (!r) {
      r = { worker: start(languages, options.dataDir), busy: 0 };
      this.recognisers.set(key, r);
      r.worker.catch(() => this.recognisers.delete(key));
    }
    clearTimeout(r.idle);
    r.busy++;
    try {
      const worker = await r.worker;
      // The resolution of a rendered page is known; an image's (0) is its own or estimated.
      const dpi = options.scale === undefined ? 0 : Math.round(options.scale * 72);
      await worker.setParameters({ user_defined_dpi: String(dpi) });
      const { data } = await worker.recognize(
        Buffer.from(image.buffer, image.byteOffset, image.byteLength),
        {},
        { blocks: true, text: false },
      );
      return runsFromBlocks(data.blocks ?? [], options.height, options.scale);
    } finally {
      r.busy--;
      if (r.busy === 0) r.idle = setTimeout(() => void this.end(key), IDLE_MS).unref();
    }
  }

  /** Ends every recogniser (their threads and memory). */
  async close(): Promise<void> {
    await Promise.all([...this.recognisers.keys()].map((k) => this.end(k)));
  }

  private async end(key: string): Promise<void> {
    const r = this.recognisers.get(key);
    if (!r || r.busy > 0) return;
    this.recognisers.delete(key);
    clearTimeout(r.idle);
    await (await r.worker.catch(() => undefined))?.terminate();
  }
}

async function start(languages: readonly string[], dataDir?: string): Promise<TesseractWorker> {
  const missing = missingOcrLanguages(languages);
  if (missing.length > 0)
    throw new InvalidInputError(missingLanguagesMessage(missing), { missing });
  const langPath =
    languages.length === 1 ? ocrLanguageDir(languages[0]!)! : linked(languages, dataDir);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the OCR engine did not start within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    ).unref();
  });
  try {
    const worker = await Promise.race([
      createWorker([...languages], OEM.LSTM_ONLY, {
        langPath,
        gzip: true,
        cacheMethod: 'none',
        errorHandler: () => undefined,
      }),
      timeout,
    ]);
    // Automatic page segmentation without orientation detection (which needs the legacy models);
    // tesseract's notes ("Estimating resolution as ...") go nowhere instead of to stdout.
    await worker.setParameters({
      tessedit_pageseg_mode: PSM.AUTO,
      debug_file: '/dev/null',
    });
    return worker;
  } finally {
    clearTimeout(timer);
  }
}

/** A folder with every language's model, linked (or copied where links are refused) from its package. */
function linked(languages: readonly string[], dataDir: string | undefined): string {
  if (!dataDir)
    throw new InvalidInputError(
      'OCR in several languages at once needs a data folder (STORAGE_DIR)',
    );
  mkdirSync(dataDir, { recursive: true });
  for (const code of languages) {
    const target = path.join(dataDir, `${code}.traineddata.gz`);
    if (existsSync(target)) continue;
    rmSync(target, { force: true }); // a link left pointing at a package that moved
    const source = path.join(ocrLanguageDir(code)!, `${code}.traineddata.gz`);
    try {
      symlinkSync(source, target);
    } catch {
      copyFileSync(source, target);
    }
  }
  return dataDir;
}

/** The parse worker's engine. */
export const ocrEngine = new OcrEngine();
