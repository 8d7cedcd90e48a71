/**
 * Builds random-weight ONNX models of exactly the shapes of real models, so benchmarks cost what
 * the real models cost (speed depends on shapes and ops, not on weight values):
 *
 *   minilm  bench/all-MiniLM-L6-v2       BERT encoder, 6 layers x 12 heads, hidden 384, FFN 1536
 *                                        (GELU); output last_hidden_state (~90 MB)
 *   rerank  bench/ms-marco-MiniLM-L-6-v2 cross-encoder of the cross-encoder/ms-marco-MiniLM-L-6-v2
 *                                        shape: the same BERT encoder, then BERT's pooler (dense
 *                                        384x384 + tanh on the [CLS] state) and a classifier
 *                                        384 -> 1; output logits [batch, 1]; config.json says
 *                                        BertForSequenceClassification, num_labels 1 (~91 MB)
 *   smollm  bench/SmolLM-360M-Instruct   llama decoder, 32 layers, hidden 960, 15/5 heads, MLP 2560
 *                                        (SiLU), RMSNorm, rotary embeddings, tied embeddings, KV
 *                                        cache: onnx/model.onnx fp32 (~1.4 GB), and the same
 *                                        weights quantised to 4 bits as transformers.js q4 exports
 *                                        are, onnx/model_q4.onnx (~0.4 GB, see buildLlamaDecoder)
 *
 * The real tokenizers and configs are copied at run time from ../shared/model-shapes/<name>/ into
 * the (git-ignored) output folder. The cross-encoder uses the all-MiniLM-L6-v2 tokenizer (the same
 * bert-base-uncased WordPiece vocabulary as ms-marco-MiniLM-L-6-v2) and that shape's config with the
 * sequence-classification fields set.
 *
 * Usage: ts-node --transpile-only bench/models/make-bench-models.ts [outDir]
 *          [--only=minilm|rerank|smollm[,...]] [--all] [--measure]
 *
 *   (no --only)  builds minilm and rerank, NOT the 1.4 GB smollm
 *   --only=...   builds just the models named (comma-separated), e.g. --only=smollm
 *   --all        builds all three
 *   --measure    times each built model through transformers.js
 *   outDir       default bench/.models
 *
 * A model file whose stamp (generator version + config) matches is left alone, and files already
 * equal to their source are not rewritten. Exits 2 when ../shared is missing.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  AutoModel,
  AutoModelForCausalLM,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
} from '@huggingface/transformers';
import { OnnxGraphBuilder, SeededRandom, f, filled } from '../../test/models/onnx-graph';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const SHAPES_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'model-shapes');
export const DEFAULT_BENCH_MODELS_DIR = join('bench', '.models');

export const MINILM_ID = 'bench/all-MiniLM-L6-v2';
export const SMOLLM_ID = 'bench/SmolLM-360M-Instruct';
export const RERANK_ID = 'bench/ms-marco-MiniLM-L-6-v2';

const BENCH_MODELS_VERSION = 'bench-models-2';
const STAMP_FILE = '.bench-model-stamp';
const MODEL_FILE = join('onnx', 'model.onnx');
/** The 4-bit weights, named as transformers.js looks for dtype 'q4'. */
const Q4_MODEL_FILE = join('onnx', 'model_q4.onnx');

class MissingShapesError extends Error {}
class UsageError extends Error {}

const USAGE =
  'usage: ts-node --transpile-only bench/models/make-bench-models.ts [outDir] [--only=minilm|rerank|smollm[,...]] [--all] [--measure]\n' +
  '  (default: minilm and rerank; the 1.4 GB smollm only with --only=smollm or --all)';

interface ModelSpec {
  readonly id: string;
  readonly shape: string;
  /** Files copied as they are from the shape's folder. */
  readonly copied: readonly string[];
  /** Set on the shape's config.json, which is then written (not copied) into the model folder. */
  readonly configOverrides?: Readonly<Record<string, unknown>>;
  /** The ONNX files (paths inside the model folder) and how each is built; the first is fp32. */
  readonly files: readonly ModelFile[];
}

interface ModelFile {
  readonly path: string;
  readonly build: (config: Record<string, unknown>, onnxPath: string) => number;
}

