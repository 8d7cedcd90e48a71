/**
 * Generation through the API against raw transformers.js generate(), same model, same prompt, same
 * number of new tokens, for fp32 and q4: time to first text and tokens/s. The model is the
 * random-weight SmolLM-360M-Instruct-shaped llama decoder of bench/.models (onnx/model.onnx and
 * onnx/model_q4.onnx, built by bench/models/make-bench-models.ts --only=smollm).
 *
 * Raw: AutoModelForCausalLM.from_pretrained with the dtype and device the server's worker passes
 * (no session options on either side, so onnxruntime picks the same threads), the prompt built by
 * the same chat template, greedy, with a TextStreamer as the server uses one (it hands text on at
 * word boundaries; a token callback also records when each token came). API: the built server,
 * POST /v1/chat/completions with stream true, temperature 0 and max_tokens N.
 *
 * The two sides take turns, one request at a time, never at once: for each dtype, a warm-up of each,
 * then in every run raw and API with 1 new token, then raw and API with N. Random weights never
 * pick the end-of-sequence token on this prompt, so both sides generate exactly the tokens asked
 * for; the script checks it (API: the usage it reports) and that both streamed the same text, and
 * stops if not.
 *
 * Figures, medians over the runs, where T1 and TN are the times from sending the request (calling
 * generate()) to the chunk with the finish reason (generate() returning) for 1 and N new tokens:
 *   time to first token   T1: the prompt processed and one token made
 *   first streamed text   in the N-token runs: the server streams through transformers.js'
 *                         TextStreamer, which hands text on at word boundaries, so with random
 *                         tokens the first text can come long after the first token
 *   decode tokens/s       (N - 1) / (TN - T1)
 *   overall tokens/s      N / TN
 *
 * Usage: npm run bench:generation [-- --tokens 64] [-- --runs 5] [-- --skip-build]
 * Writes bench/results/generation.{md,json}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  TextStreamer,
  env as transformersEnv,
} from '@huggingface/transformers';
import {
  elapsedSeconds,
  intArg,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  writeResults,
  BENCH_MODELS_DIR,
} from './lib/bench-run';
import { streamChat } from './lib/chat-stream';
import { fmt, table } from './lib/markdown';
import { ServerProcess } from '../test/support/server-process';
import { summarize } from './lib/stats';

const MODELS_DIR = BENCH_MODELS_DIR;
const MODEL = 'bench/SmolLM-360M-Instruct';
const DTYPES = [
  { dtype: 'fp32', file: 'model.onnx' },
  { dtype: 'q4', file: 'model_q4.onnx' },
] as const;
type BenchDtype = (typeof DTYPES)[number]['dtype'];

/** A system prompt and a question over three short passages, as an ask request looks. */
const MESSAGES = [
  {
    role: 'system' as const,
    content:
      'Answer the question using only the numbered sources below. Cite sources as [n]. If the sources do not answer it, say so.',
  },
  {
    role: 'user' as const,
    content: [
      '[1] Staff travelling on company business may claim a taxi when no public transport runs, or when they travel between 23:00 and 06:00. Keep the receipt.',
      '[2] Refunds for unused rail tickets are requested through the booking tool within 28 days; an administration fee of 10% applies to advance fares.',
      '[3] Late-night trains that are cancelled entitle the traveller to a taxi home up to 50 km, paid by the operator on presentation of the cancellation notice.',
      '',
      'Question: my late train home was cancelled at midnight; can I take a taxi, and who pays for it?',
    ].join('\n'),
  },
];

interface Run {
  side: 'raw' | 'api';
  /** New tokens asked for. */
  asked: number;
  tokens: number;
  /** From the request sent (generate() called) to the first streamed text, if any. */
  firstTextMs?: number;
  /** To the chunk with the finish reason (generate() returned). */
  endMs: number;
  text: string;
}

interface Figures {
  firstTokenMs: number;
  firstTextMs: number;
  decodeTps: number;
  overallTps: number;
}

