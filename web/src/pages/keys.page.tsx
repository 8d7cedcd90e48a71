import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../api/api.client';
import { storeApiKey, storedApiKey } from '../api/api-key.store';
import type { ApiKey, CreatedApiKey } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { ConfirmButton } from '../shared/confirm-button';
import { ErrorNote, describe } from '../shared/error-note';
import { when } from '../shared/format';

/**
 * Admin: API keys (POST/GET/DELETE /v1/keys). A new key is shown once, here, and never again.
 * While the server runs open (loopback, no key yet) anyone here is admin; the first key turns
 * keys on, so this tab then uses it (`onAdopted`) and is not locked out.
 */
export function KeysPage(props: { onAdopted: () => void }) {
  const list = useApi<{ keys: ApiKey[] }>('/v1/keys');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('admin');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<{ key: string; name: string; adopted: boolean }>();
  const [error, setError] = useState<Error>();
  const keys = list.data?.keys ?? [];
  const notAdmin = list.error instanceof ApiError && list.error.status === 403;
  const open = list.data !== undefined && storedApiKey() === null;

  const create = async () => {
    setError(undefined);
    try {
      const out = await api<CreatedApiKey>('/v1/keys', {
        method: 'POST',
        json: {
          name: name.trim(),
          scopes: scopes
            .split(/[\s,]+/)
            .map((s) => s.trim())
            .filter(Boolean),
          ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
        },
      });
      // The first key of an open server turns keys on: without it this tab would be refused.
      const adopt = storedApiKey() === null && out.scopes.includes('admin');
      if (adopt) {
        storeApiKey(out.key);
        props.onAdopted();
      }
      setCreated({ key: out.key, name: out.name, adopted: adopt });
      setName('');
    } catch (e) {
      setError(asError(e));
    }
    list.reload();
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      {notAdmin ? (
        <p class="why" role="status">
          Keys are managed with an admin key; the key this tab uses is not one.
        </p>
      ) : (
        <ErrorNote error={list.error} what="Could not list the keys" />
      )}
      {open && (
        <p class="why" role="status">
          API keys are off: the server runs open to this machine. The first key turns them on, and
          from then on every request needs one; make it an admin key (this tab then uses it).
        </p>
      )}
      {created && (
        <div class="card secret" role="status">
          <p>
            The key <strong>{created.name}</strong>: copy it now, it is not shown again.
            {created.adopted && ' This tab uses it from now on.'}
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
      {!notAdmin && (
        <form
          class="card form-grid"
          aria-label="Create an API key"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label htmlFor="key-name">Key name</label>
          <input
            id="key-name"
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <label htmlFor="key-scopes">Scopes</label>
          <input
            id="key-scopes"
            required
            spellcheck={false}
            value={scopes}
            aria-describedby="key-scopes-hint"
            onInput={(e) => setScopes(e.currentTarget.value)}
          />
          <span id="key-scopes-hint" class="hint">
            admin, or read:&lt;collection&gt; / write:&lt;collection&gt; (a prefix ending in *, as
            in read:team-*), separated by commas; write includes read
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
          <ErrorNote error={error} what="Not done" />
        </form>
      )}
      {keys.length > 0 && (
        <div class="table-wrap" tabindex={0} role="region" aria-label="Keys table">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
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
                  <th scope="row">{k.name}</th>
                  <td>
                    <code>{k.id}</code>
                  </td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>{when(k.createdAt)}</td>
                  <td>{when(k.lastUsedAt)}</td>
                  <td>{k.expiresAt ? when(k.expiresAt) : 'never'}</td>
                  <td class="actions">
                    <ConfirmButton
                      label="Revoke"
                      name={`Revoke key ${k.name}`}
                      question={`Revoke ${k.name}? Clients using it are refused at once.`}
                      confirmLabel="Yes, revoke"
                      onConfirm={async () => {
                        setError(undefined);
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