function num(config: Record<string, unknown>, key: string): number {
  const v = config[key];
  if (typeof v !== 'number')
    throw new Error(`config.json: ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function readShapeConfig(shape: string): Record<string, unknown> {
  const path = join(SHAPES_DIR, shape, 'config.json');
  if (!existsSync(path)) throw new MissingShapesError(path);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// BERT encoder (all-MiniLM-L6-v2 shape), laid out like the Hugging Face BertModel ONNX export
// ---------------------------------------------------------------------------------------------

interface BertEncoder {
  /** [batch, sequence, hidden]: the last hidden state. */
  readonly output: string;
  readonly hidden: number;
  /** `x · W + b` with a new random W [inDim, outDim] and zero b, named `${name}.weight` / `${name}.bias`. */
  readonly dense: (x: string, name: string, inDim: number, outDim: number) => string;
}

/**
 * Adds the inputs (input_ids, attention_mask, token_type_ids) and a random-weight BERT encoder of
 * the config's shape to `g`; weights are named `${prefix}embeddings...`, `${prefix}encoder...`.
 */
function bertEncoder(
  g: OnnxGraphBuilder,
  config: Record<string, unknown>,
  seed: number,
  prefix = '',
): BertEncoder {
  if (config.hidden_act !== 'gelu')
    throw new Error(`unsupported hidden_act ${String(config.hidden_act)}`);
  const hidden = num(config, 'hidden_size');
  const layers = num(config, 'num_hidden_layers');
  const heads = num(config, 'num_attention_heads');
  const ffn = num(config, 'intermediate_size');
  const vocab = num(config, 'vocab_size');
  const maxPos = num(config, 'max_position_embeddings');
  const typeVocab = num(config, 'type_vocab_size');
  const eps = num(config, 'layer_norm_eps');
  const headDim = hidden / heads;
  const std = num(config, 'initializer_range');
  const rnd = new SeededRandom(seed);
  const random = (n: number): Float32Array => rnd.symmetric(n, std * Math.sqrt(3));

  const dims = ['batch_size', 'sequence_length'];
  const inputIds = g.input('input_ids', 'int64', dims);
  const attentionMask = g.input('attention_mask', 'int64', dims);
  const tokenTypeIds = g.input('token_type_ids', 'int64', dims);

  const layerNorm = (x: string, name: string): string =>
    g.op(
      'LayerNormalization',
      [
        x,
        g.weight(`${prefix}${name}.weight`, [hidden], filled(hidden, 1)),
        g.weight(`${prefix}${name}.bias`, [hidden], filled(hidden, 0)),
      ],
      {
        axis: -1,
        epsilon: f(eps),
      },
    );
  const dense = (x: string, name: string, inDim: number, outDim: number): string =>
    g.linear(
      x,
      g.weight(`${name}.weight`, [inDim, outDim], random(inDim * outDim)),
      g.weight(`${name}.bias`, [outDim], filled(outDim, 0)),
    );
  const encoderDense = (x: string, name: string, inDim: number, outDim: number): string =>
    dense(x, `${prefix}${name}`, inDim, outDim);

  // Embeddings.
  const positions = g.unsqueeze(
    g.op('Range', [g.constI(0), g.dimOf(inputIds, 1), g.constI(1)]),
    [0],
  );
  const words = g.gather(
    g.weight(`${prefix}embeddings.word_embeddings.weight`, [vocab, hidden], random(vocab * hidden)),
    inputIds,
  );
  const pos = g.gather(
    g.weight(
      `${prefix}embeddings.position_embeddings.weight`,
      [maxPos, hidden],
      random(maxPos * hidden),
    ),
    positions,
  );
  const types = g.gather(
    g.weight(
      `${prefix}embeddings.token_type_embeddings.weight`,
      [typeVocab, hidden],
      random(typeVocab * hidden),
    ),
    tokenTypeIds,
  );
  let x = layerNorm(g.add(g.add(words, types), pos), 'embeddings.LayerNorm');

  // Extended attention mask: (1 - mask) * float32 min, shape [batch, 1, 1, seq].
  const mask = g.cast(g.unsqueeze(attentionMask, [1, 2]), 'float32');
  const additiveMask = g.mul(g.sub(g.constF(1), mask), g.constF(-3.4028234663852886e38));

  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    const split = (t: string, perm: number[]): string =>
      g.transpose(g.reshape(t, [0, 0, heads, headDim]), perm);
    const q = split(encoderDense(x, `${p}.attention.self.query`, hidden, hidden), [0, 2, 1, 3]);
    const kT = split(encoderDense(x, `${p}.attention.self.key`, hidden, hidden), [0, 2, 3, 1]);
    const v = split(encoderDense(x, `${p}.attention.self.value`, hidden, hidden), [0, 2, 1, 3]);
    const scores = g.add(g.div(g.matmul(q, kT), g.constF(Math.sqrt(headDim))), additiveMask);
    const context = g.matmul(g.op('Softmax', [scores], { axis: -1 }), v);
    const merged = g.reshape(g.transpose(context, [0, 2, 1, 3]), [0, 0, hidden]);
    const attnOut = layerNorm(
      g.add(encoderDense(merged, `${p}.attention.output.dense`, hidden, hidden), x),
      `${p}.attention.output.LayerNorm`,
    );
    const h = encoderDense(attnOut, `${p}.intermediate.dense`, hidden, ffn);
    // Exact GELU as PyTorch exports it: x * 0.5 * (1 + erf(x / sqrt(2))); onnxruntime fuses it.
    const gelu = g.mul(
      g.mul(h, g.add(g.op('Erf', [g.div(h, g.constF(Math.SQRT2))]), g.constF(1))),
      g.constF(0.5),
    );
    x = layerNorm(
      g.add(encoderDense(gelu, `${p}.output.dense`, ffn, hidden), attnOut),
      `${p}.output.LayerNorm`,
    );
  }
  return { output: x, hidden, dense };
}

/** The encoder alone, as the Hugging Face BertModel export: output last_hidden_state. */
function buildBertEncoder(config: Record<string, unknown>, onnxPath: string): number {
  const g = new OnnxGraphBuilder('bert');
  const { output, hidden } = bertEncoder(g, config, 20240601);
  g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', hidden], output);
  return g.save(onnxPath, {
    docString: 'random-weight BERT encoder of the all-MiniLM-L6-v2 shape (benchmarks only)',
  });
}

/**
 * A cross-encoder as the Hugging Face BertForSequenceClassification export: the encoder, BERT's
 * pooler (dense + tanh on the [CLS] state) and a one-label classifier; output logits [batch, 1].
 */
function buildBertCrossEncoder(config: Record<string, unknown>, onnxPath: string): number {
  const labels = num(config, 'num_labels');
  const g = new OnnxGraphBuilder('bert_cross_encoder');
  const { output, hidden, dense } = bertEncoder(g, config, 20210602, 'bert.');
  const cls = g.gather(output, g.constI(0), 1); // [batch, hidden]
  const pooled = g.op('Tanh', [dense(cls, 'bert.pooler.dense', hidden, hidden)]);
  const logits = dense(pooled, 'classifier', hidden, labels);
  g.output('logits', 'float32', ['batch_size', labels], logits);
  return g.save(onnxPath, {
    docString:
      'random-weight BERT cross-encoder of the cross-encoder/ms-marco-MiniLM-L-6-v2 shape (benchmarks only)',
  });
}

// ---------------------------------------------------------------------------------------------
// Llama decoder (SmolLM-360M-Instruct shape) with KV cache
// ---------------------------------------------------------------------------------------------

/**
 * 4-bit blockwise quantisation of a weight used as `x · W`, W [k, n] row-major, in the layout of
 * onnxruntime's com.microsoft MatMulNBits (what transformers.js q4 exports hold): per output column,
 * blocks of Q4_BLOCK values along k, each stored as 4-bit codes (low nibble first) with one float
 * scale; symmetric, so the zero point is the default 8 and w ≈ (code - 8) * scale.
 * `transposed` says `w` is already [n, k] (as a tied embedding table used as the LM head is).
 */
const Q4_BLOCK = 32;

function quantizeQ4(
  w: Float32Array,
  k: number,
  n: number,
  transposed: boolean,
): { packed: Uint8Array; scales: Float32Array } {
  if (k % Q4_BLOCK !== 0) throw new Error(`q4: K ${k} is not a multiple of ${Q4_BLOCK}`);
  const blocks = k / Q4_BLOCK;
  const packed = new Uint8Array((n * k) / 2);
  const scales = new Float32Array(n * blocks);
  const at = transposed
    ? (row: number, col: number) => w[col * k + row]!
    : (row: number, col: number) => w[row * n + col]!;
  const codes = new Uint8Array(Q4_BLOCK);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let absMax = 0;
      for (let i = 0; i < Q4_BLOCK; i++)
        absMax = Math.max(absMax, Math.abs(at(b * Q4_BLOCK + i, col)));
      // Codes 0..15 stand for -8..7: the largest magnitude maps to -8 (as onnxruntime's symmetric
      // quantiser does), so the scale is absMax / 8 with the sign that makes that value -8.
      const scale = absMax / 8;
      scales[col * blocks + b] = scale;
      for (let i = 0; i < Q4_BLOCK; i++) {
        const q = scale === 0 ? 0 : Math.round(at(b * Q4_BLOCK + i, col) / scale);
        codes[i] = Math.min(15, Math.max(0, q + 8));
      }
      const base = (col * blocks + b) * (Q4_BLOCK / 2);
      for (let i = 0; i < Q4_BLOCK / 2; i++)
        packed[base + i] = codes[2 * i]! | (codes[2 * i + 1]! << 4);
    }
  }
  return { packed, scales };
}

type DecoderWeights = 'fp32' | 'q4';

/**
 * The decoder. With `weights` 'q4', every weight matrix multiplication (q/k/v/o projections, the
 * MLP's gate/up/down and the tied LM head) is a com.microsoft MatMulNBits node (bits 4, block 32,
 * symmetric) over the same random weights as the fp32 file, quantised; embeddings, norms and the
 * rotary tables stay float32, as in transformers.js q4 exports.
 */
function buildLlamaDecoder(
  config: Record<string, unknown>,
  onnxPath: string,
  weights: DecoderWeights = 'fp32',
): number {
  if (config.hidden_act !== 'silu')
    throw new Error(`unsupported hidden_act ${String(config.hidden_act)}`);
  const hidden = num(config, 'hidden_size');
  const layers = num(config, 'num_hidden_layers');
  const heads = num(config, 'num_attention_heads');
  const kvHeads = num(config, 'num_key_value_heads');
  const ffn = num(config, 'intermediate_size');
  const vocab = num(config, 'vocab_size');
  const maxPos = num(config, 'max_position_embeddings');
  const eps = num(config, 'rms_norm_eps');
  const theta = num(config, 'rope_theta');
  const headDim = typeof config.head_dim === 'number' ? config.head_dim : hidden / heads;
  const std = num(config, 'initializer_range');
  const rnd = new SeededRandom(360);
  const random = (n: number): Float32Array => rnd.symmetric(n, std * Math.sqrt(3));

  const g = new OnnxGraphBuilder('llama');
  const seqDims = ['batch_size', 'sequence_length'];
  const inputIds = g.input('input_ids', 'int64', seqDims);
  const attentionMask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', 'int64', seqDims);
  const cacheDims = ['batch_size', kvHeads, 'past_sequence_length', headDim];
  // Declared up front so the session lists them in layer order after the three token inputs.
  const past = Array.from({ length: layers }, (_, l) => ({
    key: g.input(`past_key_values.${l}.key`, 'float32', cacheDims),
    value: g.input(`past_key_values.${l}.value`, 'float32', cacheDims),
  }));

  const rmsNorm = (x: string, name: string): string => {
    const variance = g.op('ReduceMean', [g.mul(x, x)], { axes: [-1], keepdims: 1 });
    const normed = g.div(x, g.op('Sqrt', [g.add(variance, g.constF(eps))]));
    return g.mul(normed, g.weight(name, [hidden], filled(hidden, 1)));
  };
  /** `x · W` with W [k, n] (or [n, k] if `transposed`) stored as 4-bit blocks. */
  const matMulQ4 = (
    x: string,
    name: string,
    w: Float32Array,
    k: number,
    n: number,
    transposed: boolean,
  ): string => {
    const { packed, scales } = quantizeQ4(w, k, n, transposed);
    const B = g.uint8(`${name}_Q4`, [n, k / Q4_BLOCK, Q4_BLOCK / 2], packed);
    const S = g.weight(`${name}_scales`, [n * (k / Q4_BLOCK)], scales);
    return g.op(
      'MatMulNBits',
      [x, B, S],
      { K: k, N: n, bits: 4, block_size: Q4_BLOCK },
      'com.microsoft',
    );
  };
  const proj = (x: string, name: string, inDim: number, outDim: number): string => {
    const w = random(inDim * outDim);
    return weights === 'q4'
      ? matMulQ4(x, name, w, inDim, outDim, false)
      : g.matmul(x, g.weight(name, [inDim, outDim], w));
  };

  // Rotary embeddings: cos/sin tables indexed by position_ids -> [batch, 1, seq, headDim].
  const half = headDim / 2;
  const cosTable = new Float32Array(maxPos * headDim);
  const sinTable = new Float32Array(maxPos * headDim);
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / Math.pow(theta, (2 * i) / headDim);
      cosTable[p * headDim + i] = cosTable[p * headDim + i + half] = Math.cos(angle);
      sinTable[p * headDim + i] = sinTable[p * headDim + i + half] = Math.sin(angle);
    }
  }
  const cos = g.unsqueeze(
    g.gather(g.weight('rope.cos', [maxPos, headDim], cosTable), positionIds),
    [1],
  );
  const sin = g.unsqueeze(
    g.gather(g.weight('rope.sin', [maxPos, headDim], sinTable), positionIds),
    [1],
  );
  const halves = g.constI([half, half]);
  const rotate = (t: string): string => {
    const [a, b] = g.nodeN('Split', [t, halves], 2, { axis: -1 });
    if (a === undefined || b === undefined) throw new Error('unreachable');
    return g.add(g.mul(t, cos), g.mul(g.op('Concat', [g.op('Neg', [b]), a], { axis: -1 }), sin));
  };

  // Causal + padding mask, shared by all layers: [batch, 1, seq, total] additive.
  const total = g.dimOf(attentionMask, 1);
  const pastLen = g.sub(total, g.dimOf(inputIds, 1));
  const keyPos = g.unsqueeze(g.op('Range', [g.constI(0), total, g.constI(1)]), [0]);
  const queryPos = g.unsqueeze(g.op('Range', [pastLen, total, g.constI(1)]), [1]);
  const allowed = g.op('And', [
    g.op('LessOrEqual', [keyPos, queryPos]),
    g.unsqueeze(g.cast(attentionMask, 'bool'), [1, 2]),
  ]);
  const additiveMask = g.op('Where', [allowed, g.constF(0), g.constF(-3.4028234663852886e38)]);

  const embedTokensData = random(vocab * hidden);
  const embedTokens = g.weight('model.embed_tokens.weight', [vocab, hidden], embedTokensData);
  let x = g.gather(embedTokens, inputIds);
  past.forEach(({ key: pastKey, value: pastValue }, l) => {
    const p = `model.layers.${l}`;
    const h = rmsNorm(x, `${p}.input_layernorm.weight`);
    const heads4 = (t: string, n: number): string =>
      g.transpose(g.reshape(t, [0, 0, n, headDim]), [0, 2, 1, 3]);
    const q = rotate(
      heads4(proj(h, `${p}.self_attn.q_proj.weight`, hidden, heads * headDim), heads),
    );
    const k = rotate(
      heads4(proj(h, `${p}.self_attn.k_proj.weight`, hidden, kvHeads * headDim), kvHeads),
    );
    const v = heads4(proj(h, `${p}.self_attn.v_proj.weight`, hidden, kvHeads * headDim), kvHeads);
    const presentKey = g.op('Concat', [pastKey, k], { axis: 2 });
    const presentValue = g.op('Concat', [pastValue, v], { axis: 2 });
    g.output(
      `present.${l}.key`,
      'float32',
      ['batch_size', kvHeads, 'total_sequence_length', headDim],
      presentKey,
    );
    g.output(
      `present.${l}.value`,
      'float32',
      ['batch_size', kvHeads, 'total_sequence_length', headDim],
      presentValue,
    );
    // Grouped-query attention: view queries as [b, kv, (heads/kv)*seq, d] so each KV head serves
    // its group of query heads (as repeat_kv does), then back to [b, heads, seq, ...].
    const qGrouped = g.reshape(q, [0, kvHeads, -1, headDim]);
    const scores = g.mul(
      g.matmul(qGrouped, g.transpose(presentKey, [0, 1, 3, 2])),
      g.constF(1 / Math.sqrt(headDim)),
    );
    const scores4 = g.add(g.reshape(scores, [0, heads, -1, 0]), additiveMask);
    const probs = g.reshape(g.op('Softmax', [scores4], { axis: -1 }), [0, kvHeads, -1, 0]);
    const context = g.reshape(g.matmul(probs, presentValue), [0, heads, -1, headDim]);
    const merged = g.reshape(g.transpose(context, [0, 2, 1, 3]), [0, 0, heads * headDim]);
    x = g.add(x, proj(merged, `${p}.self_attn.o_proj.weight`, heads * headDim, hidden));
    const h2 = rmsNorm(x, `${p}.post_attention_layernorm.weight`);
    const gate = proj(h2, `${p}.mlp.gate_proj.weight`, hidden, ffn);
    const up = proj(h2, `${p}.mlp.up_proj.weight`, hidden, ffn);
    const silu = g.mul(gate, g.op('Sigmoid', [gate]));
    x = g.add(x, proj(g.mul(silu, up), `${p}.mlp.down_proj.weight`, ffn, hidden));
  });
  const final = rmsNorm(x, 'model.norm.weight');
  // Tied embeddings: logits = final · embed_tokensᵀ. The q4 head quantises the table's rows,
  // which are already MatMulNBits' [N, K] layout.
  const logits3 =
    weights === 'q4'
      ? matMulQ4(final, 'lm_head.weight', embedTokensData, hidden, vocab, true)
      : g.op('Reshape', [
          g.op('Gemm', [g.reshape(final, [-1, hidden]), embedTokens], { transB: 1 }),
          g.op('Concat', [g.op('Shape', [inputIds]), g.constI([vocab])], { axis: 0 }),
        ]);
  g.output('logits', 'float32', ['batch_size', 'sequence_length', vocab], logits3);
  return g.save(onnxPath, {
    docString: `random-weight llama decoder of the SmolLM-360M-Instruct shape, ${weights === 'q4' ? 'weights in 4-bit blocks (MatMulNBits)' : 'fp32'} (benchmarks only)`,
  });
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

const BERT_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

const SPECS = {
  minilm: {
    id: MINILM_ID,
    shape: 'all-MiniLM-L6-v2',
    copied: ['config.json', ...BERT_TOKENIZER_FILES],
    files: [{ path: MODEL_FILE, build: buildBertEncoder }],
  },
  rerank: {
    id: RERANK_ID,
    // cross-encoder/ms-marco-MiniLM-L-6-v2 has exactly this encoder and vocabulary.
    shape: 'all-MiniLM-L6-v2',
    copied: BERT_TOKENIZER_FILES,
    configOverrides: {
      architectures: ['BertForSequenceClassification'],
      num_labels: 1,
      id2label: { '0': 'LABEL_0' },
      label2id: { LABEL_0: 0 },
    },
    files: [{ path: MODEL_FILE, build: buildBertCrossEncoder }],
  },
  smollm: {
    id: SMOLLM_ID,
    shape: 'SmolLM-360M-Instruct',
    copied: [
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
    ],
    files: [
      {
        path: MODEL_FILE,
        build: (config, onnxPath) => buildLlamaDecoder(config, onnxPath, 'fp32'),
      },
      {
        path: Q4_MODEL_FILE,
        build: (config, onnxPath) => buildLlamaDecoder(config, onnxPath, 'q4'),
      },
    ],
  },
} satisfies Record<string, ModelSpec>;

type ModelKey = keyof typeof SPECS;
const MODEL_KEYS = Object.keys(SPECS) as ModelKey[];
/** What a run without --only or --all builds: everything but the 1.4 GB decoder. */
const DEFAULT_KEYS: readonly ModelKey[] = ['minilm', 'rerank'];

interface Built {
  readonly id: string;
  /** The ONNX file, inside the model folder. */
  readonly file: string;
  readonly dir: string;
  readonly onnxBytes: number;
  readonly skipped: boolean;
  readonly ms: number;
}

/**
 * The stamp of one ONNX file: `.bench-model-stamp` for onnx/model.onnx (the name it always had, so
 * folders built before there were other files stay up to date), `.bench-model-stamp.<name>` for
 * onnx/<name>.onnx.
 */
function stampFileOf(file: string): string {
  return file === MODEL_FILE ? STAMP_FILE : `${STAMP_FILE}.${basename(file, '.onnx')}`;
}

function writeIfChanged(path: string, bytes: Buffer): void {
  if (existsSync(path)) {
    if (readFileSync(path).equals(bytes)) return;
    rmSync(path, { force: true });
  }
  writeFileSync(path, bytes);
}

function copyIfChanged(from: string, to: string): void {
  if (existsSync(to)) {
    if (readFileSync(to).equals(readFileSync(from))) return;
    rmSync(to, { force: true });
  }
  copyFileSync(from, to);
}

function ensure(outDir: string, spec: ModelSpec): Built[] {
  const dir = join(outDir, spec.id);
  const source = join(SHAPES_DIR, spec.shape);
  const config = spec.configOverrides
    ? { ...readShapeConfig(spec.shape), ...spec.configOverrides }
    : readShapeConfig(spec.shape);
  for (const file of spec.copied)
    if (!existsSync(join(source, file))) throw new MissingShapesError(join(source, file));
  mkdirSync(dir, { recursive: true });
  for (const file of spec.copied) copyIfChanged(join(source, file), join(dir, file));
  if (spec.configOverrides)
    writeIfChanged(join(dir, 'config.json'), Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
  // A stamp covers the generator version and the shape's config, so either change rebuilds.
  const configHash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
  const stampText = `${BENCH_MODELS_VERSION} ${configHash}`;
  return spec.files.map(({ path: file, build }) => {
    const started = Date.now();
    const stamp = join(dir, stampFileOf(file));
    const onnxPath = join(dir, file);
    const upToDate =
      existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === stampText && existsSync(onnxPath);
    const onnxBytes = upToDate ? statSync(onnxPath).size : build(config, onnxPath);
    if (!upToDate) writeFileSync(stamp, `${stampText}\n`);
    return { id: spec.id, file, dir, onnxBytes, skipped: upToDate, ms: Date.now() - started };
  });
}

const LOREM =
  'the boundary layer over a flat plate becomes turbulent at high reynolds numbers which increases skin friction drag and heat transfer ';

async function measureMiniLm(): Promise<void> {
  const tokenizer = await AutoTokenizer.from_pretrained(MINILM_ID, { local_files_only: true });
  const model = await AutoModel.from_pretrained(MINILM_ID, {
    local_files_only: true,
    dtype: 'fp32',
  });
  const texts = Array.from({ length: 32 }, (_, i) => `${i} ${LOREM.repeat(8)}`);
  const inputs = tokenizer(texts, { padding: true, truncation: true, max_length: 128 });
  const shape = (inputs.input_ids as { dims: number[] }).dims.join('x');
  await model(inputs); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await model(inputs);
    times.push(Date.now() - started);
  }
  console.log(
    `${MINILM_ID}: batch ${shape} tokens: ${times.join(' / ')} ms (best ${Math.min(...times)} ms)`,
  );
}

async function measureRerank(): Promise<void> {
  const tokenizer = await AutoTokenizer.from_pretrained(RERANK_ID, { local_files_only: true });
  const model = await AutoModelForSequenceClassification.from_pretrained(RERANK_ID, {
    local_files_only: true,
    dtype: 'fp32',
  });
  // 20 (query, passage) pairs: what one search with rerankCandidates 20 scores.
  const passages = Array.from({ length: 20 }, (_, i) => `${i} ${LOREM.repeat(4)}`);
  const inputs = tokenizer(
    new Array<string>(passages.length).fill('what increases skin friction'),
    {
      text_pair: passages,
      padding: true,
      truncation: true,
      max_length: 512,
    },
  );
  const shape = (inputs.input_ids as { dims: number[] }).dims.join('x');
  const score = async (): Promise<{ dims: number[]; data: Float32Array }> =>
    ((await model(inputs)) as { logits: { dims: number[]; data: Float32Array } }).logits;
  const logits = await score(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await score();
    times.push(Date.now() - started);
  }
  const values = [...logits.data];
  console.log(
    `${RERANK_ID}: ${passages.length} pairs, input ${shape} tokens, logits [${logits.dims.join(', ')}] ` +
      `(${Math.min(...values).toFixed(4)} .. ${Math.max(...values).toFixed(4)}): ` +
      `${times.join(' / ')} ms (best ${Math.min(...times)} ms)`,
  );
}

async function measureSmolLm(dtype: DecoderWeights): Promise<void> {
  const tokenizer = await AutoTokenizer.from_pretrained(SMOLLM_ID, { local_files_only: true });
  const model = await AutoModelForCausalLM.from_pretrained(SMOLLM_ID, {
    local_files_only: true,
    dtype,
  });
  const prompt = tokenizer.apply_chat_template([{ role: 'user', content: LOREM.repeat(3) }], {
    add_generation_prompt: true,
    tokenize: false,
  });
  const inputs = tokenizer(prompt);
  const promptTokens = (inputs.input_ids as { dims: number[] }).dims[1] ?? 0;
  const generate = async (newTokens: number): Promise<number> => {
    const started = Date.now();
    await model.generate({
      ...inputs,
      max_new_tokens: newTokens,
      min_new_tokens: newTokens,
      do_sample: false,
    });
    return Date.now() - started;
  };
  await generate(2); // warm-up
  const newTokens = 32;
  const first = await generate(1);
  const all = await generate(newTokens);
  const decodeRate = ((newTokens - 1) * 1000) / Math.max(1, all - first);
  console.log(
    `${SMOLLM_ID} ${dtype}: prompt ${promptTokens} tokens; time to first token ${first} ms; ` +
      `${newTokens} new tokens in ${all} ms = ${((newTokens * 1000) / all).toFixed(1)} tokens/s overall, ` +
      `${decodeRate.toFixed(1)} tokens/s decoding`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? DEFAULT_BENCH_MODELS_DIR);
  const unknown = args.filter(
    (a) => a.startsWith('--') && !a.startsWith('--only=') && a !== '--all' && a !== '--measure',
  );
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(' ')}`);
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const all = args.includes('--all');
  const measure = args.includes('--measure');
  if (only !== undefined && all) throw new UsageError('give --only or --all, not both');
  for (const k of only ?? [])
    if (!(MODEL_KEYS as readonly string[]).includes(k))
      throw new UsageError(`--only must name models of ${MODEL_KEYS.join(', ')}; got ${k}`);
  const keys = MODEL_KEYS.filter((k) =>
    all ? true : only !== undefined ? only.includes(k) : DEFAULT_KEYS.includes(k),
  );
  if (keys.length === 0)
    throw new UsageError(`--only must name models of ${MODEL_KEYS.join(', ')}`);
  for (const key of keys) {
    for (const m of ensure(outDir, SPECS[key]))
      console.log(
        `${m.skipped ? 'up to date' : 'built     '}  ${m.id.padEnd(30)} ${basename(m.file).padEnd(16)} ${(m.onnxBytes / 1e6).toFixed(1).padStart(7)} MB  ${m.ms} ms  ${m.dir}`,
      );
  }
  if (!measure) return;
  env.localModelPath = outDir;
  env.allowRemoteModels = false;
  if (keys.includes('minilm')) await measureMiniLm();
  if (keys.includes('rerank')) await measureRerank();
  if (keys.includes('smollm')) {
    await measureSmolLm('fp32');
    await measureSmolLm('q4');
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof MissingShapesError) {
    console.error(
      `missing model shapes: ${err.message} (expected ../shared/model-shapes next to the project; see ../shared/README.md)`,
    );
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
