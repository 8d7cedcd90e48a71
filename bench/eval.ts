/**
 * Retrieval quality on a labelled dataset, through the server's own code: the whole Nest app is
 * created in-process (settings from the environment, storage in a fresh folder under bench/.work/),
 * the dataset is ingested with DocumentsService.add and scored with EvaluationService, the same
 * service behind POST /v1/collections/{name}/evaluate.
 *
 * Usage: npm run eval -- --dataset cranfield|xquad [--modes lexical,dense,hybrid,hybrid+rerank]
 *                        [--k 10] [--relevant 1-3|1-4] [--queries N] [--rerank-candidates N] [--keep]
 *
 *   --relevant           Cranfield only: which cranqrel codes are relevant (default 1-4;
 *                        grade = 5 - code).
 *   --queries N          evaluate only the first N queries of the dataset (default all); every
 *                        document is still indexed.
 *   --rerank-candidates N  how many fused candidates the cross-encoder scores in hybrid+rerank
 *                        (1-1000). The evaluation service does not take a per-request count, so
 *                        this sets RERANK_CANDIDATES, the server-wide default, for the in-process
 *                        app (default: RERANK_CANDIDATES from the environment, else 50).
 *   --keep               keep the storage folder under bench/.work/ (deleted by default).
 *
 * Prints a markdown table: recall@1, @5, @k, @100, MRR@10, nDCG@10 and mean search latency per mode,
 * with the dataset, the number of queries and the models in use with their states. Lexical needs no
 * model. Dense, hybrid and hybrid+rerank use EMBEDDING_MODEL / RERANK_MODEL from MODELS_DIR; a mode
 * that cannot run is listed with the reason. Exits 2 when ../shared/datasets (or a file of the
 * dataset) is missing, or on a bad argument or setting.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { CollectionsService } from '../src/collections/collections.service';
import { InvalidSettingsError, loadSettings, type Settings } from '../src/config/settings';
import { SETTINGS } from '../src/config/settings.provider';
import {
  EVALUATION_MODES,
  EvaluationService,
  type EvaluationMode,
  type EvaluationResult,
} from '../src/evaluation/evaluation.service';
import { DocumentsService } from '../src/ingestion/documents.service';
import { InferenceEngines } from '../src/engines/inference-engines';
import type { ModelStatus } from '../src/engines/model-status';
import {
  DATASET_NAMES,
  type Dataset,
  type DatasetName,
  type EvalQuery,
  loadDataset,
  missingFiles,
} from './lib/datasets';
import { fmt, table } from './lib/markdown';

const ROOT = path.resolve(__dirname, '..');
const DATASETS_DIR = path.resolve(ROOT, '..', 'shared', 'datasets');
const WORK_DIR = path.join(ROOT, 'bench', '.work');
const BATCH = 100;

/** The BM25 figures the issue compares against (metric -> value). */
const REFERENCE: Record<DatasetName, Record<string, number>> = {
  cranfield: { ndcgAt10: 0.35, 'recall@100': 0.715 },
  xquad: { 'recall@1': 0.929, 'recall@5': 0.985 },
};

interface Args {
  dataset: DatasetName;
  modes: EvaluationMode[];
  k: number;
  maxRelevantCode: 3 | 4;
  /** Evaluate only the first this many queries (undefined: all). */
  queries?: number;
  /** Sets RERANK_CANDIDATES for the in-process app (undefined: the environment's or the default). */
  rerankCandidates?: number;
  keep: boolean;
}

class UsageError extends Error {}

const USAGE =
  'usage: npm run eval -- --dataset cranfield|xquad [--modes lexical,dense,hybrid,hybrid+rerank] [--k 10] [--relevant 1-3|1-4] [--queries N] [--rerank-candidates N] [--keep]';

/** An optional integer option within [min, max]. */
function intOption(
  values: Map<string, string>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = values.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  return n;
}

