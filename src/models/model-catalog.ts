import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dtype, Settings } from '../config/settings';
import type { ModelTask } from '../engines/adapters/transformers/inference-protocol';
import { dtypeOfWeights } from '../engines/adapters/transformers/onnx-weights';

/** A model folder found under MODELS_DIR (Hugging Face layout: config.json, onnx/*.onnx). */
export interface LocalModel {
  id: string;
  task: ModelTask;
  /** Precisions with weights present, and the bytes of each (external data files included). */
  dtypes: Partial<Record<Dtype, number>>;
  /** When the folder was last changed, epoch seconds. */
  created: number;
}

/** The precision a task's models are used at (EMBEDDING_DTYPE, GENERATION_DTYPE, RERANK_DTYPE). */
export function configuredDtype(settings: Settings, task: ModelTask): Dtype {
  return task === 'embedding'
    ? settings.embedding.dtype
    : task === 'generation'
      ? settings.generation.dtype
      : settings.rerank.dtype;
}

/** The task a model's config.json declares: a cross-encoder classifies, a causal LM generates, the rest embed. */
export function taskOf(config: { architectures?: unknown; model_type?: unknown }): ModelTask {
  const arch = Array.isArray(config.architectures)
    ? config.architectures.map(String).join(' ')
    : '';
  if (/ForSequenceClassification/.test(arch)) return 'reranking';
  if (/ForCausalLM|ForConditionalGeneration|LMHeadModel/.test(arch)) return 'generation';
  return 'embedding';
}

/** Which precisions an `onnx/` folder holds, with their sizes (the decoder file for generators). */
export function dtypesOf(onnxDir: string): Partial<Record<Dtype, number>> {
  let files: string[];
  try {
    files = fs.readdirSync(onnxDir);
  } catch {
    return {};
  }
  const out: Partial<Record<Dtype, number>> = {};
  for (const f of files) {
    const dtype = dtypeOfWeights(f);
    if (!dtype) continue;
    const size = (name: string) => {
      try {
        return fs.statSync(path.join(onnxDir, name)).size;
      } catch {
        return 0;
      }
    };
    out[dtype] = (out[dtype] ?? 0) + size(f) + size(`${f}_data`);
  }
  return out;
}

/** One model folder of `modelsDir` (id "name" or "org/name"), if it holds a config and weights. */
export function readLocalModel(modelsDir: string, id: string): LocalModel | undefined {
  const dir = path.join(modelsDir, ...id.split('/'));
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const dtypes = dtypesOf(path.join(dir, 'onnx'));
    if (Object.keys(dtypes).length === 0) return undefined;
    return {
      id,
      task: taskOf(parsed),
      dtypes,
      created: Math.floor(fs.statSync(dir).mtimeMs / 1000),
    };
  } catch {
    return undefined; // no folder, no config or an unreadable one: not a model we can offer
  }
}

/** Model folders under `modelsDir`, one or two levels deep ("name" or "org/name"). */
export function scanModelsDir(modelsDir: string): LocalModel[] {
  const out: LocalModel[] = [];
  const visit = (rel: string, depth: number) => {
    const dir = path.join(modelsDir, rel);
    if (rel && fs.existsSync(path.join(dir, 'config.json'))) {
      const model = readLocalModel(modelsDir, rel.split(path.sep).join('/'));
      if (model) out.push(model);
      return;
    }
    if (depth === 2) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries)
      if (e.isDirectory() && !e.name.startsWith('.')) visit(path.join(rel, e.name), depth + 1);
  };
  visit('', 0);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
