import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../api/api.client';
import type { ApiKey } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { ConfirmButton } from '../shared/confirm-button';
import { ErrorNote, describe } from '../shared/error-note';
import { when } from '../shared/format';

/** Admin: API keys (POST/GET/DELETE /v1/keys). A new key is shown once, here, and never again. */
export function KeysPage() {
  const list = useApi<ApiKey[] | { keys?: ApiKey[]; items?: ApiKey[]; data?: ApiKey[] }>(
    '/v1/keys',
  );
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('admin');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<{ key: string; name: string }>();
  const [error, setError] = useState<Error>();
  const keys = keysOf(list.data);
  const missing = list.error instanceof ApiError && list.error.status === 404;

  const create = async () => {
    setError(undefined);
    try {
      const out = await api<ApiKey & { key?: string; secret?: string; token?: string }>(
        '/v1/keys',
        {
          method: 'POST',
          json: {
            name: name.trim(),
            scopes: scopes
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
            ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
          },
        },
      );
      const key = out.key ?? out.secret ?? out.token;
      if (typeof key === 'string') setCreated({ key, name: name.trim() });
      setName('');
      list.reload();
    } catch (e) {
      setError(asError(e));
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      {missing ? (
        <p class="why" role="status">
          This server has no API key routes (GET /v1/keys answered 404): it runs without keys.
        </p>
      ) : (
        <ErrorNote error={list.error} what="Could not list the keys" />
      )}
      {created && (
        <div class="card secret" role="status">
          <p>
            The key <strong>{created.name}</strong> — copy it now, it is not shown again:
          </p>
          <label htmlFor="new-key">New API key</label>
          <input
            id="new-key"
            readOnly
            value={created.key}
            onFocus={(e) => e.currentTarget.select()}
          />
          <div class="actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.key)}>
              Copy key
            </button>
            <button type="button" class="quiet" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      {!missing && (
        <form
          class="card form-grid"
          aria-label="New API key"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label htmlFor="key-name">Key name</label>
          <input
            id="key-name"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <label htmlFor="key-scopes">Scopes</label>
          <input
            id="key-scopes"
            required
            value={scopes}
            aria-describedby="key-scopes-hint"
            onInput={(e) => setScopes(e.currentTarget.value)}
          />
          <span id="key-scopes-hint" class="hint">
            admin, or read:&lt;collection&gt; / write:&lt;collection&gt; (a prefix with *),
            separated by commas
          </span>
          <label htmlFor="key-expires">Expires (optional)</label>
          <input
            id="key-expires"
            type="datetime-local"
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
          <div class="actions">
            <button type="submit" class="primary">
              Create key
            </button>
          </div>
          <ErrorNote error={error} what="Not created" />
        </form>
      )}
      {keys.length > 0 && (
        <div class="table-wrap" tabindex={0} role="region" aria-label="Keys table">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name ?? k.id}</th>
                  <td>{(k.scopes ?? []).join(', ')}</td>
                  <td>{when(k.createdAt)}</td>
                  <td>{when(k.lastUsedAt)}</td>
                  <td>{when(k.expiresAt)}</td>
                  <td class="actions">
                    <ConfirmButton
                      label="Revoke"
                      name={`Revoke key ${k.name ?? k.id}`}
                      question={`Revoke ${k.name ?? k.id}? Clients using it are refused at once.`}
                      confirmLabel="Yes, revoke"
                      onConfirm={async () => {
                        try {
                          await api(`/v1/keys/${seg(k.id)}`, { method: 'DELETE' });
                        } catch (e) {
                          setError(new Error(describe(asError(e))));
                        }
                        list.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && keys.length === 0 && <p class="empty">No keys yet.</p>}
    </section>
  );
}

/** The list, whichever envelope the keys route uses. */
function keysOf(
  data: ApiKey[] | { keys?: ApiKey[]; items?: ApiKey[]; data?: ApiKey[] } | undefined,
): ApiKey[] {
  if (!data) return [];
  if (Array.isArray(data)) return data;
  return data.keys ?? data.items ?? data.data ?? [];
}
