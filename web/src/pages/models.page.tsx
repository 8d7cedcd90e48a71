import { useEffect, useState } from 'preact/hooks';
import { api, modelPath } from '../api/api.client';
import type { Health, ModelEntry } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { ErrorNote } from '../shared/error-note';
import { bytes, ms } from '../shared/format';
import { currentFile, downloadSummary } from './download-progress';
import { PullModelForm } from './pull-model.form';

/** How often the page asks again while a model downloads or loads. */
const POLL_MS = 1000;

/**
 * The server's health and modes, and every model with its state (a download with its bytes, rate
 * and time left); load, unload and download (admin).
 */
export function ModelsPage() {
  const health = useApi<Health>('/health');
  const models = useApi<{ data: ModelEntry[] }>('/v1/models');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  const h = health.data;
  // /health has its details (modes) for admin only, once keys are on: the model actions need admin.
  const admin = h?.modes !== undefined;
  const moving = models.data?.data.some((m) => m.state === 'downloading' || m.state === 'loading');

  const { reload: reloadModels } = models;
  const { reload: reloadHealth } = health;
  useEffect(() => {
    if (!moving) return;
    const t = setTimeout(() => {
      reloadModels();
      reloadHealth();
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [models.data, moving, reloadModels, reloadHealth]);

  const act = async (m: ModelEntry, action: 'load' | 'unload' | 'pull') => {
    setBusy(`${m.id}|${m.task}|${m.dtype}`);
    setError(undefined);
    try {
      await api(`/v1/models/${modelPath(m.id)}/${action}`, {
        method: 'POST',
        json: { task: m.task, dtype: m.dtype },
      });
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(undefined);
      models.reload();
      health.reload();
    }
  };

  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models and health</h1>
      <ErrorNote error={health.error} what="Health is not available" />
      {h && (
        <dl class="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span class={`badge ${h.status === 'ok' ? 'ok' : 'warn'}`}>{h.status}</span> version{' '}
              {h.version}
            </dd>
          </div>
          {h.modes && (
            <div>
              <dt>Search mode</dt>
              <dd>
                <strong>{h.modes.search}</strong>{' '}
                {h.modes.searchReason && <span class="why">{h.modes.searchReason}</span>}
              </dd>
            </div>
          )}
          {h.modes && (
            <div>
              <dt>Answer mode</dt>
              <dd>
                <strong>{h.modes.ask}</strong>{' '}
                {h.modes.askReason && <span class="why">{h.modes.askReason}</span>}
              </dd>
            </div>
          )}
          {h.storage && (
            <div>
              <dt>Storage</dt>
              <dd>
                {h.storage.status}, {bytes(h.storage.freeBytes)} free
                {h.storage.reason ? ` (${h.storage.reason})` : ''}
              </dd>
            </div>
          )}
        </dl>
      )}
      {h && !admin && (
        <p class="why" role="status">
          The modes, storage and the loading, unloading and downloading of models are for an admin
          key.
        </p>
      )}
      <h2>Models</h2>
      <ErrorNote error={models.error} what="Could not list the models" />
      <ErrorNote error={error} />
      {models.data && (
        <div class="table-wrap" tabindex={0} role="region" aria-label="Models table">
          <table>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Task</th>
                <th scope="col">Precision</th>
                <th scope="col">State</th>
                <th scope="col">Weights</th>
                <th scope="col">Load time</th>
                <th scope="col">Used by</th>
                {admin && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {models.data.data.map((m) => {
                const key = `${m.id}|${m.task}|${m.dtype}`;
                return (
                  <tr key={key}>
                    <th scope="row">
                      <code>{m.id}</code>
                      {m.defaultFor && <span class="badge"> default</span>}
                    </th>
                    <td>{m.task}</td>
                    <td>{m.dtype}</td>
                    <td>
                      <span class={`state state-${m.state}`}>{m.state}</span>
                      <ModelDownload model={m} />
                      {m.reason && !(m.state === 'downloading' && m.download) && (
                        <div class="why">{m.reason}</div>
                      )}
                    </td>
                    <td class="num">{bytes(m.memoryBytes)}</td>
                    <td class="num">{ms(m.loadMs)}</td>
                    <td>{m.collections?.join(', ') || '–'}</td>
                    {admin && (
                      <td class="actions">
                        <ModelActions model={m} busy={busy} act={act} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {admin && (
        <>
          <h2>Download a model</h2>
          <PullModelForm onStarted={() => models.reload()} />
        </>
      )}
    </section>
  );
}

/** A download in progress (or one that waits or failed): a bar and its numbers. */
function ModelDownload({ model: m }: { model: ModelEntry }) {
  const d = m.download;
  if (!d || d.state === 'done') return null;
  const file = currentFile(d);
  return (
    <div class="download">
      {(d.state === 'downloading' || d.state === 'listing') && (
        <progress
          max={100}
          value={d.percent ?? undefined}
          aria-label={`Download of ${m.id} (${m.dtype})`}
        />
      )}
      <span class="why" aria-live="polite">
        {downloadSummary(d)}
      </span>
      {file && <span class="why">{file}</span>}
    </div>
  );
}

function ModelActions(props: {
  model: ModelEntry;
  busy: string | undefined;
  act: (m: ModelEntry, action: 'load' | 'unload' | 'pull') => Promise<void>;
}) {
  const m = props.model;
  const key = `${m.id}|${m.task}|${m.dtype}`;
  const name = `${m.id} (${m.task}, ${m.dtype})`;
  const disabled = props.busy !== undefined;
  if (m.state === 'ready')
    return (
      <button
        type="button"
        aria-label={`Unload ${name}`}
        disabled={disabled}
        onClick={() => void props.act(m, 'unload')}
      >
        Unload
      </button>
    );
  const absent = !m.dtypes.includes(m.dtype);
  return (
    <>
      {absent && m.state !== 'downloading' && (
        <button
          type="button"
          aria-label={`Download ${name}`}
          disabled={disabled}
          onClick={() => void props.act(m, 'pull')}
        >
          Download
        </button>
      )}
      <button
        type="button"
        aria-label={`Load ${name}`}
        disabled={disabled || m.state === 'loading' || m.state === 'downloading'}
        onClick={() => void props.act(m, 'load')}
      >
        {props.busy === key ? 'Loading…' : 'Load'}
      </button>
    </>
  );
}
