/**
 * Runs one transformers.js model off the main thread. onnxruntime-node holds the thread that calls
 * it for the whole inference, so the HTTP server must never make these calls itself.
 */
import { serveRequests } from '../../../common/worker-protocol';
import type {
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  GenerateResult,
  LoadRequest,
  LoadedInfo,
  RerankRequest,
  RerankResult,
  TokenEvent,
  WorkerRequest,
} from './inference-protocol';
import { RERANK_BATCH_SIZE } from './inference-protocol';

type Transformers = typeof import('@huggingface/transformers');
type Pipe = ((...args: unknown[]) => Promise<unknown>) & {
  tokenizer: TokenizerLike;
  model: {
    config: Record<string, unknown>;
    generate: (args: Record<string, unknown>) => Promise<unknown>;
  };
};
interface TokenizerLike {
  model_max_length?: number;
  apply_chat_template: (messages: unknown, options: Record<string, unknown>) => unknown;
  decode: (ids: unknown, options: Record<string, unknown>) => string;
}
interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: number[];
  slice?: (...args: unknown[]) => TensorLike;
  tolist: () => unknown;
}

/** A tokenizer called on (query, text) pairs, as a cross-encoder needs them. */
type PairTokenizer = ((
  text: string[],
  options: Record<string, unknown>,
) => Record<string, TensorLike>) & {
  model_max_length?: number;
  sep_token_id?: number | null;
};
interface Reranker {
  tokenizer: PairTokenizer;
  model: ((inputs: Record<string, TensorLike>) => Promise<{ logits?: TensorLike }>) & {
    config: Record<string, unknown>;
  };
  maxTokens: number;
}

let transformers: Transformers | undefined;
let pipe: Pipe | undefined;
let reranker: Reranker | undefined;

async function load(req: LoadRequest): Promise<LoadedInfo> {
  const t0 = performance.now();
  transformers ??= await import('@huggingface/transformers');
  const { env, pipeline } = transformers;
  env.localModelPath = req.modelsDir;
  env.allowLocalModels = true;
  // Local files only: the server downloads models itself (download/), with progress, resume and verification.
  env.allowRemoteModels = false;
  if (req.task === 'reranking') return loadReranker(req, t0);
  const task = req.task === 'embedding' ? 'feature-extraction' : 'text-generation';
  const threads = req.intraOpThreads ?? 0;
  const options = {
    dtype: req.dtype,
    device: req.device,
    local_files_only: true,
    // Threads that go idle sleep instead of spinning: the cores are shared with the HTTP thread.
    ...(threads > 0
      ? {
          session_options: {
            intraOpNumThreads: threads,
            interOpNumThreads: 1,
            extra: { session: { intra_op: { allow_spinning: '0' } } },
          },
        }
      : {}),
  };
  pipe = (await (pipeline as (t: string, m: string, o: unknown) => Promise<unknown>)(
    task,
    req.model,
    options,
  )) as Pipe;
  const cfg = pipe.model.config;
  const fromConfig = Number(cfg.max_position_embeddings ?? cfg.n_positions ?? 512);
  const fromTokenizer = Number(pipe.tokenizer.model_max_length ?? Infinity);
  const maxTokens = Math.min(fromConfig, fromTokenizer);
  const info: LoadedInfo = { maxTokens, loadMs: Math.round(performance.now() - t0) };
  if (req.task === 'embedding') {
    const probe = await embed({ op: 'embed', texts: ['probe'], pooling: 'mean', normalize: true });
    info.dim = probe.dim;
  }
  return info;
}

/**
 * A cross-encoder is a sequence-classification model, not a pipeline task: its tokenizer and model
 * are loaded directly (same dtype, device and local-files handling as the pipelines).
 */
async function loadReranker(req: LoadRequest, t0: number): Promise<LoadedInfo> {
  const { AutoTokenizer, AutoModelForSequenceClassification } = transformers!;
  const local = { local_files_only: true };
  const fromPretrained = AutoModelForSequenceClassification.from_pretrained.bind(
    AutoModelForSequenceClassification,
  ) as (id: string, options: unknown) => Promise<unknown>;
  // The model first: a missing model then fails with the hub's "not found locally" error (the
  // tokenizer loader reports a missing folder as an unreadable config).
  const model = (await fromPretrained(req.model, {
    ...local,
    dtype: req.dtype,
    device: req.device,
  })) as Reranker['model'];
  const tokenizer = (await AutoTokenizer.from_pretrained(
    req.model,
    local,
  )) as unknown as PairTokenizer;
  const fromConfig = Number(model.config.max_position_embeddings ?? 512);
  const fromTokenizer = Number(tokenizer.model_max_length ?? Infinity);
  const maxTokens = Math.min(fromConfig, fromTokenizer);
  reranker = { tokenizer, model, maxTokens };
  // Fail at load time, not on the first search, if the model does not score pairs.
  const probe = await rerank({ op: 'rerank', query: 'probe', texts: ['probe'] });
  if (probe.scores.length !== 1 || !Number.isFinite(probe.scores[0])) {
    reranker = undefined;
    throw new Error(`${req.model} does not give one finite relevance score per (query, text) pair`);
  }
  return { maxTokens, loadMs: Math.round(performance.now() - t0) };
}

/**
 * Scores each text against the query, RERANK_BATCH_SIZE pairs per forward pass. The score is the
 * raw logit of a one-label cross-encoder (for a two-label classifier, logit[1] - logit[0]).
 */
