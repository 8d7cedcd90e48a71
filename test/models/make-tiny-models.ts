/**
 * Generates the tiny Hugging-Face-layout ONNX models the tests load through transformers.js:
 *
 *   tiny/embed        BERT-type bag-of-words embedder (dense retrieval really works with it)
 *   tiny/embed-heavy  same tokenizer, interface and vectors, but an expensive graph (~seconds/batch)
 *   tiny/embed-wide   same tokenizer and interface, other word vectors of another width
 *                     (TINY_EMBED_WIDE_DIM): the model a collection is migrated to in tests
 *   tiny/rerank       BERT-type cross-encoder (sequence classification, one logit) whose score is the
 *                     cosine of the query's and the passage's bags of words: reranking really works
 *   tiny/chat         llama-type decoder with a KV cache whose greedy answer to any ChatML prompt
 *                     is exactly `Cited [1].`
 *
 * Usage: ts-node --transpile-only test/models/make-tiny-models.ts [outDir]   (default test/fixtures/models)
 *
 * Idempotent: a model folder is rebuilt only when a file is missing or its stamp is out of date.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { OnnxGraphBuilder, SeededRandom } from './onnx-graph';
import {
  BERT_SPECIAL_TOKENS,
  IM_END,
  IM_START,
  STOPWORDS,
  WordPieceVocab,
  buildBpeVocab,
  buildWordPieceVocab,
  bpeId,
  byteToken,
  writeBertTokenizer,
  writeChatTokenizer,
  writeJson,
} from './tokenizers';

/** Bump to force a rebuild; edits to the generator sources also trigger one (see `stampText`). */
export const TINY_MODELS_VERSION = 'tiny-models-5';
const STAMP_FILE = '.tiny-model-stamp';
const GENERATOR_SOURCES = ['onnx-graph.ts', 'tokenizers.ts', 'make-tiny-models.ts'];

export const TINY_EMBED_ID = 'tiny/embed';
export const TINY_EMBED_HEAVY_ID = 'tiny/embed-heavy';
export const TINY_EMBED_WIDE_ID = 'tiny/embed-wide';
export const TINY_RERANK_ID = 'tiny/rerank';
export const TINY_CHAT_ID = 'tiny/chat';
/**
 * What tiny/chat answers (greedy) after a ChatML generation prompt, or after any prompt whose last
 * token is not one of the answer's own byte tokens.
 */
export const TINY_CHAT_ANSWER = 'Cited [1].';

/** Output width of tiny/embed and tiny/embed-heavy. */
export const TINY_EMBED_DIM = 128;
/** Output width of tiny/embed-wide. */
export const TINY_EMBED_WIDE_DIM = 192;
const EMBED_MAX_POSITIONS = 128;

/**
 * tiny/rerank's logit for a (query, passage) pair is RERANK_SCALE * cos(query bag, passage bag) +
 * RERANK_BIAS: about -3 for unrelated texts, up to 7 for the same content words.
 */
export const TINY_RERANK_SCALE = 10;
export const TINY_RERANK_BIAS = -3;
/** tiny/rerank has no position embeddings, so its input limit is only the tokenizer's. */
const RERANK_MAX_TOKENS = 512;

/** Width and depth of the expensive part of tiny/embed-heavy. */
const HEAVY_WIDTH = 1024;
const HEAVY_STEPS = 44;

const CHAT_HIDDEN = 32;
const CHAT_HEADS = 2;
const CHAT_KV_HEADS = 1;
const CHAT_HEAD_DIM = CHAT_HIDDEN / CHAT_HEADS;
const CHAT_MAX_POSITIONS = 2048;

const MODEL_FILE = join('onnx', 'model.onnx');

export interface BuiltModel {
  readonly id: string;
  readonly dir: string;
  readonly onnxBytes: number;
  readonly skipped: boolean;
}

// ---------------------------------------------------------------------------------------------
// Embedders
// ---------------------------------------------------------------------------------------------

/**
 * How much a token counts in the bag of words: content words fully, sub-word pieces and single
 * characters less, function words and punctuation little, special tokens almost not at all.
 */
