import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contextOf } from './cli-context';
import { CliError, EXIT } from './exit-codes';
import { JOB_ENDED, JobView, followJob } from './job-progress';
import { LocalFile, localFiles } from './local-files';
import { RagdClient, seg } from './ragd-client';
import { RemoteDocument, SyncPlan, documentIdOf, metadataOf, planSync } from './sync-plan';

/** Files per job: fileMetadata (a line per file) stays well under the 1 MiB a field may have. */
const FILES_PER_JOB = 4000;

interface IndexOptions {
  collection: string;
  dryRun?: boolean;
}

export function indexCommand(program: Command): void {
  program
    .command('index')
    .description(
      'Keep a collection in sync with a folder: new and changed files go up as one background job, files gone from the folder are removed from the collection; nothing changed, nothing sent',
    )
    .argument('<paths...>', 'a folder, or files inside the current folder')
    .requiredOption('-c, --collection <name>', 'the collection (created if missing)')
    .option('--dry-run', 'say what would change, change nothing')
    .action(async (paths: string[], options: IndexOptions, command: Command) => {
      const { client, out } = contextOf(command);
      const base = baseOf(paths);
      const files = await localFiles(paths, base).catch((e: Error) => {
        throw new CliError(e.message, EXIT.usage);
      });
      await ensureCollection(client, options.collection, options.dryRun === true, (t) =>
        out.note(t),
      );
      await waitForEarlierJobs(client, options.collection, (t) => out.note(t));
      const remote =
        options.dryRun && !(await exists(client, options.collection))
          ? []
          : await listDocuments(client, options.collection);
      let plan: SyncPlan;
      try {
        plan = planSync(files, remote);
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.usage);
      }
      const summary = {
        collection: options.collection,
        folder: base,
        added: plan.added.map((f) => f.relativePath),
        changed: plan.changed.map((f) => f.relativePath),
        removed: plan.removed.map((d) => String(d.metadata.path)),
        unchanged: plan.unchanged,
        jobs: [] as string[],
        failed: [] as { file: string; stage: string; message: string }[],
      };
      const nothing = plan.added.length + plan.changed.length + plan.removed.length === 0;
      if (nothing || options.dryRun) {
        out.result({ ...summary, dryRun: options.dryRun === true }, () =>
          nothing
            ? `Nothing to do: '${options.collection}' matches ${base} (${plan.unchanged} files unchanged)`
            : describe(summary, 'would be'),
        );
        return;
      }
      // Gone files, and the old versions of changed ones, are deleted before the job is sent.
      for (const d of [...plan.removed, ...plan.changed.map((f) => remoteOf(f))])
        await client
          .delete(`/v1/collections/${seg(options.collection)}/documents/${seg(d.id)}`)
          .catch((e: unknown) => {
            if (!(e instanceof CliError && e.exitCode === EXIT.notFound)) throw e;
          });
      const upload = [...plan.added, ...plan.changed];
      const draw = process.stderr.isTTY === true && !out.json;
      for (let i = 0; i < upload.length; i += FILES_PER_JOB) {
        const job = await sendJob(client, options.collection, upload.slice(i, i + FILES_PER_JOB));
        summary.jobs.push(job.id);
        out.note(`Job ${job.id}: ${job.items.total} files`);
        const ended = await followJob(client, job.id, draw);
        summary.failed.push(...failures(ended));
      }
      out.result(summary, () => describe(summary, ''));
      if (summary.failed.length > 0) process.exitCode = EXIT.server;
    });
}

/** The folder paths are relative to: the one folder named, else the current directory. */
function baseOf(paths: string[]): string {
  if (paths.length === 1 && fs.existsSync(paths[0]!) && fs.statSync(paths[0]!).isDirectory())
    return path.resolve(paths[0]!);
  return process.cwd();
}

const remoteOf = (f: LocalFile): RemoteDocument => ({
  id: documentIdOf(f.relativePath),
  metadata: {},
});

async function exists(client: RagdClient, name: string): Promise<boolean> {
  try {
    await client.get(`/v1/collections/${seg(name)}`);
    return true;
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.notFound) return false;
    throw e;
  }
}

async function ensureCollection(
  client: RagdClient,
  name: string,
  dryRun: boolean,
  note: (t: string) => void,
): Promise<void> {
  if (dryRun || (await exists(client, name))) return;
  await client.post('/v1/collections', { name });
  note(`Created collection '${name}'`);
}

/** A job of an earlier, interrupted run goes on on the server: let it end before comparing. */
async function waitForEarlierJobs(
  client: RagdClient,
  collection: string,
  note: (t: string) => void,
): Promise<void> {
  const list = await client
    .get<{ items: JobView[] }>(`/v1/jobs?collection=${seg(collection)}&limit=100`)
    .catch((e: unknown) => {
      if (e instanceof CliError && e.exitCode === EXIT.notFound) return { items: [] };
      throw e;
    });
  for (const job of list.items.filter((j) => !JOB_ENDED.has(j.state))) {
    note(`Waiting for job ${job.id} (${job.state}), still running from an earlier run`);
    await followJob(client, job.id, false);
  }
}

async function listDocuments(client: RagdClient, collection: string): Promise<RemoteDocument[]> {
  const all: RemoteDocument[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.get<{ total: number; items: RemoteDocument[] }>(
      `/v1/collections/${seg(collection)}/documents?limit=1000&offset=${offset}`,
    );
    all.push(...page.items);
    if (page.items.length < 1000) return all;
  }
}

async function sendJob(
  client: RagdClient,
  collection: string,
  files: LocalFile[],
): Promise<JobView> {
  const form = new FormData();
  form.append('idFromFilename', 'true');
  form.append(
    'fileMetadata',
    JSON.stringify(
      Object.fromEntries(files.map((f) => [documentIdOf(f.relativePath), metadataOf(f)])),
    ),
  );
  for (const f of files)
    form.append('files', await fs.openAsBlob(f.absolutePath), documentIdOf(f.relativePath));
  return client.upload<JobView>(`/v1/collections/${seg(collection)}/jobs`, form);
}

function failures(job: JobView): { file: string; stage: string; message: string }[] {
  const failed = job.errors.map((e) => ({
    file: e.source ?? e.documentId,
    stage: e.stage,
    message: e.message,
  }));
  if (job.state !== 'done' && failed.length === 0)
    failed.push({ file: '(job)', stage: job.state, message: job.error ?? `job ${job.state}` });
  return failed;
}

function describe(
  s: {
    collection: string;
    added: string[];
    changed: string[];
    removed: string[];
    unchanged: number;
    failed: { file: string; stage: string; message: string }[];
  },
  verb: string,
): string {
  const lines = [
    `'${s.collection}': ${s.added.length} added, ${s.changed.length} changed, ${s.removed.length} removed, ${s.unchanged} unchanged${verb ? ` (${verb})` : ''}`,
    ...s.added.map((f) => `  + ${f}`),
    ...s.changed.map((f) => `  ~ ${f}`),
    ...s.removed.map((f) => `  - ${f}`),
    ...s.failed.map((f) => `  ! ${f.file}: failed while ${f.stage}: ${f.message}`),
  ];
  return lines.join('\n');
}