function parseArgs(argv: string[]): Args {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = m[1]!;
    if (name === 'keep') {
      flags.add(name);
      continue;
    }
    if (!['dataset', 'modes', 'k', 'relevant', 'queries', 'rerank-candidates'].includes(name))
      throw new UsageError(`unknown option --${name}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  const dataset = values.get('dataset');
  if (!dataset || !(DATASET_NAMES as readonly string[]).includes(dataset))
    throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')}`);
  const modes = (values.get('modes') ?? EVALUATION_MODES.join(',')).split(',').map((s) => s.trim());
  for (const m of modes) {
    if (!(EVALUATION_MODES as readonly string[]).includes(m))
      throw new UsageError(
        `unknown mode ${JSON.stringify(m)}: modes are ${EVALUATION_MODES.join(', ')}`,
      );
  }
  const k = Number(values.get('k') ?? '10');
  if (!Number.isInteger(k) || k < 1 || k > 100)
    throw new UsageError('--k must be an integer from 1 to 100');
  const relevant = values.get('relevant') ?? '1-4';
  if (relevant !== '1-3' && relevant !== '1-4')
    throw new UsageError('--relevant must be 1-3 or 1-4');
  if (values.has('relevant') && dataset !== 'cranfield')
    throw new UsageError('--relevant applies to cranfield only');
  return {
    dataset: dataset as DatasetName,
    modes: [...new Set(modes)] as EvaluationMode[],
    k,
    maxRelevantCode: relevant === '1-3' ? 3 : 4,
    queries: intOption(values, 'queries', 1, Number.MAX_SAFE_INTEGER),
    rerankCandidates: intOption(values, 'rerank-candidates', 1, 1000),
    keep: flags.has('keep'),
  };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (!fs.existsSync(DATASETS_DIR)) {
    console.error(
      `Missing ${DATASETS_DIR}: the evaluation datasets live in ../shared/datasets next to the project (see ../shared/README.md). Nothing to evaluate.`,
    );
    return 2;
  }
  const missing = missingFiles(DATASETS_DIR, args.dataset);
  if (missing.length > 0) {
    console.error(
      `Missing dataset files for ${args.dataset}:\n${missing.map((p) => `  ${p}`).join('\n')}`,
    );
    return 2;
  }

  const loadUptime = uptime();
  const dataset = loadDataset(DATASETS_DIR, args.dataset, {
    maxRelevantCode: args.maxRelevantCode,
  });
  const selected = firstQueries(dataset, args.queries);
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const storage = fs.mkdtempSync(path.join(WORK_DIR, `eval-${args.dataset}-`));
  process.env.STORAGE_DIR = storage;
  // Only the models the evaluation uses: the generator is not loaded unless asked for.
  process.env.PRELOAD_MODELS ??= 'false';
  // EvaluationService searches without a per-request rerankCandidates, so the count goes in as the
  // server-wide default, read when the app's settings are created.
  const rerankCandidatesFromEnv = process.env.RERANK_CANDIDATES;
  if (args.rerankCandidates !== undefined)
    process.env.RERANK_CANDIDATES = String(args.rerankCandidates);
  let settings: Settings;
  try {
    settings = loadSettings(process.env);
  } catch (e) {
    if (!(e instanceof InvalidSettingsError)) throw e;
    console.error(e.message);
    return 2;
  }

  const app = await NestFactory.create(AppModule.forRoot(settings), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  try {
    configureApp(app, settings);
    await app.init();
    // The settings the app itself runs with (the ones its services read).
    const appSettings = app.get<Settings>(SETTINGS);
    const result = await run(app, args, dataset, selected, appSettings);
    const rerankSource =
      args.rerankCandidates !== undefined
        ? `--rerank-candidates, set as RERANK_CANDIDATES for the in-process app${rerankCandidatesFromEnv !== undefined && rerankCandidatesFromEnv !== String(args.rerankCandidates) ? ` (overriding RERANK_CANDIDATES=${rerankCandidatesFromEnv} of the environment)` : ''}`
        : rerankCandidatesFromEnv !== undefined
          ? 'RERANK_CANDIDATES of the environment'
          : 'the RERANK_CANDIDATES default';
    console.log(report(args, dataset, selected, appSettings, result, loadUptime, rerankSource));
    return 0;
  } finally {
    await app.close();
    if (args.keep) log(`storage kept in ${storage}`);
    else fs.rmSync(storage, { recursive: true, force: true });
  }
}

interface RunResult {
  evaluation: EvaluationResult;
  counts: { documents: number; chunks: number; vectors: number; pending: number };
  embedding: { state: string; reason?: string; tokenCounter: string };
  ingestMs: number;
  evaluateMs: number;
  models: ModelStatus[];
}

/** The first `limit` queries of the dataset (all of them when limit is undefined or larger). */
function firstQueries(dataset: Dataset, limit: number | undefined): EvalQuery[] {
  return limit === undefined ? dataset.queries : dataset.queries.slice(0, limit);
}

async function run(
  app: INestApplication,
  args: Args,
  dataset: Dataset,
  queries: EvalQuery[],
  settings: Settings,
): Promise<RunResult> {
  const collections = app.get(CollectionsService);
  const documents = app.get(DocumentsService);
  const evaluation = app.get(EvaluationService);
  const models = app.get(InferenceEngines);

  collections.create({ name: args.dataset });
  log(
    `${args.dataset}: ingesting ${dataset.documents.length} documents in batches of ${BATCH} (embedding model ${settings.embedding.model} ${settings.embedding.dtype})`,
  );
  const t0 = performance.now();
  let embedding: RunResult['embedding'] = { state: 'done', tokenCounter: '' };
  for (let i = 0; i < dataset.documents.length; i += BATCH) {
    const batch = dataset.documents.slice(i, i + BATCH);
    const res = await documents.add(args.dataset, batch, true);
    embedding = res.embedding;
    log(
      `  ${Math.min(i + BATCH, dataset.documents.length)}/${dataset.documents.length} (${seconds(performance.now() - t0)}, embedding ${res.embedding.state}${res.embedding.reason ? `: ${res.embedding.reason}` : ''})`,
    );
  }
  const ingestMs = performance.now() - t0;
  const counts = collections.get(args.dataset).counts;

  log(
    `${args.dataset}: evaluating ${queries.length} of ${dataset.queries.length} queries in ${args.modes.join(', ')}${args.modes.includes('hybrid+rerank') ? ` (rerank candidates ${settings.rerank.candidates})` : ''}`,
  );
  const t1 = performance.now();
  const result = await evaluation.evaluate(args.dataset, {
    queries,
    k: args.k,
    modes: args.modes,
    recallAt: [1, 5, args.k, 100],
  });
  return {
    evaluation: result,
    counts,
    embedding,
    ingestMs,
    evaluateMs: performance.now() - t1,
    models: models.statuses(),
  };
}

function report(
  args: Args,
  dataset: Dataset,
  queries: EvalQuery[],
  settings: Settings,
  r: RunResult,
  loadBefore: string,
  rerankSource: string,
): string {
  const ks = [...new Set([1, 5, args.k, 100])].sort((a, b) => a - b);
  const headers = [
    'mode',
    ...ks.map((k) => `recall@${k}`),
    'MRR@10',
    'nDCG@10',
    'mean latency (ms)',
    'note',
  ];
  const rows = r.evaluation.modes.map((m) =>
    m.available
      ? [
          m.mode,
          ...ks.map((k) => fmt(m.recall?.[String(k)], 3)),
          fmt(m.mrrAt10 ?? undefined, 3),
          fmt(m.ndcgAt10 ?? undefined, 3),
          fmt(m.meanLatencyMs ?? undefined, 2),
          m.modeReason ?? '',
        ]
      : [m.mode, ...ks.map(() => '-'), '-', '-', '-', `unavailable: ${m.reason ?? ''}`],
  );
  const ref = REFERENCE[args.dataset];
  const subset = queries.length < dataset.queries.length;
  rows.push([
    subset ? 'BM25 reference (issue, all queries)' : 'BM25 reference (issue)',
    ...ks.map((k) => fmt(ref[`recall@${k}`], 3)),
    '-',
    fmt(ref.ndcgAt10, 3),
    '-',
    '',
  ]);

  const used = new Set(r.evaluation.modes.map((m) => m.mode));
  const modelRows = r.models
    .filter((m) => m.task === 'embedding' || (m.task === 'reranking' && used.has('hybrid+rerank')))
    .map((m) => [m.task, m.id, m.dtype, m.state, m.reason ?? '']);
  if (modelRows.length === 0)
    modelRows.push([
      'embedding',
      settings.embedding.model,
      settings.embedding.dtype,
      'not_loaded',
      '',
    ]);
  const benchModel =
    r.models.some((m) => m.id.startsWith('bench/') && m.state === 'ready') ||
    settings.embedding.model.startsWith('bench/');

  const lines = [
    `## Retrieval evaluation: ${args.dataset}`,
    '',
    `- documents: ${dataset.documents.length} given, ${r.counts.documents} indexed as ${r.counts.chunks} chunks (${r.counts.vectors} with vectors, ${r.counts.pending} pending); chunk size ${settings.chunking.size} tokens, overlap ${settings.chunking.overlap}; chunk sizes measured by ${r.embedding.tokenCounter || 'unknown'}`,
    `- queries: ${subset ? `the first ${queries.length} of ${dataset.queries.length} (--queries ${args.queries ?? ''})` : `all ${dataset.queries.length}`}, of which ${r.evaluation.evaluatedQueries} have a relevant document and are scored`,
    `- relevance: ${dataset.relevance}`,
    ...dataset.notes.map((n) => `- note: ${n}`),
    `- ranking: ${r.evaluation.depth} distinct documents per query from the top ${r.evaluation.searchTopK} chunks (a document ranks where its best chunk does); k = ${args.k}`,
    `- rerank candidates: ${settings.rerank.candidates} fused chunks scored by the cross-encoder per hybrid+rerank search, the rest kept in fused order behind them (${rerankSource})${r.evaluation.modes.some((m) => m.mode === 'hybrid+rerank') ? '' : '; no hybrid+rerank mode in this run'}`,
    `- ingestion ${seconds(r.ingestMs)}${r.embedding.state === 'done' ? '' : ` (embedding ${r.embedding.state}: ${r.embedding.reason ?? ''})`}; evaluation ${seconds(r.evaluateMs)} (queries run one at a time)`,
    `- machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
    `- uptime before: ${loadBefore}`,
    `- uptime after: ${uptime()}`,
    '',
    table(headers, rows),
    '',
    'Models:',
    '',
    table(['task', 'model', 'dtype', 'state', 'reason'], modelRows),
  ];
  if (benchModel) {
    lines.push(
      '',
      'Note: bench/ models are random-weight models of a real shape: their dense, hybrid and rerank numbers measure the plumbing and the cost, not retrieval quality.',
    );
  }
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
