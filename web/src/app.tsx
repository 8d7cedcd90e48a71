import { useEffect, useRef, useState } from 'preact/hooks';
import { onUnauthorized } from './api/api.client';
import { storeApiKey, storedApiKey } from './api/api-key.store';
import type { Health } from './api/types';
import { useApi } from './api/use-api';
import { AskPage } from './pages/ask.page';
import { CollectionPage } from './pages/collection.page';
import { CollectionsPage } from './pages/collections.page';
import { DocumentPage } from './pages/document.page';
import { KeysPage } from './pages/keys.page';
import { ModelsPage } from './pages/models.page';
import { SearchPage } from './pages/search.page';
import { Link } from './router/link';
import { KeyDialog } from './shared/key.dialog';
import { match, navigate, useLocation } from './router/router';

const SECTIONS = [
  { href: '/collections', label: 'Collections' },
  { href: '/search', label: 'Search' },
  { href: '/models', label: 'Models' },
  { href: '/keys', label: 'Keys', admin: true },
];

export function App() {
  const place = useLocation();
  const [askKey, setAskKey] = useState<string | null>(null);
  const [hasKey, setHasKey] = useState(storedApiKey() !== null);
  /** Bumped when the key changes: every page mounts again and fetches with it. */
  const [generation, setGeneration] = useState(0);
  // /health has its details for admin only (all callers while the server runs open): the keys
  // page is for admin.
  const health = useApi<Health>('/health');
  const { reload: reloadHealth } = health;
  const askedRef = useRef(false);
  useEffect(() => {
    if (askedRef.current) reloadHealth(); // asked again when the key changes
    askedRef.current = true;
  }, [generation, hasKey, reloadHealth]);
  const admin = health.data?.modes !== undefined;
  useEffect(
    () =>
      onUnauthorized((e) =>
        setAskKey(
          storedApiKey()
            ? `The server refused the key in use: ${e.message}`
            : 'This server needs an API key: its API keys are on.',
        ),
      ),
    [],
  );
  useEffect(() => {
    if (place.path === '/') navigate('/collections', { replace: true });
  }, [place.path]);
  const title = pageTitle(place.path);
  useEffect(() => {
    document.title = `${title} · ragd`;
  }, [title]);

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/collections" class="brand" aria-label="ragd home">
          ragd
        </Link>
        <nav aria-label="Main">
          {SECTIONS.filter((s) => !s.admin || admin).map((s) => (
            <Link
              key={s.href}
              href={s.href}
              aria-current={place.path.startsWith(s.href) ? 'page' : undefined}
            >
              {s.label}
            </Link>
          ))}
          <a href="/docs">API docs</a>
        </nav>
        {hasKey && (
          <button
            type="button"
            class="quiet"
            onClick={() => {
              storeApiKey(null);
              setHasKey(false);
              setGeneration((g) => g + 1);
            }}
          >
            Forget API key
          </button>
        )}
      </header>
      <main id="main" key={generation}>
        <Page path={place.path} query={place.query} onKeyAdopted={() => setHasKey(true)} />
      </main>
      {askKey !== null && (
        <KeyDialog
          message={askKey}
          onDone={(key) => {
            setAskKey(null);
            if (key) {
              setHasKey(true);
              setGeneration((g) => g + 1);
            }
          }}
        />
      )}
    </div>
  );
}

function Page({
  path,
  query,
  onKeyAdopted,
}: {
  path: string;
  query: URLSearchParams;
  /** The keys page made the first key of an open server and this tab uses it now. */
  onKeyAdopted: () => void;
}) {
  let p: Record<string, string> | null;
  if ((p = match('/collections', path))) return <CollectionsPage />;
  if ((p = match('/collections/:name', path)))
    return <CollectionPage name={p.name!} jobId={query.get('job')} />;
  if ((p = match('/collections/:name/ask', path)))
    return <AskPage name={p.name!} sessionId={query.get('session')} />;
  if ((p = match('/collections/:name/documents/:id', path)))
    return <DocumentPage name={p.name!} id={p.id!} chunkId={numberOf(query.get('chunk'))} />;
  if (match('/search', path)) return <SearchPage collection={query.get('collection')} />;
  if (match('/models', path)) return <ModelsPage />;
  if (match('/keys', path)) return <KeysPage onAdopted={onKeyAdopted} />;
  if (path === '/') return null;
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">Not found</h1>
      <p>
        Nothing of the app is at <code>{path}</code>. <Link href="/collections">Collections</Link>
      </p>
    </section>
  );
}

function numberOf(v: string | null): number | null {
  const n = v === null ? NaN : Number(v);
  return Number.isInteger(n) ? n : null;
}

function pageTitle(path: string): string {
  const c = match('/collections/:name', path) ?? match('/collections/:name/ask', path);
  if (c) return path.endsWith('/ask') ? `Ask ${c.name}` : `${c.name}`;
  const d = match('/collections/:name/documents/:id', path);
  if (d) return `${d.id} in ${d.name}`;
  return SECTIONS.find((s) => path.startsWith(s.href))?.label ?? 'ragd';
}
