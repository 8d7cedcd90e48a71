import { useEffect, useRef, useState } from 'preact/hooks';
import { seg } from '../api/api.client';
import type { Collection, DocumentList, Job, ModelEntry } from '../api/types';
import { useApi } from '../api/use-api';
import { Link } from '../router/link';
import { setQuery } from '../router/router';
import { ErrorNote } from '../shared/error-note';
import { when } from '../shared/format';
import { CollectionTabs } from './collection-tabs';
import { searchMode } from './collection-modes';
import { DOCUMENTS_PAGE, DocumentsTable } from './documents.table';
import { JobProgress } from './job-progress.view';
import { forgetJob, rememberJob, rememberedJob } from './job-store';
import { UploadPanel } from './upload.panel';

/** One collection: its state, uploads with live progress, recent jobs and its documents. */
export function CollectionPage({ name, jobId }: { name: string; jobId: string | null }) {
  const base = `/v1/collections/${seg(name)}`;
  const collection = useApi<Collection>(base);
  const models = useApi<{ data: ModelEntry[] }>('/v1/models');
  const [offset, setOffset] = useState(0);
  const documents = useApi<DocumentList>(
    `${base}/documents?limit=${DOCUMENTS_PAGE}&offset=${offset}`,
  );
  const jobs = useApi<{ items: Job[] }>(`/v1/jobs?collection=${seg(name)}&limit=5`);
  const settledRef = useRef(-1);

  // After a reload without ?job= (a new tab), the collection's last job is shown again.
  useEffect(() => {
    if (!jobId) {
      const remembered = rememberedJob(name);
      if (remembered) setQuery({ job: remembered });
    }
  }, [name, jobId]);

  const onJob = (job: Job) => {
    const n = job.items.done + job.items.failed + job.items.embedding;
    if (n !== settledRef.current) {
      settledRef.current = n;
      documents.reload();
      collection.reload();
    }
  };

  const c = collection.data;
  const mode = c ? searchMode(c, models.data?.data) : undefined;
  return (
    <section aria-labelledby="collection-title">
      <CollectionTabs name={name} current="documents" />
      <h1 id="collection-title">{name}</h1>
      <ErrorNote error={collection.error} what={`Could not open collection ${name}`} />
      {c && mode && (
        <dl class="facts">
          <div>
            <dt>Documents</dt>
            <dd>{c.counts.documents.toLocaleString('en')}</dd>
          </div>
          <div>
            <dt>Chunks</dt>
            <dd>
              {c.counts.chunks.toLocaleString('en')} ({c.counts.vectors.toLocaleString('en')} with
              vectors{c.counts.pending ? `, ${c.counts.pending} pending` : ''})
            </dd>
          </div>
          <div>
            <dt>Index</dt>
            <dd>
              {c.index.state} ({c.index.size.toLocaleString('en')} vectors)
            </dd>
          </div>
          <div>
            <dt>Search mode</dt>
            <dd>
              <strong>{mode.mode}</strong> <span class="why">{mode.why}</span>
            </dd>
          </div>
          <div>
            <dt>Embedding model</dt>
            <dd>
              <code>{c.embeddingModel}</code> {c.embeddingDtype}
              {c.embeddingDim ? `, ${c.embeddingDim} dimensions` : ''}
            </dd>
          </div>
          <div>
            <dt>Chunks of</dt>
            <dd>
              {c.chunkSize} tokens, {c.chunkOverlap} overlap
            </dd>
          </div>
        </dl>
      )}
      {c && (
        <div class="two-up">
          <UploadPanel
            collection={name}
            onStarted={(job) => {
              rememberJob(name, job.id);
              setQuery({ job: job.id });
              jobs.reload();
            }}
          />
          {jobId ? (
            <JobProgress
              key={jobId}
              jobId={jobId}
              onChange={onJob}
              onClose={() => {
                forgetJob(name, jobId);
                setQuery({ job: null });
                jobs.reload();
              }}
            />
          ) : (
            <RecentJobs jobs={jobs.data?.items ?? []} />
          )}
        </div>
      )}
      {c && (
        <DocumentsTable
          collection={name}
          list={documents}
          offset={offset}
          onOffset={setOffset}
          onDeleted={() => {
            documents.reload();
            collection.reload();
          }}
        />
      )}
    </section>
  );
}

function RecentJobs({ jobs }: { jobs: Job[] }) {
  return (
    <section class="card" aria-labelledby="recent-jobs-title">
      <h2 id="recent-jobs-title">Recent jobs</h2>
      {jobs.length === 0 ? (
        <p class="empty">No upload jobs yet.</p>
      ) : (
        <ul class="job-list">
          {jobs.map((j) => (
            <li key={j.id}>
              <Link
                href={`?job=${seg(j.id)}`}
                aria-label={`Job of ${when(j.createdAt)}, ${j.state}`}
              >
                {when(j.createdAt)}
              </Link>{' '}
              <span class={`state state-${j.state}`}>{j.state}</span>{' '}
              <span class="why">
                {j.items.done} done, {j.items.failed} failed of {j.items.total}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
