import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/api.client';
import type { Collection, Health, ModelEntry } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { Link } from '../router/link';
import { navigate } from '../router/router';
import { ConfirmButton } from '../shared/confirm-button';
import { ErrorNote } from '../shared/error-note';
import { answerMode, searchMode } from './collection-modes';

/** Every collection with its counts, index state and the modes in effect; create and delete. */
export function CollectionsPage() {
  const list = useApi<{ collections: Collection[] }>('/v1/collections');
  const models = useApi<{ data: ModelEntry[] }>('/v1/models');
  const health = useApi<Health>('/health');
  const [creating, setCreating] = useState(false);
  const [actionError, setActionError] = useState<Error>();
  const ask = answerMode(health.data);

  return (
    <section aria-labelledby="collections-title">
      <div class="title-row">
        <h1 id="collections-title">Collections</h1>
        {!creating && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New collection
          </button>
        )}
      </div>
      {creating && (
        <NewCollectionForm
          models={models.data?.data}
          onCancel={() => setCreating(false)}
          onCreated={(name) => navigate(`/collections/${encodeURIComponent(name)}`)}
        />
      )}
      {ask && (
        <p class="modes" aria-label="Answer mode">
          Answers: <strong>{ask.mode}</strong> <span class="why">({ask.why})</span>
        </p>
      )}
      <ErrorNote error={list.error} what="Could not list the collections" />
      <ErrorNote error={actionError} />
      {list.data && list.data.collections.length === 0 && (
        <p class="empty">No collections yet. Create one with “New collection”.</p>
      )}
      {list.data && list.data.collections.length > 0 && (
        <div class="table-wrap" tabindex={0} role="region" aria-label="Collections table">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Documents</th>
                <th scope="col">Chunks</th>
                <th scope="col">Vectors</th>
                <th scope="col">Index</th>
                <th scope="col">Search mode</th>
                <th scope="col">Embedding model</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.collections.map((c) => {
                const mode = searchMode(c, models.data?.data);
                return (
                  <tr key={c.name}>
                    <th scope="row">
                      <Link href={`/collections/${encodeURIComponent(c.name)}`}>{c.name}</Link>
                    </th>
                    <td class="num">{c.counts.documents.toLocaleString('en')}</td>
                    <td class="num">{c.counts.chunks.toLocaleString('en')}</td>
                    <td class="num">
                      {c.counts.vectors.toLocaleString('en')}
                      {c.counts.pending > 0 && (
                        <span class="badge warn"> {c.counts.pending} pending</span>
                      )}
                    </td>
                    <td>
                      {c.index.state === 'ready'
                        ? `ready (${c.index.size.toLocaleString('en')})`
                        : `building ${c.index.done ?? 0}/${c.index.total ?? '?'}`}
                    </td>
                    <td>
                      <strong>{mode.mode}</strong>
                      <div class="why">{mode.why}</div>
                    </td>
                    <td>
                      <code>{c.embeddingModel}</code> <span class="why">{c.embeddingDtype}</span>
                    </td>
                    <td class="actions">
                      <Link
                        href={`/collections/${encodeURIComponent(c.name)}/ask`}
                        aria-label={`Ask ${c.name}`}
                      >
                        Ask
                      </Link>{' '}
                      <ConfirmButton
                        label="Delete"
                        name={`Delete collection ${c.name}`}
                        question={`Delete ${c.name} and its ${c.counts.documents} documents?`}
                        onConfirm={async () => {
                          setActionError(undefined);
                          try {
                            await api(`/v1/collections/${encodeURIComponent(c.name)}`, {
                              method: 'DELETE',
                            });
                          } catch (e) {
                            setActionError(asError(e));
                          }
                          list.reload();
                        }}
                      />
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

function NewCollectionForm(props: {
  models: ModelEntry[] | undefined;
  onCancel: () => void;
  onCreated: (name: string) => void;
}) {
  const embedders = uniqueEmbedders(props.models);
  const preferred = embedders.find((m) => m.defaultFor === 'embedding') ?? embedders[0];
  const [name, setName] = useState('');
  const [model, setModel] = useState<string>('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const chosen = model || preferred?.id || '';
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => nameField.current?.focus(), []);

  return (
    <form
      class="card form-grid"
      aria-label="New collection"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        api<Collection>('/v1/collections', {
          method: 'POST',
          json: { name: name.trim(), ...(chosen ? { embeddingModel: chosen } : {}) },
        }).then(
          (c) => props.onCreated(c.name),
          (err: unknown) => {
            setError(asError(err));
            setBusy(false);
          },
        );
      }}
    >
      <label htmlFor="collection-name">Collection name</label>
      <input
        id="collection-name"
        required
        pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}"
        title="1-64 letters, digits, - or _, starting with a letter or digit"
        aria-describedby="collection-name-hint"
        value={name}
        ref={nameField}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <span id="collection-name-hint" class="hint">
        Letters, digits, “-” and “_”; up to 64.
      </span>
      <label htmlFor="embedding-model">Embedding model</label>
      <select id="embedding-model" value={chosen} onChange={(e) => setModel(e.currentTarget.value)}>
        {embedders.length === 0 && <option value="">the server’s default</option>}
        {embedders.map((m) => (
          <option key={m.id} value={m.id}>
            {m.id} ({m.state}
            {m.defaultFor === 'embedding' ? ', default' : ''})
          </option>
        ))}
      </select>
      <span class="hint">The collection is pinned to it; re-embedding moves it later.</span>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create collection
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} what="Not created" />
    </form>
  );
}

function uniqueEmbedders(models: ModelEntry[] | undefined): ModelEntry[] {
  const seen = new Map<string, ModelEntry>();
  for (const m of models ?? []) if (m.task === 'embedding' && !seen.has(m.id)) seen.set(m.id, m);
  return [...seen.values()];
}