function tokenWeight(token: string): number {
  if ((BERT_SPECIAL_TOKENS as readonly string[]).includes(token)) return 0.05;
  if (STOPWORDS.includes(token)) return 0.15;
  if (token.startsWith('##')) return token.length === 3 ? 0.3 : 0.5;
  if (token.length === 1) return /[a-z0-9]/.test(token) ? 0.4 : 0.1;
  return 1;
}

/** Seed of the word vectors: tiny/embed, tiny/embed-heavy and tiny/rerank share them. */
const WORD_VECTOR_SEED = 1234;

/**
 * The [vocab, TINY_EMBED_DIM] word-vector table: a random Gaussian vector per word piece, scaled
 * by `weight(token)` (drawn from `rnd`, so the same seed gives the same directions whatever the
 * weights).
 */
function wordVectorTable(
  vocab: WordPieceVocab,
  rnd: SeededRandom,
  weight: (token: string) => number,
  dim = TINY_EMBED_DIM,
): Float32Array {
  const table = new Float32Array(vocab.tokens.length * dim);
  vocab.tokens.forEach((token, row) => {
    const w = weight(token) / Math.sqrt(dim);
    for (let j = 0; j < dim; j++) table[row * dim + j] = rnd.gaussian() * w;
  });
  return table;
}

/**
 * Adds the bag-of-words part shared by both embedders: a weighted random Gaussian embedding per
 * word piece, plus small token-type and position terms (as in BERT's embedding layer).
 * Returns a [batch, seq, TINY_EMBED_DIM] value.
 */
function addBagOfWords(
  g: OnnxGraphBuilder,
  vocab: WordPieceVocab,
  inputIds: string,
  tokenTypeIds: string,
  dim = TINY_EMBED_DIM,
  seed = WORD_VECTOR_SEED,
): string {
  const rnd = new SeededRandom(seed);
  const table = wordVectorTable(vocab, rnd, tokenWeight, dim);
  const words = g.gather(
    g.weight('embeddings.word_embeddings.weight', [vocab.tokens.length, dim], table),
    inputIds,
  );
  const typeTable = g.weight(
    'embeddings.token_type_embeddings.weight',
    [2, dim],
    rnd.normal(2 * dim, 0.002),
  );
  const positionTable = g.weight(
    'embeddings.position_embeddings.weight',
    [EMBED_MAX_POSITIONS, dim],
    rnd.normal(EMBED_MAX_POSITIONS * dim, 0.002),
  );
  const positions = g.op('Range', [g.constI(0), g.dimOf(inputIds, 1), g.constI(1)]);
  return g.add(g.add(words, g.gather(typeTable, tokenTypeIds)), g.gather(positionTable, positions));
}

interface EncoderIo {
  readonly inputIds: string;
  readonly attentionMask: string;
  readonly tokenTypeIds: string;
}

function encoderInputs(g: OnnxGraphBuilder): EncoderIo {
  const dims = ['batch_size', 'sequence_length'];
  return {
    inputIds: g.input('input_ids', 'int64', dims),
    attentionMask: g.input('attention_mask', 'int64', dims),
    tokenTypeIds: g.input('token_type_ids', 'int64', dims),
  };
}

/** Zeroes padded positions (as a pooled model would ignore them anyway) and declares the output. */
function encoderOutput(g: OnnxGraphBuilder, io: EncoderIo, hidden: string, dim: number): void {
  const mask = g.unsqueeze(g.cast(io.attentionMask, 'float32'), [2]);
  g.output(
    'last_hidden_state',
    'float32',
    ['batch_size', 'sequence_length', dim],
    g.mul(hidden, mask),
  );
}

function bertConfig(
  vocab: WordPieceVocab,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: TINY_EMBED_DIM,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 2 * TINY_EMBED_DIM,
    hidden_act: 'gelu',
    max_position_embeddings: EMBED_MAX_POSITIONS,
    type_vocab_size: 2,
    vocab_size: vocab.tokens.length,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    'transformers.js_config': { dtype: 'fp32' },
    ...extra,
  };
}

