import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Dtype } from '../../../../config/settings';

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
 * What transformers.js will read to load the model that `config` (its config.json) describes at
 * `dtype` on `device`: config.json, the tokenizer, the weights of each ONNX session with their
 * external data files, and the optional configs of the architecture (generation_config.json for
 * generators). Worked out by transformers.js itself (ModelRegistry.get_model_files, offline when
 * given the config), so the list follows its naming rules.
 */
export async function neededFiles(
  id: string,
  config: Record<string, unknown>,
  dtype: Dtype,
  device: string,
): Promise<NeededFile[]> {
  const { ModelRegistry } = await import('@huggingface/transformers');
  type Options = Parameters<typeof ModelRegistry.get_model_files>[1];
  // A plain config.json object: transformers.js wraps it in its PretrainedConfig itself.
  const options = { config, dtype, device } as unknown as Options;
  const modelFiles = await ModelRegistry.get_model_files(id, options);
  const out = new Map<string, NeededFile>();
  for (const f of [...modelFiles, ...TOKENIZER_FILES]) {
    const weights = f.startsWith('onnx/');
    const required = weights || f === 'config.json' || TOKENIZER_FILES.includes(f);
    out.set(f, { path: f, required, weights });
  }
  return [...out.values()];
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
  device: string,
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
  for (const f of await neededFiles(id, config, dtype, device)) {
    if (!f.required) continue;
    const there = await fs.stat(path.join(dir, ...f.path.split('/'))).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!there) missing.push(f.path);
  }
  return missing;
}
