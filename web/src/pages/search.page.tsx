import { useState } from 'preact/hooks';
import { api, seg } from '../api/api.client';
import type { Collection, SearchResult } from '../api/types';
import { asError, useApi } from '../api/use-api';
import { Link } from '../router/link';
import { setQuery } from '../router/router';
import { ErrorNote } from '../shared/error-note';
import { ms, score } from '../shared/format';

/** For tuning retrieval: a query with mode, topK, filter and rerank; every list's rank and score. */
export function SearchPage({ collection }: { collection: string | null }) {
  const list = useApi<{ collections: Collection[] }>('/v1/collections');
  const names = list.data?.collections.map((c) => c.name) ?? [];
  const chosen = collection ?? names[0] ?? '';
  const [query, setQueryText] = useState('');
  const [mode, setMode] = useState('');
  const [topK, setTopK] = useState(10);
  const [filter, setFilter] = useState('');
  const [rerank, setRerank] = useState(false);
  const [result, setResult] = useState<SearchResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(undefined);
    let parsedFilter: unknown;
    if (filter.trim()) {
      try {
        parsedFilter = JSON.parse(filter);
      } catch (e) {
        setError(new Error(`The filter is not JSON: ${asError(e).message}`));
        return;
      }
    }
    setBusy(true);
    try {
      setResult(
        await api<SearchResult>(`/v1/collections/${seg(chosen)}/search`, {
          method: 'POST',
          json: {
            query,
            topK,
            explain: true,
            ...(mode ? { mode } : {}),
            ...(parsedFilter !== undefined ? { filter: parsedFilter } : {}),
            ...(rerank ? { rerank: true } : {}),
          },
        }),
      );
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search playground</h1>
      <ErrorNote error={list.error} what="Could not list the collections" />
      <form
        class="card form-grid search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label htmlFor="search-collection">Collection</label>
        <select
          id="search-collection"
          value={chosen}
          onChange={(e) => setQuery({ collection: e.currentTarget.value })}
        >
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label htmlFor="search-query">Query</label>
        <input
          id="search-query"
          type="search"
          required
          value={query}
          onInput={(e) => setQueryText(e.currentTarget.value)}
        />
        <label htmlFor="search-mode">Mode</label>
        <select id="search-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
          <option value="">collection default</option>
          <option value="hybrid">hybrid (dense + lexical, RRF)</option>
          <option value="dense">dense</option>
          <option value="lexical">lexical (BM25)</option>
        </select>
        <label htmlFor="search-topk">Top K</label>
        <input
          id="search-topk"
          type="number"
          min={1}
          max={100}
          value={topK}
          onInput={(e) => setTopK(Number(e.currentTarget.value) || 10)}
        />
        <label htmlFor="search-filter">Filter (JSON)</label>
        <textarea
          id="search-filter"
          rows={2}
          placeholder='{"department": "finance", "year": {"$gte": 2024}}'
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <span />
        <label class="check">
          <input
            type="checkbox"
            checked={rerank}
            onChange={(e) => setRerank(e.currentTarget.checked)}
          />{' '}
          Rerank with the cross-encoder
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !chosen || !query.trim()}>
            Search
          </button>
        </div>
      </form>
      <ErrorNote error={error} what="Search failed" />
      {result && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">
            {result.results.length} results · {result.mode}
            {result.reranked ? ', reranked' : ''}
          </h2>
          {result.modeReason && <p class="why">{result.modeReason}</p>}
          <p class="why">
            embed {ms(result.timings.embedMs)} · search {ms(result.timings.searchMs)} · rerank{' '}
            {ms(result.timings.rerankMs)} · total {ms(result.timings.totalMs)}
          </p>
          <div class="table-wrap" tabindex={0} role="region" aria-label="Search results">
            <table class="results">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Passage</th>
                  <th scope="col">Score</th>
                  <th scope="col">Dense rank / cosine</th>
                  <th scope="col">Lexical rank / BM25</th>
                  <th scope="col">Fused (RRF)</th>
                  <th scope="col">Rerank</th>
                </tr>
              </thead>
              <tbody>
                {result.results.map((r, i) => (
                  <tr key={r.chunkId}>
                    <td class="num">{i + 1}</td>
                    <td>
                      <Link
                        href={`/collections/${seg(chosen)}/documents/${seg(r.documentId)}?chunk=${r.chunkId}`}
                      >
                        {r.title ?? r.documentId}
                        {r.pageStart !== null ? `, page ${r.pageStart}` : ''}
                      </Link>
                      {r.sectionPath && <span class="why"> · {r.sectionPath}</span>}
                      <div class="snippet">
                        {r.text.slice(0, 300)}
                        {r.text.length > 300 ? '…' : ''}
                      </div>
                    </td>
                    <td class="num">{score(r.score)}</td>
                    <td class="num">
                      {r.explain?.denseRank ?? '–'} / {score(r.explain?.denseScore)}
                    </td>
                    <td class="num">
                      {r.explain?.lexicalRank ?? '–'} / {score(r.explain?.lexicalScore)}
                    </td>
                    <td class="num">{score(r.explain?.fusedScore)}</td>
                    <td class="num">{score(r.explain?.rerankScore)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  );
}
