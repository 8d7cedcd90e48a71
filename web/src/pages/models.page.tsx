import { useState } from 'preact/hooks';
import { api, modelPath } from '../api/api.client';
import type { Health, ModelEntry } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { ErrorNote } from '../shared/error-note';
import { bytes, ms } from '../shared/format';

/** The server's health and modes, and every model with its state; load and unload. */
export function ModelsPage() {
  const health = useApi<Health>('/health');
  const models = useApi<{ data: ModelEntry[] }>('/v1/models');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  const h = health.data;

  const act = async (m: ModelEntry, action: 'load' | 'unload') => {
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
          <div>
            <dt>Search mode</dt>
            <dd>
              <strong>{h.modes.search}</strong>{' '}
              {h.modes.searchReason && <span class="why">{h.modes.searchReason}</span>}
            </dd>
          </div>
          <div>
            <dt>Answer mode</dt>
            <dd>
              <strong>{h.modes.ask}</strong>{' '}
              {h.modes.askReason && <span class="why">{h.modes.askReason}</span>}
            </dd>
          </div>
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
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {models.data.data.map((m) => {
                const key = `${m.id}|${m.task}|${m.dtype}`;
                const name = `${m.id} (${m.task}, ${m.dtype})`;
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
                      {m.reason && <div class="why">{m.reason}</div>}
                    </td>
                    <td class="num">{bytes(m.memoryBytes)}</td>
                    <td class="num">{ms(m.loadMs)}</td>
                    <td>{m.collections?.join(', ') || '–'}</td>
                    <td class="actions">
                      {m.state === 'ready' ? (
                        <button
                          type="button"
                          aria-label={`Unload ${name}`}
                          disabled={busy !== undefined}
                          onClick={() => void act(m, 'unload')}
                        >
                          Unload
                        </button>
                      ) : (
                        <button
                          type="button"
                          aria-label={`Load ${name}`}
                          disabled={busy !== undefined || m.state === 'loading'}
                          onClick={() => void act(m, 'load')}
                        >
                          {busy === key ? 'Loading…' : 'Load'}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