async function rerank(req: RerankRequest): Promise<RerankResult> {
  if (!reranker) throw new Error('model not loaded');
  const { tokenizer, model, maxTokens } = reranker;
  const scores = new Float32Array(req.texts.length);
  for (let start = 0; start < req.texts.length; start += RERANK_BATCH_SIZE) {
    const texts = req.texts.slice(start, start + RERANK_BATCH_SIZE);
    const inputs = tokenizer(new Array<string>(texts.length).fill(req.query), {
      text_pair: texts,
      padding: true,
      truncation: true,
      max_length: maxTokens,
    });
    endTruncatedPairs(inputs, maxTokens, tokenizer.sep_token_id);
    const { logits } = await model(inputs);
    if (!logits)
      throw new Error(
        'the model has no `logits` output: not a sequence-classification (cross-encoder) model',
      );
    const labels = logits.dims[1] ?? 1;
    if (labels !== 1 && labels !== 2)
      throw new Error(`a reranker must have one or two labels, this one has ${labels}`);
    for (let i = 0; i < texts.length; i++) {
      const last = Number(logits.data[i * labels + labels - 1]);
      scores[start + i] = labels === 1 ? last : last - Number(logits.data[i * labels]);
    }
  }
  return { scores };
}

/**
 * transformers.js truncates a pair by cutting its tail, which drops the closing separator; put it
 * back on rows cut at maxTokens so the model still sees `[CLS] query [SEP] passage… [SEP]`. (A row
 * that fits ends with the separator already, or with padding, which is left alone.)
 */
function endTruncatedPairs(
  inputs: Record<string, TensorLike>,
  maxTokens: number,
  sepId: unknown,
): void {
  const ids = inputs.input_ids?.data;
  const mask = inputs.attention_mask?.data;
  if (
    typeof sepId !== 'number' ||
    inputs.input_ids?.dims[1] !== maxTokens ||
    !(ids instanceof BigInt64Array)
  )
    return;
  for (let end = maxTokens - 1; end < ids.length; end += maxTokens) {
    if (mask === undefined || Number(mask[end]) === 1) ids[end] = BigInt(sepId);
  }
}

async function embed(req: EmbedRequest): Promise<EmbedResult> {
  if (!pipe) throw new Error('model not loaded');
  const out = (await pipe(req.texts, {
    pooling: req.pooling,
    normalize: req.normalize,
  })) as TensorLike;
  const dim = out.dims[out.dims.length - 1] ?? 0;
  const vectors =
    out.data instanceof Float32Array ? out.data : Float32Array.from(out.data as ArrayLike<number>);
  return { vectors, dim };
}

async function generate(
  req: GenerateRequest,
  onToken: (text: string) => void,
): Promise<GenerateResult> {
  if (!pipe || !transformers) throw new Error('model not loaded');
  const { TextStreamer, StoppingCriteria, StoppingCriteriaList } = transformers;
  const cancel = new Int32Array(req.cancel);
  const tokenizer = pipe.tokenizer;
  const inputs = tokenizer.apply_chat_template(req.messages, {
    add_generation_prompt: true,
    return_dict: true,
  }) as { input_ids: TensorLike; attention_mask: TensorLike };
  const promptTokens = inputs.input_ids.dims[1] ?? 0;
  const streamer = new TextStreamer(tokenizer as never, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (text: string) => {
      if (text) onToken(text);
    },
  });
  class CancelCriteria extends StoppingCriteria {
    override _call(inputIds: number[][]): boolean[] {
      return inputIds.map(() => Atomics.load(cancel, 0) === 1);
    }
  }
  const criteria = new StoppingCriteriaList();
  criteria.push(new CancelCriteria());
  const sampling =
    req.temperature > 0 ? { do_sample: true, temperature: req.temperature } : { do_sample: false };
  const output = (await pipe.model.generate({
    ...inputs,
    max_new_tokens: req.maxTokens,
    ...sampling,
    streamer,
    stopping_criteria: criteria,
  })) as TensorLike;
  const rows = output.tolist() as bigint[][];
  const all = rows[0] ?? [];
  const fresh = all.slice(promptTokens);
  const text = tokenizer.decode(fresh, { skip_special_tokens: true });
  const completionTokens = fresh.length;
  const eos = new Set(normaliseIds(pipe.model.config.eos_token_id));
  const last = fresh[fresh.length - 1];
  const finishReason: GenerateResult['finishReason'] =
    Atomics.load(cancel, 0) === 1
      ? 'cancelled'
      : last !== undefined && eos.has(Number(last))
        ? 'stop'
        : completionTokens >= req.maxTokens
          ? 'length'
          : 'stop';
  return { text: text.trim(), promptTokens, completionTokens, finishReason };
}

function normaliseIds(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (v === undefined || v === null) return [];
  return [Number(v)];
}

serveRequests<WorkerRequest>(async (req, emit) => {
  switch (req.op) {
    case 'load':
      return { result: await load(req) };
    case 'embed': {
      const result = await embed(req);
      // Copy into a buffer we own so it can be transferred without detaching ORT's memory.
      const vectors = new Float32Array(result.vectors);
      return { result: { vectors, dim: result.dim }, transfer: [vectors.buffer] };
    }
    case 'rerank': {
      const { scores } = await rerank(req);
      return { result: { scores }, transfer: [scores.buffer as ArrayBuffer] }; // allocated here, never shared
    }
    case 'generate':
      return { result: await generate(req, (text) => emit({ text } satisfies TokenEvent)) };
  }
});