type Generator = Awaited<ReturnType<typeof AutoModelForCausalLM.from_pretrained>>;
type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

/** The prompt as the server's worker builds it (src/engines/adapters/transformers/inference.worker.ts). */
function promptOf(tokenizer: Tokenizer): { input_ids: { dims: number[] } } {
  return tokenizer.apply_chat_template(MESSAGES, {
    add_generation_prompt: true,
    return_dict: true,
  });
}

async function rawRun(
  model: Generator,
  tokenizer: Tokenizer,
  tokens: number,
): Promise<Run & { firstTextToken: number }> {
  const inputs = promptOf(tokenizer);
  let text = '';
  let generated = 0;
  let firstTextMs: number | undefined;
  let firstTextToken = 0;
  const t0 = performance.now();
  // As the server's worker streams (src/engines/adapters/transformers/inference.worker.ts), plus a token count.
  const streamer = new TextStreamer(tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    token_callback_function: () => generated++,
    callback_function: (piece: string) => {
      if (!piece) return;
      if (firstTextMs === undefined) {
        firstTextMs = performance.now() - t0;
        firstTextToken = generated;
      }
      text += piece;
    },
  });
  await model.generate({ ...inputs, max_new_tokens: tokens, do_sample: false, streamer });
  const endMs = performance.now() - t0;
  return {
    side: 'raw',
    asked: tokens,
    tokens: generated,
    firstTextMs,
    endMs,
    text,
    firstTextToken,
  };
}

async function apiRun(server: ServerProcess, dtype: BenchDtype, tokens: number): Promise<Run> {
  const r = await streamChat(server.baseUrl, {
    model: MODEL,
    dtype,
    messages: MESSAGES,
    max_tokens: tokens,
    temperature: 0,
  });
  if (r.status !== 200 || r.error || r.finishMs === undefined)
    throw new Error(`API stream failed: status ${r.status} ${r.error ?? ''}`);
  return {
    side: 'api',
    asked: tokens,
    tokens: r.usage?.completion_tokens ?? NaN,
    firstTextMs: r.firstTextMs,
    endMs: r.finishMs,
    text: r.text,
  };
}

/** Figures of one side from the median times of its runs, or from the fastest. */
function figures(
  runs: readonly Run[],
  side: Run['side'],
  tokens: number,
  of: 'median' | 'fastest',
): Figures {
  const time = (asked: number, f: (r: Run) => number) => {
    const times = runs.filter((r) => r.side === side && r.asked === asked).map(f);
    return of === 'median' ? summarize(times).p50 : Math.min(...times);
  };
  const t1 = time(1, (r) => r.endMs);
  const tn = time(tokens, (r) => r.endMs);
  return {
    firstTokenMs: t1,
    firstTextMs: time(tokens, (r) => r.firstTextMs ?? NaN),
    decodeTps: ((tokens - 1) * 1000) / (tn - t1),
    overallTps: (tokens * 1000) / tn,
  };
}

interface DtypeResult {
  dtype: BenchDtype;
  onnxMb: number;
  promptTokens: number;
  tokens: number;
  /** How many tokens were out when the first text was streamed. */
  firstTextToken: number;
  raw: Figures;
  api: Figures;
  /** From each side's fastest runs (least disturbed by other work on the machine). */
  rawFastest: Figures;
  apiFastest: Figures;
  /**
   * API / raw within each run (the four requests of a run are neighbours in time, so load that
   * changes during the benchmark cancels out), median over the runs.
   */
  paired: { firstToken: number; decode: number; overall: number };
  runs: Run[];
}

/** Medians over the runs of API / raw (times: raw / API), from runs in the order raw 1, API 1, raw N, API N. */
function pairedRatios(all: readonly Run[]): DtypeResult['paired'] {
  const groups = Array.from({ length: all.length / 4 }, (_, i) => all.slice(4 * i, 4 * i + 4));
  const median = (f: (g: Run[]) => number) => summarize(groups.map(f)).p50;
  const t = (g: Run[], i: number) => g[i]!.endMs;
  return {
    firstToken: median((g) => t(g, 1) / t(g, 0)),
    decode: median((g) => (t(g, 2) - t(g, 0)) / (t(g, 3) - t(g, 1))),
    overall: median((g) => t(g, 2) / t(g, 3)),
  };
}

