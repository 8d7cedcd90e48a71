import { MultiBar, Presets, SingleBar } from 'cli-progress';
import type { RagdClient } from './ragd-client';
import { relativePathOf } from './sync-plan';

/** What the CLI reads of a job (GET /v1/jobs/{id}). */
export interface JobView {
  id: string;
  collection: string;
  state: string;
  error: string | null;
  items: { total: number; done: number; failed: number; cancelled: number };
  chunks: { total: number; embedded: number };
  current: { ordinal: number; source: string | null; stage: string } | null;
  errors: { source: string | null; documentId: string; stage: string; message: string }[];
}

export const JOB_ENDED: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

/** The steps of one file, for its bar. */
const STEPS: Record<string, number> = { queued: 0, parsing: 1, chunking: 2, embedding: 3 };

/**
 * Follows a job to its end by its event stream, drawing two bars on a terminal: the file being
 * worked on (parse, chunk, store) and the whole job (files ended, chunks embedded). Resolves with
 * the job as it ended.
 */
export async function followJob(
  client: RagdClient,
  jobId: string,
  draw: boolean,
): Promise<JobView> {
  const bars = draw ? new JobBars() : undefined;
  let last: JobView | undefined;
  try {
    for await (const e of client.events(`/v1/jobs/${encodeURIComponent(jobId)}/events`)) {
      if (e.event !== 'progress' && e.event !== 'end') continue;
      last = JSON.parse(e.data) as JobView;
      bars?.update(last);
      if (e.event === 'end') break;
    }
  } finally {
    bars?.stop();
  }
  // The stream closed early (a proxy, a restart): ask once more.
  if (!last || !JOB_ENDED.has(last.state))
    last = await client.get<JobView>(`/v1/jobs/${encodeURIComponent(jobId)}`);
  return last;
}

class JobBars {
  private readonly multi = new MultiBar(
    { clearOnComplete: false, hideCursor: true, format: '{label} [{bar}] {value}/{total} {note}' },
    Presets.shades_classic,
  );
  private file?: SingleBar;
  private overall?: SingleBar;

  update(job: JobView): void {
    const ended = job.items.done + job.items.failed + job.items.cancelled;
    const note = `files, ${job.chunks.embedded}/${job.chunks.total} chunks embedded`;
    this.overall ??= this.multi.create(job.items.total, 0, { label: 'overall', note });
    this.overall.update(ended, { note });
    const current = job.current;
    this.file ??= this.multi.create(3, 0, { label: 'file   ', note: '' });
    if (current) {
      const name = current.source ? relativePathOf(current.source) : `item ${current.ordinal}`;
      this.file.update(STEPS[current.stage] ?? 0, { note: `${current.stage} ${name}` });
    } else if (JOB_ENDED.has(job.state)) this.file.update(3, { note: job.state });
  }

  stop(): void {
    this.multi.stop();
  }
}
