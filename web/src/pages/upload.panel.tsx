import { useState } from 'preact/hooks';
import { seg } from '../api/api.client';
import type { Job } from '../api/types';
import { uploadForm } from '../api/upload';
import { asError } from '../api/use-api';
import { ErrorNote } from '../shared/error-note';
import { bytes, count } from '../shared/format';

/**
 * Files (dropped or chosen, many at once) and URLs, sent as one background job: a multipart POST
 * to /v1/collections/{name}/jobs with the files in "files" and the URLs in "urls".
 */
export function UploadPanel(props: { collection: string; onStarted: (job: Job) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [urls, setUrls] = useState('');
  const [over, setOver] = useState(false);
  const [sending, setSending] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<Error>();
  const urlList = urls
    .split(/\s+/)
    .map((u) => u.trim())
    .filter(Boolean);

  const add = (list: FileList | null) => {
    if (!list) return;
    const incoming = [...list];
    setFiles((fs) => {
      const key = (f: File) => `${f.name}\u0000${f.size}\u0000${f.lastModified}`;
      const have = new Set(fs.map(key));
      return [...fs, ...incoming.filter((f) => !have.has(key(f)))];
    });
  };

  const send = async () => {
    setError(undefined);
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    if (urlList.length > 0) form.append('urls', JSON.stringify(urlList));
    setSending({ sent: 0, total: files.reduce((n, f) => n + f.size, 0) });
    try {
      const job = await uploadForm<Job>(
        `/v1/collections/${seg(props.collection)}/jobs`,
        form,
        (sent, total) => setSending({ sent, total }),
      );
      setFiles([]);
      setUrls('');
      props.onStarted(job);
    } catch (e) {
      setError(asError(e));
    } finally {
      setSending(null);
    }
  };

  return (
    <form
      class="card upload"
      aria-labelledby="upload-title"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h2 id="upload-title">Add documents</h2>
      <div
        class={`drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files ?? null);
        }}
      >
        <label htmlFor="upload-files">Upload files</label>
        <input
          id="upload-files"
          type="file"
          multiple
          aria-describedby="upload-hint"
          onChange={(e) => {
            add(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
        <p id="upload-hint" class="hint">
          or drop files here: PDF, Word, HTML, Markdown, text, CSV, JSON. All go in one job.
        </p>
      </div>
      {files.length > 0 && (
        <ul class="file-list" aria-label="Files to upload">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              <span class="file-name">{f.name}</span> <span class="why">{bytes(f.size)}</span>{' '}
              <button
                type="button"
                class="quiet"
                aria-label={`Remove ${f.name}`}
                onClick={() => setFiles((fs) => fs.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor="upload-urls">URLs to fetch (one per line)</label>
      <textarea
        id="upload-urls"
        rows={2}
        placeholder="https://example.com/handbook.html"
        value={urls}
        onInput={(e) => setUrls(e.currentTarget.value)}
      />
      <div class="actions">
        <button
          type="submit"
          class="primary"
          disabled={sending !== null || (files.length === 0 && urlList.length === 0)}
        >
          Start upload
        </button>
        <span class="why" role="status">
          {sending
            ? `Sending ${bytes(sending.sent)} of ${bytes(sending.total)}…`
            : files.length + urlList.length > 0
              ? `${count(files.length, 'file')}, ${count(urlList.length, 'URL')}`
              : ''}
        </span>
      </div>
      <ErrorNote error={error} what="The upload was refused" />
    </form>
  );
}
