import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, request, seg } from '../api/api.client';
import { readEvents } from '../api/sse.reader';
import { ENDED_STATES, type Job, type JobItem, type JobState } from '../api/types';
import { asError } from '../api/use-api';
import { Link } from '../router/link';
import { ErrorNote } from '../shared/error-note';
import { bytes, count } from '../shared/format';

const STATE_WORDS: Record<JobState, string> = {
  queued: 'queued',
  parsing: 'parsing',
  chunking: 'chunking',
  embedding: 'embedding',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Items are fetched again at most this often while events come. */
const ITEMS_EVERY_MS = 1000;

/**
 * One upload job, live: its state from GET /v1/jobs/{id}/events (server-sent events, read with
 * fetch so that the API key goes along), each file's state from /v1/jobs/{id}/items, and a cancel
 * button. Found again from the address after a reload.
 */
export function JobProgress(props: {
  jobId: string;
  onChange?: (job: Job) => void;
  onClose: () => void;
}) {
  const [job, setJob] = useState<Job>();
  const [items, setItems] = useState<JobItem[]>([]);
  const [error, setError] = useState<Error>();
  const [cancelling, setCancelling] = useState(false);
  const onChangeRef = useRef(props.onChange);
  useEffect(() => {
    onChangeRef.current = props.onChange;
  });

  useEffect(() => {
    const abort = new AbortController();
    const { signal } = abort;
    const path = `/v1/jobs/${seg(props.jobId)}`;
    let lastItems = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loadItems = async () => {
      lastItems = Date.now();
      const page = await api<{ items: JobItem[] }>(`${path}/items?limit=1000`, { signal });
      setItems(page.items);
    };
    const soonItems = () => {
      if (timer) return;
      const wait = Math.max(0, ITEMS_EVERY_MS - (Date.now() - lastItems));
      timer = setTimeout(() => {
        timer = undefined;
        loadItems().catch(() => undefined);
      }, wait);
    };
    const show = (j: Job) => {
      setJob(j);
      onChangeRef.current?.(j);
    };
    const follow = async () => {
      show(await api<Job>(path, { signal }));
      await loadItems();
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          const res = await request(`${path}/events`, { accept: 'text/event-stream', signal });
          for await (const ev of readEvents(res)) {
            const j = JSON.parse(ev.data) as Job;
            show(j);
            attempt = 0;
            if (ev.event === 'end' || ENDED_STATES.includes(j.state)) {
              clearTimeout(timer);
              await loadItems();
              return;
            }
            soonItems();
          }
        } catch (e) {
          if (signal.aborted || (e instanceof ApiError && e.status < 500)) throw e;
        }
        // The stream closed before the end (a restart, a proxy): follow it again shortly.
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    };
    follow().catch((e: unknown) => {
      if (!signal.aborted) setError(asError(e));
    });
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [props.jobId]);

  const ended = job ? ENDED_STATES.includes(job.state) : false;
  const settled = job ? job.items.done + job.items.failed + job.items.cancelled : 0;

  return (
    <section class="card job" aria-labelledby="job-title">
      <div class="title-row">
        <h2 id="job-title">Upload job</h2>
        <div class="actions">
          <button
            type="button"
            class="danger"
            disabled={!job || ended || cancelling}
            onClick={() => {
              setCancelling(true);
              api<Job>(`/v1/jobs/${seg(props.jobId)}`, { method: 'DELETE' })
                .then(setJob, (e: unknown) => setError(asError(e)))
                .finally(() => setCancelling(false));
            }}
          >
            Cancel job
          </button>
          <button type="button" class="quiet" onClick={props.onClose} disabled={!ended && !error}>
            Close
          </button>
        </div>
      </div>
      <ErrorNote error={error} what="The job cannot be followed" />
      {job && (
        <>
          <p class="job-summary">
            <span class={`state state-${job.state}`}>{STATE_WORDS[job.state]}</span>{' '}
            <span role="status" aria-live="polite">
              {settled} of {job.items.total} {job.items.total === 1 ? 'file' : 'files'} ended
              {job.items.failed > 0 ? `, ${job.items.failed} failed` : ''}
              {job.items.cancelled > 0 ? `, ${job.items.cancelled} cancelled` : ''}
              {job.chunks.total > 0
                ? `; ${job.chunks.embedded} of ${job.chunks.total} chunks embedded`
                : ''}
            </span>
            {job.error && <span class="why"> ({job.error})</span>}
          </p>
          <progress
            aria-label="Job progress"
            max={Math.max(1, job.items.total)}
            value={ended ? Math.max(1, job.items.total) : settled}
          />
          <p class="why">
            Job <code>{job.id}</code>
            {job.current ? ` · now ${job.current.stage} ${job.current.source ?? ''}` : ''}
          </p>
        </>
      )}
      {items.length > 0 && (
        <ul class="job-items" aria-label="Files of the job">
          {items.map((it) => (
            <li key={it.ordinal} class={`item item-${it.state}`}>
              <span class="file-name">{it.source ?? it.documentId}</span>{' '}
              <span class={`state state-${it.state}`}>{STATE_WORDS[it.state]}</span>
              {it.kind === 'file' && <span class="why"> {bytes(it.bytes)}</span>}
              {it.chunks !== null && <span class="why"> · {count(it.chunks, 'chunk')}</span>}
              {it.outcome === 'unchanged' && <span class="why"> · already there, unchanged</span>}
              {it.state === 'done' && job && (
                <>
                  {' · '}
                  <Link
                    href={`/collections/${seg(job.collection)}/documents/${seg(it.documentId)}`}
                    aria-label={`Open ${it.source ?? it.documentId}`}
                  >
                    Open
                  </Link>
                </>
              )}
              {it.error && (
                <div class="item-error">
                  Failed while {it.error.stage}: {it.error.message}{' '}
                  <code class="why">{it.error.code}</code>
                </div>
              )}
              {it.note && <div class="why">{it.note}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
