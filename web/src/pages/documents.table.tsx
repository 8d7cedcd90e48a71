import { useState } from 'preact/hooks';
import { api, seg } from '../api/api.client';
import type { DocumentList } from '../api/types';
import { asError, type Loaded } from '../api/use-api';
import { Link } from '../router/link';
import { ConfirmButton } from '../shared/confirm-button';
import { ErrorNote } from '../shared/error-note';
import { when } from '../shared/format';

export const DOCUMENTS_PAGE = 1000;

/** The documents of a collection (a page of up to 1000), filtered by id or title; open, delete. */
export function DocumentsTable(props: {
  collection: string;
  list: Loaded<DocumentList>;
  offset: number;
  onOffset: (offset: number) => void;
  onDeleted: () => void;
}) {
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<Error>();
  const data = props.list.data;
  const needle = filter.trim().toLowerCase();
  const shown = (data?.items ?? []).filter(
    (d) =>
      !needle ||
      d.id.toLowerCase().includes(needle) ||
      (d.title ?? '').toLowerCase().includes(needle),
  );
  const base = `/collections/${seg(props.collection)}`;

  return (
    <section aria-labelledby="documents-title">
      <div class="title-row">
        <h2 id="documents-title">Documents{data ? ` (${data.total.toLocaleString('en')})` : ''}</h2>
        <div class="filter">
          <label htmlFor="documents-filter">Filter documents</label>
          <input
            id="documents-filter"
            type="search"
            placeholder="id or title"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </div>
      </div>
      <ErrorNote error={props.list.error} what="Could not list the documents" />
      <ErrorNote error={error} />
      {data && data.total === 0 && <p class="empty">No documents yet: add some above.</p>}
      {data && data.total > 0 && (
        <>
          <div class="table-wrap" tabindex={0} role="region" aria-label="Documents table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Id</th>
                  <th scope="col">Type</th>
                  <th scope="col">Chunks</th>
                  <th scope="col">Characters</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">
                      <Link href={`${base}/documents/${seg(d.id)}`}>{d.title ?? d.id}</Link>
                    </th>
                    <td>
                      <code>{d.id}</code>
                    </td>
                    <td>{d.contentType}</td>
                    <td class="num">{d.chunks.toLocaleString('en')}</td>
                    <td class="num">{d.characters.toLocaleString('en')}</td>
                    <td>{when(d.createdAt)}</td>
                    <td class="actions">
                      <ConfirmButton
                        label="Delete"
                        name={`Delete document ${d.title ?? d.id}`}
                        question={`Delete ${d.title ?? d.id}?`}
                        onConfirm={async () => {
                          setError(undefined);
                          try {
                            await api(`${base}/documents/${seg(d.id)}`, { method: 'DELETE' });
                          } catch (e) {
                            setError(asError(e));
                          }
                          props.onDeleted();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {needle && shown.length === 0 && <p class="empty">No document matches “{filter}”.</p>}
          {data.total > DOCUMENTS_PAGE && (
            <div class="actions pager">
              <button
                type="button"
                disabled={props.offset === 0}
                onClick={() => props.onOffset(Math.max(0, props.offset - DOCUMENTS_PAGE))}
              >
                Previous {DOCUMENTS_PAGE}
              </button>
              <span>
                {props.offset + 1}–{Math.min(data.total, props.offset + DOCUMENTS_PAGE)} of{' '}
                {data.total} (the filter looks in these)
              </span>
              <button
                type="button"
                disabled={props.offset + DOCUMENTS_PAGE >= data.total}
                onClick={() => props.onOffset(props.offset + DOCUMENTS_PAGE)}
              >
                Next {DOCUMENTS_PAGE}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