function buildEmbed(
  dir: string,
  vocab: WordPieceVocab,
  dim = TINY_EMBED_DIM,
  seed = WORD_VECTOR_SEED,
): number {
  const g = new OnnxGraphBuilder(dim === TINY_EMBED_DIM ? 'tiny_embed' : 'tiny_embed_wide');
  const io = encoderInputs(g);
  encoderOutput(g, io, addBagOfWords(g, vocab, io.inputIds, io.tokenTypeIds, dim, seed), dim);
  writeBertTokenizer(dir, vocab, EMBED_MAX_POSITIONS);
  writeJson(
    join(dir, 'config.json'),
    bertConfig(vocab, { hidden_size: dim, intermediate_size: 2 * dim }),
  );
  return g.save(join(dir, MODEL_FILE), {
    docString: 'tiny bag-of-words BERT-type embedder for tests',
  });
}

/**
 * Same vectors as tiny/embed (to within 1e-3), plus a deliberately expensive side chain:
 * h = Up·E[ids]; h += tanh(h·W) repeated HEAVY_STEPS times with one shared W; the chain's result
 * enters the output scaled by 1e-3, so it cannot be optimised away but hardly moves the vectors.
 */
function buildEmbedHeavy(dir: string, vocab: WordPieceVocab): number {
  const g = new OnnxGraphBuilder('tiny_embed_heavy');
  const io = encoderInputs(g);
  const bag = addBagOfWords(g, vocab, io.inputIds, io.tokenTypeIds);
  const rnd = new SeededRandom(99);
  const small = 64;
  const d = HEAVY_WIDTH;
  const e = g.weight(
    'heavy.embed',
    [vocab.tokens.length, small],
    rnd.normal(vocab.tokens.length * small, 1),
  );
  const up = g.weight('heavy.up', [small, d], rnd.normal(small * d, 1 / Math.sqrt(small)));
  const w = g.weight('heavy.shared', [d, d], rnd.normal(d * d, 1 / Math.sqrt(d)));
  const down = g.weight(
    'heavy.down',
    [d, TINY_EMBED_DIM],
    rnd.normal(d * TINY_EMBED_DIM, 1 / Math.sqrt(d)),
  );
  let h = g.matmul(g.gather(e, io.inputIds), up);
  for (let i = 0; i < HEAVY_STEPS; i++) h = g.add(h, g.op('Tanh', [g.matmul(h, w)]));
  const side = g.mul(g.op('Tanh', [g.matmul(h, down)]), g.constF(1e-3));
  encoderOutput(g, io, g.add(bag, side), TINY_EMBED_DIM);
  writeBertTokenizer(dir, vocab, EMBED_MAX_POSITIONS);
  writeJson(
    join(dir, 'config.json'),
    bertConfig(vocab, { heavy_width: HEAVY_WIDTH, heavy_steps: HEAVY_STEPS }),
  );
  return g.save(join(dir, MODEL_FILE), {
    docString: 'tiny embedder with an expensive graph, for concurrency tests',
  });
}

// ---------------------------------------------------------------------------------------------
// Cross-encoder
// ---------------------------------------------------------------------------------------------

/** As `tokenWeight`, but special tokens ([CLS], [SEP], [PAD]) do not count at all. */
function rerankTokenWeight(token: string): number {
  return (BERT_SPECIAL_TOKENS as readonly string[]).includes(token) ? 0 : tokenWeight(token);
}

/**
 * A BERT-type sequence classifier over `[CLS] query [SEP] passage [SEP]` (token_type_ids 0 for the
 * query part, 1 for the passage part, attention_mask 0 on padding):
 *
 *   q = Σ mask·(1 - type)·E[ids],   p = Σ mask·type·E[ids]   (bags of words, specials weigh 0)
 *   logits = TINY_RERANK_SCALE · q·p / sqrt(|q|²·|p|² + ε) + TINY_RERANK_BIAS        [batch, 1]
 *
 * E is tiny/embed's word table (same seed, same directions), so passages sharing more content
 * words with the query score higher, and stopwords hardly matter. Padding never changes a score.
 */
