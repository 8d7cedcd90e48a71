/**
 * Loads the generated tiny models through transformers.js's real pipelines and checks what the
 * tests rely on. Not a jest test: a script to run by hand after changing the generators.
 *
 * Usage: ts-node --transpile-only test/models/verify-tiny-models.ts [outDir]   (default test/fixtures/models)
 * Builds the models first if needed. Exits 1 if a check fails.
 */
import { join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  FeatureExtractionPipeline,
  Message,
  TextStreamer,
  env,
  pipeline,
} from '@huggingface/transformers';
import {
  DEFAULT_TINY_MODELS_DIR,
  TINY_CHAT_ANSWER,
  TINY_CHAT_ID,
  TINY_EMBED_DIM,
  TINY_EMBED_HEAVY_ID,
  TINY_EMBED_ID,
  TINY_RERANK_BIAS,
  TINY_RERANK_ID,
  TINY_RERANK_SCALE,
  makeTinyModels,
} from './make-tiny-models';
import { SeededRandom } from './onnx-graph';
import { englishWords } from './tokenizers';

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

const DOCS = [
  'The boundary layer over a flat plate becomes turbulent at high Reynolds numbers, which increases skin friction drag.',
  'Fresh bread is baked every morning in the small kitchen behind the restaurant, with butter, honey and coffee for breakfast.',
  'The database stores each document as chunks; a vector index retrieves the most similar chunks for a search query.',
  'The football team won the championship match after the coach changed the strategy in the second half.',
  'Heavy rain and strong wind from the storm closed the mountain road and the bridge over the river.',
];
const QUERIES: readonly [string, number][] = [
  ['turbulent boundary layer drag', 0],
  ['bread baked with butter for breakfast', 1],
  ['how does the vector index search chunks', 2],
  ['who won the football championship', 3],
  ['storm closed the mountain road', 4],
];

async function loadExtractor(id: string): Promise<FeatureExtractionPipeline> {
  return pipeline('feature-extraction', id, { local_files_only: true, dtype: 'fp32' });
}

/** Mean-pooled, normalised embeddings, one row per text. */
async function embed(sut: FeatureExtractionPipeline, texts: string[]): Promise<number[][]> {
  const out = await sut(texts, { pooling: 'mean', normalize: true });
  return out.tolist() as number[][];
}

async function verifyEmbed(): Promise<void> {
  console.log(`${TINY_EMBED_ID}:`);
  const sut = await loadExtractor(TINY_EMBED_ID);
  const docVecs = await embed(sut, DOCS);
  check(
    docVecs[0]?.length === TINY_EMBED_DIM,
    `embedding dims ${docVecs.length}x${docVecs[0]?.length}`,
  );
  for (const [query, target] of QUERIES) {
    const [q] = await embed(sut, [query]);
    const sims = docVecs.map((d) => cosine(q ?? [], d));
    const best = sims.indexOf(Math.max(...sims));
    const others = sims.filter((_, i) => i !== target);
    check(
      best === target,
      `"${query}" -> doc ${best} (cos ${(sims[target] ?? 0).toFixed(3)} vs best other ${Math.max(...others).toFixed(3)})`,
    );
  }
}

/** 32 texts of about 120 word pieces each. */
function heavyBatch(): string[] {
  const rnd = new SeededRandom(7);
  const words = englishWords();
  return Array.from({ length: 32 }, () =>
    Array.from(
      { length: 118 },
      () => words[Math.floor(rnd.uniform() * words.length)] ?? 'word',
    ).join(' '),
  );
}

async function verifyHeavy(): Promise<void> {
  console.log(`${TINY_EMBED_HEAVY_ID}:`);
  const sut = await loadExtractor(TINY_EMBED_HEAVY_ID);
  const light = await loadExtractor(TINY_EMBED_ID);
  const texts = heavyBatch();
  await embed(sut, texts.slice(0, 2)); // warm-up
  // Measure the event-loop lag while inference runs: onnxruntime-node runs off the main thread.
  let maxLag = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    maxLag = Math.max(maxLag, now - last - 10);
    last = now;
  }, 10);
  const started = Date.now();
  const vectors = await embed(sut, texts);
  const ms = Date.now() - started;
  clearInterval(timer);
  console.log(
    `  batch of ${vectors.length} texts (~120 tokens each): ${ms} ms; max event-loop lag ${maxLag} ms`,
  );
  check(ms >= 1000, `heavy batch takes long enough to observe (${ms} ms)`);
  const [a] = vectors;
  const [b] = await embed(light, texts.slice(0, 1));
  check(cosine(a ?? [], b ?? []) > 0.99, 'heavy vectors match tiny/embed vectors');
}

/** tiny/rerank as the server runs it: tokenizer on (query, text) pairs, then the classifier. */
async function verifyRerank(): Promise<void> {
  console.log(`${TINY_RERANK_ID}:`);
  const tokenizer = await AutoTokenizer.from_pretrained(TINY_RERANK_ID, { local_files_only: true });
  const model = await AutoModelForSequenceClassification.from_pretrained(TINY_RERANK_ID, {
    local_files_only: true,
    dtype: 'fp32',
  });
  const score = async (query: string, texts: string[]): Promise<number[]> => {
    const inputs = tokenizer(new Array<string>(texts.length).fill(query), {
      text_pair: texts,
      padding: true,
      truncation: true,
    });
    const out = (await model(inputs)) as { logits: { dims: number[]; data: Float32Array } };
    check(
      out.logits.dims.join(',') === `${texts.length},1`,
      `logits dims ${out.logits.dims.join('x')}`,
    );
    return Array.from(out.logits.data);
  };
  for (const [query, target] of QUERIES) {
    const scores = await score(query, DOCS);
    const best = scores.indexOf(Math.max(...scores));
    const shown = scores.map((x) => x.toFixed(2)).join(' ');
    check(best === target, `"${query}" -> doc ${best} (logits ${shown})`);
  }
  const [same, sameAlone] = [
    (await score('red car', ['red car', 'bread and soup']))[0] ?? NaN,
    (await score('red car', ['red car']))[0] ?? NaN,
  ];
  check(
    Math.abs(same - (TINY_RERANK_SCALE + TINY_RERANK_BIAS)) < 1e-3,
    `same words give scale + bias (${same.toFixed(4)})`,
  );
  check(Math.abs(same - sameAlone) < 1e-5, 'padding does not change a score');
}

