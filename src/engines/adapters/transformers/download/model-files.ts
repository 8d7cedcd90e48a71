import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Dtype } from '../../../../config/settings';
import { DTYPE_SUFFIXES } from '../onnx-weights';

/** A file transformers.js reads to load a model. */
export interface NeededFile {
  /** Relative to the model's folder, `/`-separated as on the hub. */
  path: string;
  /** A model without it cannot load; an optional file is fetched when the hub has it. */
  required: boolean;
  /** Weights (an `.onnx` graph or its external data): fetched last, largest last. */
  weights: boolean;
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

/** The folder of model `id` ("name" or "org/name") under MODELS_DIR. */
export function modelFolder(modelsDir: string, id: string): string {
  return path.join(modelsDir, ...id.split('/'));
}

/**
 * What transformers.js reads to load the model that `config` (its config.json) describes at
 * `dtype`, for ragd's tasks (text embedding, cross-encoder scoring, causal generation, all one
 * ONNX session named `model`): config.json, tokenizer.json and tokenizer_config.json, the weights
 * `onnx/model<suffix>.onnx` with the external data files `transformers.js_config.
 * use_external_data_format` declares (`<file>_data`, `<file>_data_1`, ...), and
 * generation_config.json when the hub has it. Worked out here, not by transformers.js's
 * ModelRegistry, whose import stalls the main thread for a few hundred milliseconds; a unit test
 * holds the two to the same answer.
 */
export function neededFiles(config: Record<string, unknown>, dtype: Dtype): NeededFile[] {
  const suffix = DTYPE_SUFFIXES.find(([d]) => d === dtype)?.[1] ?? '';
  const weights = `model${suffix}.onnx`;
  const custom = (config['transformers.js_config'] ?? {}) as { use_external_data_format?: unknown };
  const chunks = externalDataChunks(custom.use_external_data_format, weights, 'model');
  const data = Array.from({ length: chunks }, (_, i) => `${weights}_data${i === 0 ? '' : `_${i}`}`);
  return [
    { path: 'config.json', required: true, weights: false },
    ...TOKENIZER_FILES.map((f) => ({ path: f, required: true, weights: false })),
    { path: 'generation_config.json', required: false, weights: false },
    ...[weights, ...data].map((f) => ({ path: `onnx/${f}`, required: true, weights: true })),
  ];
}

/** How many external data files a weights file has (transformers.js's resolveExternalDataFormat). */
function externalDataChunks(declared: unknown, file: string, session: string): number {
  if (!declared) return 0;
  if (typeof declared === 'object') {
    const byFile = declared as Record<string, unknown>;
    if (file in byFile) return Number(byFile[file]);
    if (session in byFile) return Number(byFile[session]);
    return 0;
  }
  return Number(declared); // true: one, false: none, a number: that many
}

/**
 * The required files of `id` at `dtype` that are not in MODELS_DIR, without touching the network:
 * undefined when there is not even a config.json (then everything is missing). A file under its
 * final name is complete (downloads write elsewhere and rename when verified).
 */
export async function missingFiles(
  modelsDir: string,
  id: string,
  dtype: Dtype,
): Promise<string[] | undefined> {
  const dir = modelFolder(modelsDir, id);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
  const missing: string[] = [];
  for (const f of neededFiles(config, dtype)) {
    if (!f.required) continue;
    const there = await fs.stat(path.join(dir, ...f.path.split('/'))).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!there) missing.push(f.path);
  }
  return missing;
}
