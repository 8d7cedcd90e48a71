/**
 * Churn benchmark: the index under constant replacement. The built server ingests N documents, then
 * replaces every one of them through `PUT /v1/collections/{name}/documents/{id}` with a new text,
 * round after round. After each round: the index's size, capacity, deleted slots and elements (from
 * GET /v1/collections/{name}/index), the snapshot file on disk, the server's RSS and the SQLite files.
 * Deleted slots are reused by the next adds (hnswlib allowReplaceDeleted), so capacity and memory
 * should stay flat however many rounds run.
 *
 * Usage: npm run bench:churn [-- --documents N] [-- --rounds N] [-- --clients N] [-- --bench-model]
 *          [-- --skip-build] [-- --keep-work]
 * Defaults: 2,000 documents, 10 rounds, 4 clients writing at once, the tiny test models
 * (`npm run test:models`); --bench-model uses the random-weight all-MiniLM-L6-v2-shaped encoder
 * from bench/.models (bench/models/make-bench-models.ts) instead.
 * Writes bench/results/churn.json and bench/results/churn.md. Work files go to
 * bench/.work/churn-<date>/, removed after the run unless --keep-work.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TINY_ENV, tinyModelsPresent } from '../test/support/tiny-models';
import {
  elapsedSeconds,
  intArg,
  Machine,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  BENCH_MODELS_DIR,
} from './lib/bench-run';
import type { IndexReport } from '../test/support/crash-check';
import { fmt, table } from './lib/markdown';
import { ServerProcess } from '../test/support/server-process';
import { SeededRandom } from '../test/support/seeded-random';

const COLLECTION = 'churn';
const DOCUMENTS = `/v1/collections/${COLLECTION}/documents`;
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const BENCH_MODEL = 'bench/all-MiniLM-L6-v2';
const INGEST_BATCH = 100;
/** Snapshots every second (the lowest allowed), so each round's snapshot is on disk when measured. */
const SNAPSHOT_INTERVAL_MS = 1000;
const SEED = 20261124;

interface Args {
  documents: number;
  rounds: number;
  clients: number;
  benchModel: boolean;
  skipBuild: boolean;
  keepWork: boolean;
}

interface RoundResult {
  /** 0: after the first ingestion. */
  round: number;
  seconds: number;
  /** Requests per second (documents per second in round 0). */
  perSecond: number;
  chunks: number;
  index: IndexReport;
  snapshotMb: number;
  rssMb: number;
  peakRssMb: number;
  sqliteMb: number;
  walMb: number;
}

function parseArgs(argv: readonly string[]): Args {
  return {
    documents: intArg(argv, 'documents', 2000, 1),
    rounds: intArg(argv, 'rounds', 10, 1),
    clients: intArg(argv, 'clients', 4, 1),
    benchModel: argv.includes('--bench-model'),
    skipBuild: argv.includes('--skip-build'),
    keepWork: argv.includes('--keep-work'),
  };
}

const WORDS =
  `river city train morning house water light garden window table bread market road bridge
station evening winter summer forest mountain village school letter paper music stone field horse
kitchen chair door street coffee doctor teacher children family friend harbour island valley cloud
storm candle mirror pocket basket ladder hammer engine wheel ticket museum library travels crosses
opens carries finds brings keeps leaves builds paints watches reads writes sings quiet bright narrow
heavy early late green yellow small large warm cold`.split(/\s+/);

/** A text of 4-9 sentences of 6-14 common words (2-4 chunks of 48 tokens with the tiny model). */
function text(rng: SeededRandom, tag: string): string {
  const sentences = Array.from({ length: 4 + rng.int(6) }, () => {
    const words = Array.from({ length: 6 + rng.int(9) }, () => WORDS[rng.int(WORDS.length)]!);
    return `${words.join(' ')}.`;
  });
  return `${tag}. ${sentences.join(' ')}`;
}

