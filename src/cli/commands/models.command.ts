import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTYPES, type Dtype } from '../../config/settings';
import { formatBytes } from '../../engines/adapters/transformers/download/download-format';
import { modelFolder } from '../../engines/adapters/transformers/download/model-files';
import type { ModelTask } from '../../engines/model-status';
import { scanModelsDir } from '../../models/model-catalog';
import { pullInto } from './direct-pull';
import { CliError, EXIT } from '../exit-codes';
import { ModelsClient, type ModelEntry } from './models-client';
import { PullProgress } from './pull-progress';

const TASKS: ModelTask[] = ['embedding', 'generation', 'reranking'];
const POLL_MS = 500;

interface GlobalOptions {
  url: string;
  apiKey?: string;
}

interface PullOptions {
  dtype?: Dtype;
  task?: ModelTask;
  modelsDir?: string;
}

/**
 * `ragd models pull|list|rm`: through a running server (its /v1/models routes; --url, --api-key),
 * or straight on a folder with --models-dir (no server needed: for preparing MODELS_DIR on a
 * machine with network).
 */
export function registerModelsCommands(program: Command): Command {
  const models = program.command('models').description('Models in MODELS_DIR: pull, list, remove');
  const client = (cmd: Command) => {
    const o = cmd.optsWithGlobals<GlobalOptions>();
    return new ModelsClient(o.url, o.apiKey);
  };

  models
    .command('pull <id>')
    .description(
      "Download a model ahead of use, with a progress bar: resumes a cut download, verifies every file against the hub's hash",
    )
    .addOption(
      new Option('--dtype <dtype>', "precision (default: the task's configured one)").choices(
        DTYPES,
      ),
    )
    .addOption(
      new Option(
        '--task <task>',
        'what the model is for (default: read from its config.json)',
      ).choices(TASKS),
    )
    .option('--models-dir <dir>', 'download into this folder directly, without a server')
    .action(async (id: string, opts: PullOptions, cmd: Command) => {
      const sel = { task: opts.task, dtype: opts.dtype };
      if (opts.modelsDir) {
        const dir = path.resolve(opts.modelsDir);
        const progress = new PullProgress(id);
        const { dtype, result } = await pullInto(dir, id, sel, progress);
        progress.done(result, modelFolder(dir, id));
        void dtype;
        return;
      }
      await pullThroughServer(client(cmd), id, sel);
    });

  models
    .command('list')
    .description(
      'What is in MODELS_DIR, at which precisions and sizes, and its state on the server',
    )
    .option('--models-dir <dir>', 'list this folder directly, without a server')
    .option('--json', 'print JSON')
    .action(async (opts: { modelsDir?: string; json?: boolean }, cmd: Command) => {
      const rows = opts.modelsDir
        ? onDisk(path.resolve(opts.modelsDir))
        : fromServer((await client(cmd).list()).data);
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(table(rows));
    });

  models
    .command('rm <id>')
    .description(
      'Remove a model from MODELS_DIR (refused while a collection uses it or it is loaded)',
    )
    .option(
      '--models-dir <dir>',
      'remove it from this folder directly (no server: nothing is checked)',
    )
    .action(async (id: string, opts: { modelsDir?: string }, cmd: Command) => {
      if (opts.modelsDir) {
        const dir = modelFolder(path.resolve(opts.modelsDir), id);
        if (!fs.existsSync(dir))
          throw new CliError(`${id} is not in ${opts.modelsDir}`, EXIT.notFound);
        fs.rmSync(dir, { recursive: true, force: true });
        process.stdout.write(`Removed ${id} from ${opts.modelsDir}\n`);
        return;
      }
      const removed = await client(cmd).remove(id);
      process.stdout.write(`Removed ${removed.id} (${formatBytes(removed.freedBytes)} freed)\n`);
    });
  return models;
}

/** POST .../pull, then GET the model until its download is over, drawing its progress. */
async function pullThroughServer(
  client: ModelsClient,
  id: string,
  sel: { task?: ModelTask; dtype?: Dtype },
): Promise<void> {
  const started = await client.pull(id, sel);
  const progress = new PullProgress(`${id} (${started.dtype})`);
  const at = { task: started.task, dtype: started.dtype };
  let view: ModelEntry = started;
  let last = view.download;
  try {
    for (;;) {
      const d = view.download;
      if (d) last = d;
      if (d && (d.state === 'listing' || d.state === 'downloading' || d.state === 'waiting')) {
        progress.show(d);
      } else if (d?.state === 'failed') {
        throw new CliError(
          `${id} (${view.dtype}): ${d.error ?? view.reason ?? 'download failed'}`,
          EXIT.server,
        );
      } else if (!d && view.state === 'failed' && !view.dtypes.includes(view.dtype)) {
        throw new CliError(`${id} (${view.dtype}): ${view.reason ?? 'failed'}`, EXIT.server);
      } else break;
      await new Promise((r) => setTimeout(r, POLL_MS));
      view = await client.get(id, at);
    }
  } finally {
    progress.stop();
  }
  progress.done(last, 'the MODELS_DIR of the server');
}

interface Row {
  id: string;
  task: string;
  dtype: string;
  size: string;
  state: string;
}

function onDisk(dir: string): Row[] {
  return scanModelsDir(dir).flatMap((m) =>
    Object.entries(m.dtypes).map(([dtype, bytes]) => ({
      id: m.id,
      task: m.task,
      dtype,
      size: formatBytes(bytes),
      state: 'on disk',
    })),
  );
}

function fromServer(models: ModelEntry[]): Row[] {
  return models.map((m) => ({
    id: m.id,
    task: m.task,
    dtype: m.dtype,
    size: m.memoryBytes === null ? '-' : formatBytes(m.memoryBytes),
    state:
      m.download && m.state === 'downloading'
        ? `downloading ${m.download.percent ?? 0}%`
        : m.source === 'hub' && m.state === 'available'
          ? 'not on disk'
          : m.state,
  }));
}

function table(rows: Row[]): string {
  if (rows.length === 0) return 'No models\n';
  const head: Row = { id: 'MODEL', task: 'TASK', dtype: 'DTYPE', size: 'SIZE', state: 'STATE' };
  const keys = Object.keys(head) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  return [head, ...rows]
    .map(
      (r) =>
        keys
          .map((k, i) => r[k].padEnd(widths[i]!))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