async function measure(
  dtype: BenchDtype,
  onnxMb: number,
  tokens: number,
  runs: number,
  workDir: string,
): Promise<DtypeResult> {
  progress(`${dtype}: loading the model in this process (raw side)`);
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
  // The options the server's worker gives pipeline() (src/engines/adapters/transformers/inference.worker.ts).
  const model = await AutoModelForCausalLM.from_pretrained(MODEL, {
    dtype,
    device: 'cpu',
    local_files_only: true,
  });
  const promptTokens = promptOf(tokenizer).input_ids.dims[1] ?? 0;
  progress(`${dtype}: starting the server`);
  const server = await ServerProcess.start(
    ROOT,
    {
      MODELS_DIR,
      ALLOW_REMOTE_MODELS: 'false',
      GENERATION_MODEL: MODEL,
      GENERATION_DTYPE: dtype,
      EMBEDDING_MODEL: 'none/none',
      RERANK_MODEL: 'none/none',
      STORAGE_DIR: path.join(workDir, `storage-${dtype}`),
      LOG_LEVEL: 'warn',
    },
    path.join(workDir, `server-${dtype}.log`),
  );
  try {
    await server.waitForModelReady('generation', 300_000);
    progress(`${dtype}: warm-up (one generation each side)`);
    const warm = await rawRun(model, tokenizer, tokens);
    await apiRun(server, dtype, tokens);
    const all: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const one = [await rawRun(model, tokenizer, 1), await apiRun(server, dtype, 1)];
      const full = [await rawRun(model, tokenizer, tokens), await apiRun(server, dtype, tokens)];
      const ms = (r: Run | undefined) => fmt(r?.endMs, 0);
      progress(
        `${dtype} run ${i + 1}/${runs}: 1 token raw ${ms(one[0])} ms, API ${ms(one[1])} ms; ` +
          `${tokens} tokens raw ${ms(full[0])} ms, API ${ms(full[1])} ms`,
      );
      for (const r of [...one, ...full])
        if (r.tokens !== r.asked)
          throw new Error(`${r.side} made ${r.tokens} tokens, not ${r.asked} (end of sequence?)`);
      for (const r of full)
        if (r.text.trim() !== warm.text.trim())
          throw new Error(`${r.side} streamed another text than the raw warm-up did`);
      all.push(...one, ...full);
    }
    return {
      dtype,
      onnxMb,
      promptTokens,
      tokens,
      firstTextToken: warm.firstTextToken,
      raw: figures(all, 'raw', tokens, 'median'),
      api: figures(all, 'api', tokens, 'median'),
      rawFastest: figures(all, 'raw', tokens, 'fastest'),
      apiFastest: figures(all, 'api', tokens, 'fastest'),
      paired: pairedRatios(all),
      runs: all,
    };
  } finally {
    await server.stop();
    await model.dispose();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const tokens = intArg(argv, 'tokens', 64, 2);
  const runs = intArg(argv, 'runs', 5, 1);
  const onnxDir = path.join(MODELS_DIR, MODEL, 'onnx');
  const missing = DTYPES.filter((d) => !fs.existsSync(path.join(onnxDir, d.file)));
  if (missing.length > 0) {
    console.error(
      `missing: ${missing.map((d) => path.join(onnxDir, d.file)).join(', ')}; build them with: npx ts-node --transpile-only bench/models/make-bench-models.ts --only=smollm (needs ../shared/model-shapes)`,
    );
    process.exit(2);
  }
  transformersEnv.localModelPath = MODELS_DIR;
  transformersEnv.allowRemoteModels = false;
  const { m, workDir } = await startBench('generation', argv.includes('--skip-build'));
  const results: DtypeResult[] = [];
  for (const { dtype, file } of DTYPES) {
    const onnxMb = fs.statSync(path.join(onnxDir, file)).size / 1e6;
    results.push(await measure(dtype, onnxMb, tokens, runs, workDir));
  }
  m.uptimeAfter = shell('uptime', []);

  const ratio = (api: number, raw: number) => `${fmt(api / raw, 2)}x`;
  const row = (r: DtypeResult, side: string, f: Figures, mb: string) => [
    r.dtype,
    side,
    mb,
    fmt(f.firstTokenMs, 0),
    fmt(f.firstTextMs, 0),
    fmt(f.decodeTps, 2),
    fmt(f.overallTps, 2),
  ];
  const holds = (r: DtypeResult) => r.paired.decode >= 0.95 && r.paired.overall >= 0.95;
  const rows = results.flatMap((r) => [
    row(r, 'raw generate(), median', r.raw, fmt(r.onnxMb, 0)),
    row(r, 'API, streaming, median', r.api, ''),
    row(r, 'raw generate(), fastest', r.rawFastest, ''),
    row(r, 'API, streaming, fastest', r.apiFastest, ''),
    [
      r.dtype,
      'API / raw, fastest runs',
      '',
      ratio(r.apiFastest.firstTokenMs, r.rawFastest.firstTokenMs),
      ratio(r.apiFastest.firstTextMs, r.rawFastest.firstTextMs),
      ratio(r.apiFastest.decodeTps, r.rawFastest.decodeTps),
      ratio(r.apiFastest.overallTps, r.rawFastest.overallTps),
    ],
    [
      r.dtype,
      '**API / raw, median of per-run ratios**',
      '',
      `${fmt(r.paired.firstToken, 2)}x`,
      '',
      `**${fmt(r.paired.decode, 2)}x**`,
      `**${fmt(r.paired.overall, 2)}x**`,
    ],
  ]);
  const [fp32, q4] = results as [DtypeResult, DtypeResult];
  const md = [
    `## Generation through the API against raw generate() (${m.date.slice(0, 10)})`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Command: \`npm run bench:generation -- --tokens ${tokens} --runs ${runs}\`. Model ${MODEL} (random weights, real shape) in fp32 and q4 (4-bit MatMulNBits, block 32). ` +
      `Prompt: ${fp32.promptTokens} tokens (a system prompt and a question over three sources, through the chat template). Greedy; both sides made exactly the tokens asked for and streamed the same text (checked). ` +
      `${runs} runs per side, raw and API taking turns, after a warm-up of each; figures from the median and from the fastest times of each side. ` +
      `Time to first token: T1, a request for 1 new token; decode tokens/s: (${tokens} - 1) / (T${tokens} - T1); overall tokens/s: ${tokens} / T${tokens}. ` +
      `First streamed text: in the ${tokens}-token runs; TextStreamer hands text on at word boundaries, here after token ${results.map((r) => `${r.firstTextToken} (${r.dtype})`).join(', ')}.`,
    '',
    table(
      [
        'dtype',
        'side',
        'onnx MB',
        'time to first token ms',
        'first streamed text ms',
        'decode tokens/s',
        'overall tokens/s',
      ],
      rows,
    ),
    '',
    `Target API >= 0.95x raw tokens/s (decode and overall, median of per-run ratios): ${results.map((r) => `${r.dtype} ${holds(r) ? 'holds' : 'falls short'}`).join(', ')}. ` +
      `q4 / fp32 decode tokens/s: raw ${ratio(q4.raw.decodeTps, fp32.raw.decodeTps)}, API ${ratio(q4.api.decodeTps, fp32.api.decodeTps)}.`,
    '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('generation', md, {
    machine: m,
    model: MODEL,
    messages: MESSAGES,
    tokens,
    runs,
    results,
  });
  fs.rmSync(workDir, { recursive: true, force: true });
}

runMain(main);
