import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DTYPES, type Dtype } from './env-values';

export type DeclaredTask = 'embedding' | 'generation' | 'reranking';

const DTYPE = z.enum(DTYPES as [Dtype, ...Dtype[]]);

/** How a remote model is reached, and the limits we keep for it. */
export interface RemoteOptions {
  /** Base URLs of its replicas, such as http://gpu-box:8000/v1 (no trailing slash). */
  endpoints: string[];
  /** The name the server knows it by. */
  model: string;
  apiKey?: string;
  /** Longest wait for one call (embeddings, rerank) or for the response and between two streamed events (generation). */
  timeoutMs: number;
  /** Most input tokens it takes; the server's own figure (vLLM's max_model_len) wins when it reports one. */
  maxInputTokens?: number;
  /** Texts per request (embeddings) or documents per request (rerank). */
  batchSize: number;
  /** Folder in MODELS_DIR whose tokenizer counts its tokens; without one, tokens are estimated. */
  tokenizer: string;
  /** Rerank request shape: Cohere/Jina (`{model, query, documents}`) or TEI's (`{query, texts}`). */
  rerankApi: 'cohere' | 'tei';
  /** Embedding width it must answer with, if known; otherwise discovered on first use. */
  dimensions?: number;
  /**
   * Embedding prefixes (e5's "query: "...): added by ragd ('client'), or left to the server, which
   * is told `input_type` ('server', as another ragd does). Default: 'server' for a ragd, else 'client'.
   */
  prefixes?: 'client' | 'server';
  /** Client requests waiting or running before 503: texts (embedding) or generations (generation). */
  queueLimit: number;
}

/** A model the server offers under `id`: in-process (no `remote`), or on remote servers. */
export interface ModelDeclaration {
  id: string;
  task: DeclaredTask;
  dtype: Dtype;
  remote?: RemoteOptions;
}

/** The environment a declaration may draw on (its defaults come from the task's settings). */
export interface DeclarationDefaults {
  dtype: Record<DeclaredTask, Dtype>;
  timeoutMs: Record<DeclaredTask, number>;
  queueLimit: Record<DeclaredTask, number>;
  batchSize: number;
  rerankApi: 'cohere' | 'tei';
  env: Record<string, string | undefined>;
}

/** Comma-separated base URLs, each http(s), trailing slashes dropped. */
export function parseEndpoints(value: string | string[]): string[] {
  const list = (Array.isArray(value) ? value : value.split(','))
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of list) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new Error(`'${u}' is not a URL (write a base URL such as http://gpu-box:8000/v1)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`'${u}' is not an http(s) URL`);
  }
  return list.map((u) => u.replace(/\/+$/, ''));
}

const positive = z.number().int().positive();

const entrySchema = z
  .object({
    id: z.string().min(1).max(200),
    task: z.enum(['embedding', 'generation', 'reranking']),
    dtype: DTYPE.optional(),
    endpoints: z.union([z.string(), z.array(z.string())]).optional(),
    endpoint: z.string().optional(),
    model: z.string().min(1).optional(),
    apiKey: z.string().optional(),
    apiKeyEnv: z.string().min(1).optional(),
    timeoutMs: positive.optional(),
    maxInputTokens: positive.optional(),
    batchSize: positive.max(4096).optional(),
    tokenizer: z.string().min(1).optional(),
    api: z.enum(['cohere', 'tei']).optional(),
    dimensions: positive.optional(),
    prefixes: z.enum(['client', 'server']).optional(),
    queueLimit: positive.optional(),
  })
  .strict();

/** `{models: [...]}`, or the list alone. */
const fileSchema = z.object({ models: z.array(entrySchema) }).strict();

type Entry = z.infer<typeof entrySchema>;

/** One entry of MODELS_FILE, or of the *_ENDPOINT settings, with the task's defaults filled in. */
export function declaration(e: Entry, d: DeclarationDefaults): ModelDeclaration {
  const urls = e.endpoints ?? e.endpoint;
  const base = { id: e.id, task: e.task, dtype: e.dtype ?? d.dtype[e.task] };
  if (urls === undefined) return base;
  const endpoints = parseEndpoints(urls);
  if (endpoints.length === 0) throw new Error(`model '${e.id}': endpoints is empty`);
  const apiKey = e.apiKey ?? (e.apiKeyEnv ? d.env[e.apiKeyEnv] : undefined);
  if (e.apiKeyEnv && apiKey === undefined)
    throw new Error(`model '${e.id}': apiKeyEnv names ${e.apiKeyEnv}, which is not set`);
  return {
    ...base,
    remote: {
      endpoints,
      model: e.model ?? e.id,
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: e.timeoutMs ?? d.timeoutMs[e.task],
      ...(e.maxInputTokens ? { maxInputTokens: e.maxInputTokens } : {}),
      batchSize: e.batchSize ?? d.batchSize,
      tokenizer: e.tokenizer ?? e.model ?? e.id,
      rerankApi: e.api ?? d.rerankApi,
      ...(e.dimensions ? { dimensions: e.dimensions } : {}),
      ...(e.prefixes ? { prefixes: e.prefixes } : {}),
      queueLimit: e.queueLimit ?? d.queueLimit[e.task],
    },
  };
}

/** The models of MODELS_FILE (JSON, or YAML by its extension .yaml/.yml). Throws naming the problem. */
export function readModelsFile(file: string, d: DeclarationDefaults): ModelDeclaration[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(path.extname(file)) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`,
    );
  }
  const parsed = fileSchema.safeParse(Array.isArray(data) ? { models: data } : data);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`${file}: ${first.join('; ')}`);
  }
  return parsed.data.models.map((e) => declaration(e, d));
}

/** Refuses two declarations of one id for one task. */
export function checkUnique(models: ModelDeclaration[]): void {
  const seen = new Set<string>();
  for (const m of models) {
    const key = `${m.task}|${m.id}`;
    if (seen.has(key))
      throw new Error(`${m.task} model '${m.id}' is declared twice (settings and MODELS_FILE?)`);
    seen.add(key);
  }
}