function buildRerank(dir: string, vocab: WordPieceVocab): number {
  const g = new OnnxGraphBuilder('tiny_rerank');
  const io = encoderInputs(g);
  const table = wordVectorTable(vocab, new SeededRandom(WORD_VECTOR_SEED), rerankTokenWeight);
  const words = g.gather(
    g.weight(
      'bert.embeddings.word_embeddings.weight',
      [vocab.tokens.length, TINY_EMBED_DIM],
      table,
    ),
    io.inputIds,
  );
  const mask = g.cast(io.attentionMask, 'float32');
  const passageMask = g.mul(mask, g.cast(io.tokenTypeIds, 'float32'));
  const queryMask = g.sub(mask, passageMask);
  const sum = (x: string, axis: number, keepdims: 0 | 1): string =>
    g.op('ReduceSum', [x, g.constI([axis])], { keepdims });
  const bag = (m: string): string => sum(g.mul(words, g.unsqueeze(m, [2])), 1, 0); // [batch, dim]
  const q = bag(queryMask);
  const p = bag(passageMask);
  const dot = sum(g.mul(q, p), 1, 1); // [batch, 1]
  const norms = g.mul(sum(g.mul(q, q), 1, 1), sum(g.mul(p, p), 1, 1));
  const cosine = g.div(dot, g.op('Sqrt', [g.add(norms, g.constF(1e-12))]));
  const logits = g.add(g.mul(cosine, g.constF(TINY_RERANK_SCALE)), g.constF(TINY_RERANK_BIAS));
  g.output('logits', 'float32', ['batch_size', 1], logits);
  writeBertTokenizer(dir, vocab, RERANK_MAX_TOKENS);
  writeJson(
    join(dir, 'config.json'),
    bertConfig(vocab, {
      architectures: ['BertForSequenceClassification'],
      max_position_embeddings: RERANK_MAX_TOKENS,
      num_labels: 1,
      id2label: { '0': 'LABEL_0' },
      label2id: { LABEL_0: 0 },
      problem_type: 'regression',
      rerank_scale: TINY_RERANK_SCALE,
      rerank_bias: TINY_RERANK_BIAS,
    }),
  );
  return g.save(join(dir, MODEL_FILE), {
    docString: `tiny bag-of-words cross-encoder for tests: logit = ${TINY_RERANK_SCALE}·cos(query, passage) + ${TINY_RERANK_BIAS}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Chat decoder
// ---------------------------------------------------------------------------------------------

/**
 * The next-token table of tiny/chat: a chain through the byte tokens of TINY_CHAT_ANSWER (every
 * byte in it is distinct, so each token has one successor), ending in <|im_end|>; every other
 * token (including "\n", "Ċ", the last token of a ChatML generation prompt) leads to the chain's
 * first token. The model emits single-byte tokens, so BPE merges never matter for the chain.
 */
export function chatNextTokenTable(vocabSize: number, ids: (token: string) => number): Int32Array {
  const chain = [...Buffer.from(TINY_CHAT_ANSWER, 'utf8')].map((b) => ids(byteToken(b)));
  if (new Set(chain).size !== chain.length) throw new Error('answer bytes must be distinct');
  const first = chain[0];
  if (first === undefined) throw new Error('empty answer');
  const next = new Int32Array(vocabSize).fill(first);
  chain.forEach((id, i) => (next[id] = chain[i + 1] ?? ids(IM_END)));
  return next;
}

function buildChat(dir: string): number {
  const vocab = buildBpeVocab();
  const v = vocab.tokens.length;
  const id = (t: string): number => bpeId(vocab, t);
  const rnd = new SeededRandom(4242);
  const g = new OnnxGraphBuilder('tiny_chat');
  const batchSeq = ['batch_size', 'sequence_length'];
  const inputIds = g.input('input_ids', 'int64', batchSeq);
  const attentionMask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', 'int64', batchSeq);
  const cacheDims = ['batch_size', CHAT_KV_HEADS, 'past_sequence_length', CHAT_HEAD_DIM];
  const pastKey = g.input('past_key_values.0.key', 'float32', cacheDims);
  const pastValue = g.input('past_key_values.0.value', 'float32', cacheDims);

  // One attention layer over token + position embeddings, with grouped-query heads and a KV cache.
  const hdim = CHAT_HIDDEN;
  const emb = g.weight('model.embed_tokens.weight', [v, hdim], rnd.normal(v * hdim, 1));
  const pos = g.weight(
    'model.embed_positions.weight',
    [CHAT_MAX_POSITIONS, hdim],
    rnd.normal(CHAT_MAX_POSITIONS * hdim, 0.5),
  );
  const x = g.add(g.gather(emb, inputIds), g.gather(pos, positionIds));
  const proj = (name: string, out: number): string =>
    g.weight(
      `model.layers.0.self_attn.${name}.weight`,
      [hdim, out],
      rnd.normal(hdim * out, 1 / Math.sqrt(hdim)),
    );
  const heads = (t: string, n: number): string =>
    g.transpose(g.reshape(t, [0, 0, n, CHAT_HEAD_DIM]), [0, 2, 1, 3]);
  const q = heads(g.matmul(x, proj('q_proj', CHAT_HEADS * CHAT_HEAD_DIM)), CHAT_HEADS);
  const k = heads(g.matmul(x, proj('k_proj', CHAT_KV_HEADS * CHAT_HEAD_DIM)), CHAT_KV_HEADS);
  const val = heads(g.matmul(x, proj('v_proj', CHAT_KV_HEADS * CHAT_HEAD_DIM)), CHAT_KV_HEADS);
  const presentKey = g.op('Concat', [pastKey, k], { axis: 2 });
  const presentValue = g.op('Concat', [pastValue, val], { axis: 2 });
  // [b, heads, s, d] x [b, kv_heads, d, T] broadcasts the single KV head over the query heads.
  const scores = g.mul(
    g.matmul(q, g.transpose(presentKey, [0, 1, 3, 2])),
    g.constF(1 / Math.sqrt(CHAT_HEAD_DIM)),
  );
  // Causal mask: query i (absolute position T - s + i) sees keys 0..T - s + i, and no padding.
  const total = g.dimOf(presentKey, 2);
  const keyPos = g.unsqueeze(g.op('Range', [g.constI(0), total, g.constI(1)]), [0]);
  const queryPos = g.unsqueeze(
    g.op('Range', [g.sub(total, g.dimOf(inputIds, 1)), total, g.constI(1)]),
    [1],
  );
  const causal = g.op('LessOrEqual', [keyPos, queryPos]);
  const notPadded = g.unsqueeze(g.cast(attentionMask, 'bool'), [1, 2]);
  const allowed = g.op('And', [causal, notPadded]);
  const masked = g.op('Where', [allowed, scores, g.constF(-1e9)]);
  const attn = g.matmul(g.op('Softmax', [masked], { axis: -1 }), presentValue);
  const merged = g.reshape(g.transpose(attn, [0, 2, 1, 3]), [0, 0, hdim]);
  const o = g.matmul(merged, proj('o_proj', hdim));

  // logits = bigram[input_id] (scale 12 on the successor, small noise elsewhere) + 0.01·tanh(o·W).
  const next = chatNextTokenTable(v, id);
  const bigram = rnd.normal(v * v, 0.3);
  next.forEach((to, from) => (bigram[from * v + to] = 12));
  const table = g.weight('bigram.weight', [v, v], bigram);
  const head = g.weight('lm_head.weight', [hdim, v], rnd.normal(hdim * v, 1 / Math.sqrt(hdim)));
  const logits = g.add(
    g.gather(table, inputIds),
    g.mul(g.op('Tanh', [g.matmul(o, head)]), g.constF(0.01)),
  );

  g.output('logits', 'float32', ['batch_size', 'sequence_length', v], logits);
  const presentDims = ['batch_size', CHAT_KV_HEADS, 'total_sequence_length', CHAT_HEAD_DIM];
  g.output('present.0.key', 'float32', presentDims, presentKey);
  g.output('present.0.value', 'float32', presentDims, presentValue);

  writeChatTokenizer(dir, vocab, CHAT_MAX_POSITIONS);
  const bos = id(IM_START);
  const eos = id(IM_END);
  writeJson(join(dir, 'config.json'), {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: hdim,
    intermediate_size: 2 * hdim,
    num_hidden_layers: 1,
    num_attention_heads: CHAT_HEADS,
    num_key_value_heads: CHAT_KV_HEADS,
    head_dim: CHAT_HEAD_DIM,
    hidden_act: 'silu',
    max_position_embeddings: CHAT_MAX_POSITIONS,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: false,
    vocab_size: v,
    bos_token_id: bos,
    eos_token_id: eos,
    pad_token_id: eos,
    torch_dtype: 'float32',
    use_cache: true,
    'transformers.js_config': { dtype: 'fp32' },
  });
  // max_length lets callers that pass no max_new_tokens still run to <|im_end|> (reached within
  // a dozen tokens from any state).
  writeJson(join(dir, 'generation_config.json'), {
    bos_token_id: bos,
    eos_token_id: eos,
    pad_token_id: eos,
    max_length: CHAT_MAX_POSITIONS,
  });
  return g.save(join(dir, MODEL_FILE), {
    docString: `tiny llama-type decoder for tests; greedy answer: ${TINY_CHAT_ANSWER}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

const EMBED_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  MODEL_FILE,
];
const CHAT_FILES = [...EMBED_FILES, 'generation_config.json'];

/** The version plus a hash of the generator sources (when run from source, as ts-node and jest do). */
function stampText(): string {
  const hash = createHash('sha256');
  for (const file of GENERATOR_SOURCES) {
    const path = join(__dirname, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return `${TINY_MODELS_VERSION} ${hash.digest('hex').slice(0, 16)}`;
}

function upToDate(dir: string, files: readonly string[], stamp: string): boolean {
  const stampPath = join(dir, STAMP_FILE);
  if (!existsSync(stampPath) || readFileSync(stampPath, 'utf8').trim() !== stamp) return false;
  return files.every((file) => existsSync(join(dir, file)));
}

/**
 * Builds one model folder unless it is up to date. The folder is written under a temporary name
 * and renamed into place, so a concurrent reader (another jest worker) never sees half a model.
 */
function ensure(
  stamp: string,
  outDir: string,
  id: string,
  files: readonly string[],
  build: (dir: string) => number,
): BuiltModel {
  const dir = join(outDir, id);
  const existing = (): BuiltModel => ({
    id,
    dir,
    onnxBytes: statSync(join(dir, MODEL_FILE)).size,
    skipped: true,
  });
  if (upToDate(dir, files, stamp)) return existing();
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const onnxBytes = build(tmp);
    writeFileSync(join(tmp, STAMP_FILE), `${stamp}\n`);
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process put an up-to-date copy in place between our rm and rename: keep it.
      if (upToDate(dir, files, stamp)) return existing();
      throw err;
    }
    return { id, dir, onnxBytes, skipped: false };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds (or keeps, when up to date) the tiny models under `outDir`. */
export function makeTinyModels(outDir: string): BuiltModel[] {
  let wordPiece: WordPieceVocab | undefined;
  const vocab = (): WordPieceVocab => (wordPiece ??= buildWordPieceVocab());
  const stamp = stampText();
  return [
    ensure(stamp, outDir, TINY_EMBED_ID, EMBED_FILES, (dir) => buildEmbed(dir, vocab())),
    ensure(stamp, outDir, TINY_EMBED_HEAVY_ID, EMBED_FILES, (dir) => buildEmbedHeavy(dir, vocab())),
    ensure(stamp, outDir, TINY_EMBED_WIDE_ID, EMBED_FILES, (dir) =>
      buildEmbed(dir, vocab(), TINY_EMBED_WIDE_DIM, WORD_VECTOR_SEED + 1),
    ),
    ensure(stamp, outDir, TINY_RERANK_ID, EMBED_FILES, (dir) => buildRerank(dir, vocab())),
    ensure(stamp, outDir, TINY_CHAT_ID, CHAT_FILES, buildChat),
  ];
}

export const DEFAULT_TINY_MODELS_DIR = join('test', 'fixtures', 'models');

function main(): void {
  const outDir = resolve(process.argv[2] ?? DEFAULT_TINY_MODELS_DIR);
  const started = Date.now();
  for (const m of makeTinyModels(outDir)) {
    const size = `${(m.onnxBytes / 1e6).toFixed(2)} MB`;
    console.log(
      `${m.skipped ? 'up to date' : 'built     '}  ${m.id.padEnd(18)} ${size.padStart(9)}  ${m.dir}`,
    );
  }
  console.log(`tiny models ready in ${Date.now() - started} ms (${outDir})`);
}

if (require.main === module) main();