const mb = (bytes: number) => bytes / 1024 ** 2;
const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function expectStatus<T>(
  what: string,
  call: Promise<{ status: number; body: T }>,
  status: number,
): Promise<T> {
  const res = await call;
  if (res.status !== status)
    throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

/**
 * Waits until nothing is pending, then for a snapshot of the index as it is now: its watermark is
 * the last vector written (each PUT removes the old chunks before it adds the new ones, in one step).
 */
async function settle(server: ServerProcess, storage: string): Promise<IndexReport> {
  for (;;) {
    const c = await expectStatus(
      'GET collection',
      server.get<{ counts: { pending: number } }>(`/v1/collections/${COLLECTION}`),
      200,
    );
    if (c.counts.pending === 0) break;
    await sleep(100);
  }
  const index = await expectStatus(
    'GET index',
    server.get<IndexReport>(`/v1/collections/${COLLECTION}/index`),
    200,
  );
  const db = new Database(path.join(storage, 'ragd.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  const { id, maxSeq } = db
    .prepare(
      'SELECT c.id, (SELECT MAX(seq) FROM chunk_vectors v WHERE v.collection_id = c.id) AS maxSeq FROM collections c WHERE c.name = ?',
    )
    .get(COLLECTION) as { id: number; maxSeq: number };
  db.close();
  const metaFile = path.join(storage, 'indexes', `${id}.meta.json`);
  const t0 = performance.now();
  for (;;) {
    const meta = fs.existsSync(metaFile)
      ? (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { watermark: number })
      : undefined;
    if (meta?.watermark === maxSeq) break;
    if (performance.now() - t0 > 30_000)
      throw new Error(
        `no snapshot up to vector ${maxSeq} within 30 s (meta ${JSON.stringify(meta)})`,
      );
    await sleep(100);
  }
  return index;
}

async function measure(
  server: ServerProcess,
  storage: string,
  round: number,
  seconds: number,
  requests: number,
): Promise<RoundResult> {
  const indexesDir = path.join(storage, 'indexes');
  const index = await settle(server, storage);
  const memory = server.memory();
  const snapshot = fs.readdirSync(indexesDir).filter((f) => f.endsWith('.hnsw'));
  const sqlite = path.join(storage, 'ragd.sqlite');
  return {
    round,
    seconds,
    perSecond: requests / seconds,
    chunks: index.storedVectors,
    index,
    snapshotMb: mb(snapshot.reduce((a, f) => a + sizeOf(path.join(indexesDir, f)), 0)),
    rssMb: memory.vmRssMb,
    peakRssMb: memory.vmHwmMb,
    sqliteMb: mb(sizeOf(sqlite)),
    walMb: mb(sizeOf(`${sqlite}-wal`)),
  };
}

/** Runs `work` over the items with `clients` at a time. */
async function pool<T>(
  items: readonly T[],
  clients: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const modelEnv: Record<string, string> = args.benchModel
    ? {
        MODELS_DIR: BENCH_MODELS_DIR,
        ALLOW_REMOTE_MODELS: 'false',
        EMBEDDING_MODEL: BENCH_MODEL,
        EMBEDDING_DTYPE: 'fp32',
        GENERATION_MODEL: 'none/none',
      }
    : { ...TINY_ENV, GENERATION_MODEL: 'none/none' };
  if (args.benchModel && !fs.existsSync(path.join(BENCH_MODELS_DIR, BENCH_MODEL))) {
    console.error(
      `missing: ${path.join(BENCH_MODELS_DIR, BENCH_MODEL)}; build it with bench/models/make-bench-models.ts --only=minilm`,
    );
    process.exit(2);
  }
  if (!args.benchModel) tinyModelsPresent();
  const { m, workDir } = await startBench('churn', args.skipBuild);
  const storage = path.join(workDir, 'storage');
  const env = {
    ...modelEnv,
    STORAGE_DIR: storage,
    LOG_LEVEL: 'warn',
    INDEX_SNAPSHOT_INTERVAL_MS: String(SNAPSHOT_INTERVAL_MS),
  };
  const server = await ServerProcess.start(ROOT, env, path.join(workDir, 'server.log'));
  await server.waitForEmbeddingReady(120_000);
  await expectStatus(
    'create collection',
    server.post('/v1/collections', { name: COLLECTION }),
    201,
  );
  const model = modelEnv.EMBEDDING_MODEL ?? '?';
  const rng = new SeededRandom(SEED);
  const ids = Array.from({ length: args.documents }, (_, i) => `doc-${i}`);
  const rounds: RoundResult[] = [];

  progress(`ingesting ${args.documents} documents (${model}), ${INGEST_BATCH} per request`);
  let t0 = performance.now();
  const batches = Array.from({ length: Math.ceil(ids.length / INGEST_BATCH) }, (_, b) =>
    ids.slice(b * INGEST_BATCH, (b + 1) * INGEST_BATCH),
  );
  await pool(batches, args.clients, async (batch) => {
    const documents = batch.map((id) => ({ id, text: text(rng, `${id} version 0`) }));
    await expectStatus('POST documents', server.post(DOCUMENTS, { documents }), 201);
  });
  let seconds = (performance.now() - t0) / 1000;
  rounds.push(await measure(server, storage, 0, seconds, ids.length));
  progress(roundLine(rounds.at(-1)!));

  for (let round = 1; round <= args.rounds; round++) {
    t0 = performance.now();
    await pool(ids, args.clients, async (id) => {
      const body = await expectStatus(
        'PUT document',
        server.put<{ status: string }>(`${DOCUMENTS}/${id}`, {
          text: text(rng, `${id} version ${round}`),
        }),
        200,
      );
      if (body.status !== 'replaced')
        throw new Error(`PUT ${id}: status ${body.status}, expected replaced`);
    });
    seconds = (performance.now() - t0) / 1000;
    rounds.push(await measure(server, storage, round, seconds, ids.length));
    progress(roundLine(rounds.at(-1)!));
  }
  const stopped = await server.stop();
  m.uptimeAfter = shell('uptime', []);
  const totalSeconds = elapsedSeconds();
  const settings = {
    documents: args.documents,
    rounds: args.rounds,
    clients: args.clients,
    model,
    snapshotIntervalMs: SNAPSHOT_INTERVAL_MS,
    seed: SEED,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'churn.json'),
    `${JSON.stringify({ machine: m, settings, totalSeconds, rounds, shutdown: stopped }, null, 2)}\n`,
  );
  const md = report(rounds, settings, m, totalSeconds);
  fs.writeFileSync(path.join(RESULTS_DIR, 'churn.md'), md);
  console.log(`\n${md}`);
  if (!args.keepWork) fs.rmSync(workDir, { recursive: true, force: true });
  progress(`done in ${(totalSeconds / 60).toFixed(1)} min; ${m.uptimeAfter}`);
}

function roundLine(r: RoundResult): string {
  return (
    `round ${r.round}: ${fmt(r.seconds, 1)} s (${fmt(r.perSecond, 0)}/s); index ${r.index.size} live, capacity ${r.index.capacity}, ` +
    `${r.index.deletedSlots} deleted slots, consistent ${r.index.consistent}; snapshot ${fmt(r.snapshotMb, 2)} MB, RSS ${fmt(r.rssMb, 0)} MB, ` +
    `SQLite ${fmt(r.sqliteMb, 1)} MB + WAL ${fmt(r.walMb, 1)} MB`
  );
}

function report(
  rounds: readonly RoundResult[],
  settings: { documents: number; rounds: number; clients: number; model: string },
  m: Machine,
  totalSeconds: number,
): string {
  const first = rounds[1] ?? rounds[0]!;
  const last = rounds.at(-1)!;
  const growth = (a: number, b: number) =>
    `${fmt(a, 1)} → ${fmt(b, 1)} (${b >= a ? '+' : ''}${fmt(((b - a) / a) * 100, 1)}%)`;
  return [
    `## Index under constant replacement (${m.date.slice(0, 10)})`,
    '',
    ...machineLines(m, totalSeconds),
    '',
    `Command: \`npm run bench:churn -- --documents ${settings.documents} --rounds ${settings.rounds} --clients ${settings.clients}\`. ` +
      `The built server with \`${settings.model}\`, snapshots every ${SNAPSHOT_INTERVAL_MS / 1000} s; ${settings.documents} documents of 4-9 sentences ` +
      `ingested ${INGEST_BATCH} per request, then ${settings.rounds} rounds in which every document is replaced by a new text through PUT ` +
      `(${settings.clients} clients at once). Each row is measured once nothing is pending and the snapshot on disk holds the current index.`,
    '',
    table(
      [
        'round',
        'time (s)',
        'documents per s',
        'live vectors',
        'capacity',
        'deleted slots',
        'elements',
        'consistent',
        'snapshot (MB)',
        'RSS (MB)',
        'peak RSS (MB)',
        'SQLite (MB)',
        'WAL (MB)',
      ],
      rounds.map((r) => [
        r.round === 0 ? '0 (ingest)' : String(r.round),
        fmt(r.seconds, 1),
        fmt(r.perSecond, 0),
        String(r.index.size),
        String(r.index.capacity),
        String(r.index.deletedSlots),
        String(r.index.elements),
        r.index.consistent ? 'yes' : '**no**',
        fmt(r.snapshotMb, 2),
        fmt(r.rssMb, 0),
        fmt(r.peakRssMb, 0),
        fmt(r.sqliteMb, 1),
        fmt(r.walMb, 1),
      ]),
    ),
    '',
    `From round 1 to round ${last.round}: capacity ${first.index.capacity} → ${last.index.capacity}; elements ${first.index.elements} → ${last.index.elements}; ` +
      `snapshot MB ${growth(first.snapshotMb, last.snapshotMb)}; RSS MB ${growth(first.rssMb, last.rssMb)}; SQLite MB ${growth(first.sqliteMb, last.sqliteMb)}.`,
    '',
  ].join('\n');
}

runMain(main);