async function verifyChat(): Promise<void> {
  console.log(`${TINY_CHAT_ID}:`);
  const sut = await pipeline('text-generation', TINY_CHAT_ID, {
    local_files_only: true,
    dtype: 'fp32',
  });
  const messages: Message[] = [
    { role: 'system', content: 'Answer from the sources and cite them as [n].' },
    {
      role: 'user',
      content:
        'Sources:\n[1] Paris is the capital of France.\n\nQuestion: What is the capital of France?',
    },
  ];
  let started = Date.now();
  const [result] = await sut(messages, { do_sample: false, max_new_tokens: 32 });
  const answer = result?.generated_text.at(-1)?.content ?? '';
  console.log(`  generated ${JSON.stringify(answer)} in ${Date.now() - started} ms`);
  check(answer === TINY_CHAT_ANSWER, `greedy answer is ${JSON.stringify(TINY_CHAT_ANSWER)}`);

  const pieces: string[] = [];
  const tokens: bigint[] = [];
  const streamer = new TextStreamer(sut.tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (text: string) => pieces.push(text),
    token_callback_function: (ids: bigint[]) => tokens.push(...ids),
  });
  started = Date.now();
  await sut(messages, { do_sample: false, max_new_tokens: 32, streamer });
  console.log(
    `  streamed ${tokens.length} tokens in ${Date.now() - started} ms: ${JSON.stringify(pieces)}`,
  );
  check(pieces.join('') === TINY_CHAT_ANSWER, 'streamed pieces join to the answer');

  const [noLimit] = await sut([{ role: 'user', content: 'hi' }], { do_sample: false });
  check(
    noLimit?.generated_text.at(-1)?.content === TINY_CHAT_ANSWER,
    'stops at <|im_end|> without max_new_tokens',
  );
}

/**
 * Runs tiny/chat's graph directly: the last-position logits of a sequence must be the same whether
 * computed in one pass or from a KV cache of its prefix, and must depend on the prefix (through the
 * attention term), so the cache path is genuinely exercised.
 */
async function verifyChatCache(outDir: string): Promise<void> {
  console.log(`${TINY_CHAT_ID} KV cache (onnxruntime-node directly):`);
  const session = await InferenceSession.create(join(outDir, TINY_CHAT_ID, 'onnx', 'model.onnx'));
  const ids = (values: number[]): Tensor =>
    new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from }, (_, i) => from + i);
  const emptyCache = (): Tensor => new Tensor('float32', new Float32Array(0), [1, 1, 0, 16]);
  const run = async (
    tokens: number[],
    past: number,
    key: Tensor,
    value: Tensor,
  ): Promise<InferenceSession.OnnxValueMapType> =>
    session.run({
      input_ids: ids(tokens),
      attention_mask: ids(Array<number>(past + tokens.length).fill(1)),
      position_ids: ids(range(past, past + tokens.length)),
      'past_key_values.0.key': key,
      'past_key_values.0.value': value,
    });
  const lastLogits = (out: InferenceSession.OnnxValueMapType): Float32Array => {
    const logits = out.logits;
    if (logits === undefined) throw new Error('no logits');
    const v = logits.dims[2] ?? 0;
    return (logits.data as Float32Array).slice(-v);
  };
  const sequence = [5, 40, 77, 300, 12, 9];
  const full = lastLogits(await run(sequence, 0, emptyCache(), emptyCache()));
  const prefix = await run(sequence.slice(0, -1), 0, emptyCache(), emptyCache());
  const key = prefix['present.0.key'];
  const value = prefix['present.0.value'];
  if (key === undefined || value === undefined) throw new Error('no present outputs');
  check(
    key.dims.join(',') === `1,1,${sequence.length - 1},16`,
    `present.0.key dims ${key.dims.join('x')}`,
  );
  const cached = lastLogits(await run(sequence.slice(-1), sequence.length - 1, key, value));
  const maxDiff = full.reduce((m, x, i) => Math.max(m, Math.abs(x - (cached[i] ?? 0))), 0);
  check(maxDiff < 1e-4, `cached and uncached logits agree (max diff ${maxDiff.toExponential(1)})`);
  const other = lastLogits(await run([7, 8, 100, 200, 30, 9], 0, emptyCache(), emptyCache()));
  const contextDiff = full.reduce((m, x, i) => Math.max(m, Math.abs(x - (other[i] ?? 0))), 0);
  check(
    contextDiff > 1e-4 && contextDiff < 0.05,
    `logits depend slightly on the context (max diff ${contextDiff.toFixed(4)})`,
  );
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? DEFAULT_TINY_MODELS_DIR);
  makeTinyModels(outDir);
  env.localModelPath = outDir;
  env.allowRemoteModels = false;
  await verifyEmbed();
  await verifyHeavy();
  await verifyRerank();
  await verifyChat();
  await verifyChatCache(outDir);
  if (failures.length > 0) {
    console.error(`${failures.length} check(s) failed`);
    process.exitCode = 1;
  } else {
    console.log('all checks passed');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
